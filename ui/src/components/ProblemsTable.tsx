import { Link } from "react-router";
import type { HealthProblem } from "../api/types";
import { formatDateTime } from "../lib/dates";

const BADGE: Record<HealthProblem["status"], string> = { fail: "failed", warn: "waiting", ok: "done" };

/** Health problems (open, or with their resolution): what was seen, what was expected, since when. */
export function ProblemsTable({ problems, showSite = true }: { problems: HealthProblem[]; showSite?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table problems-table">
        <thead>
          <tr>
            {showSite && <th scope="col">Site</th>}
            <th scope="col">Check</th>
            <th scope="col">Status</th>
            <th scope="col">What</th>
            <th scope="col">Seen</th>
            <th scope="col">Expected</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p) => (
            <tr key={p.id} data-status={p.status}>
              {showSite && (
                <td>
                  <Link to={`/sites/${encodeURIComponent(p.domain)}`}>{p.domain}</Link>
                </td>
              )}
              <td>
                <code>{p.check_kind}</code>
              </td>
              <td>
                <span className={`badge badge-${p.resolved_at ? "done" : BADGE[p.status]}`}>{p.resolved_at ? "resolved" : p.status}</span>
              </td>
              <td>
                {p.subject}
                <div className="muted small">{p.cause}</div>
              </td>
              <td>{p.observed ?? "—"}</td>
              <td>{p.expected ?? "—"}</td>
              <td className="small">
                {formatDateTime(p.first_seen)}
                {p.resolved_at && <div className="muted">resolved {formatDateTime(p.resolved_at)}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
