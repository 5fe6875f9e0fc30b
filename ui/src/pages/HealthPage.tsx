import { useState } from "react";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { BackupsSection } from "../components/BackupsSection";
import { DigestSection } from "../components/DigestSection";
import { ProblemsTable } from "../components/ProblemsTable";
import { RepairButton } from "../components/RepairButton";
import { Empty, ErrorBox, Loading } from "../components/States";
import { formatDateTime } from "../lib/dates";
import { isRepairable } from "../lib/health";

const POLL_MS = 60000;

/** Fleet health: open problems by kind (and the sites affected), a trend, and repair. */
export function HealthPage() {
  const [kind, setKind] = useState<string | null>(null);
  const summary = useApi(() => api.healthSummary(), [], { pollMs: POLL_MS });
  const problems = useApi(() => api.healthProblems({ check_kind: kind, limit: 1000 }), [kind, summary.data?.last_seen]);
  const drifted = (summary.data?.kinds ?? []).some((k) => isRepairable(k.check_kind));
  const peak = Math.max(1, ...(summary.data?.trend ?? []).map((t) => t.open_problems));

  return (
    <div className="page">
      <div className="page-head">
        <h1>Fleet health</h1>
        {drifted && (
          <div className="actions">
            <RepairButton label="Repair every drifted site" onDone={summary.reload} />
          </div>
        )}
      </div>
      {summary.error ? (
        <ErrorBox error={summary.error} onRetry={summary.reload} title="Fleet health could not be loaded" />
      ) : !summary.data ? (
        <Loading />
      ) : (
        <>
          <p>
            <strong>{summary.data.open_problems}</strong> open problem(s) on <strong>{summary.data.sites_affected}</strong> of {summary.data.sites} site(s)
            {summary.data.last_seen && <span className="muted small"> — last seen {formatDateTime(summary.data.last_seen)}</span>}
          </p>
          {summary.data.kinds.length === 0 ? (
            <Empty>No open problem: every swept site is as it should be.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table health-kinds">
                <caption className="visually-hidden">Open problems by kind</caption>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Problems</th>
                    <th scope="col">Sites affected</th>
                    <th scope="col">Worst</th>
                    <th scope="col" aria-label="Filter" />
                  </tr>
                </thead>
                <tbody>
                  {summary.data.kinds.map((k) => (
                    <tr key={k.check_kind} aria-selected={kind === k.check_kind}>
                      <td>
                        <code>{k.check_kind}</code>
                      </td>
                      <td>{k.problems}</td>
                      <td>{k.sites}</td>
                      <td>
                        <span className={`badge badge-${k.status === "fail" ? "failed" : "waiting"}`}>{k.status}</span>
                      </td>
                      <td>
                        <button type="button" className="btn btn-small" onClick={() => setKind(kind === k.check_kind ? null : k.check_kind)}>
                          {kind === k.check_kind ? "Show all" : "Show sites"}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <section aria-labelledby="trend-title">
            <h2 id="trend-title">Open problems, last {summary.data.trend.length} days</h2>
            <ol className="trend" aria-label="Open problems per day">
              {summary.data.trend.map((t) => (
                <li key={t.date} title={`${t.date}: ${t.open_problems}`}>
                  <span className="trend-bar" style={{ height: `${Math.round((t.open_problems / peak) * 100)}%` }} />
                  <span className="visually-hidden">
                    {t.date}: {t.open_problems}
                  </span>
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
      <section aria-labelledby="problems-title">
        <h2 id="problems-title">{kind ? `Sites with ${kind}` : "Open problems"}</h2>
        {problems.error ? (
          <ErrorBox error={problems.error} onRetry={problems.reload} />
        ) : !problems.data ? (
          <Loading />
        ) : problems.data.length === 0 ? (
          <Empty>No open problems.</Empty>
        ) : (
          <ProblemsTable problems={problems.data} />
        )}
      </section>
      <DigestSection refreshKey={summary.data?.last_seen} />
      <BackupsSection />
    </div>
  );
}
