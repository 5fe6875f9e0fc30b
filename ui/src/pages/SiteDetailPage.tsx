import { useMemo } from "react";
import { Link, useParams } from "react-router";
import { api } from "../api/client";
import { ApiError } from "../api/errors";
import { useApi } from "../api/useApi";
import { lastDays } from "../components/DateRangePicker";
import { MetricCharts } from "../components/MetricCharts";
import { QualitySection } from "../components/QualitySection";
import { ProblemsTable } from "../components/ProblemsTable";
import { RepairButton } from "../components/RepairButton";
import { RerunButton } from "../components/RerunButton";
import { RunsList } from "../components/RunsList";
import { Empty, ErrorBox, Loading } from "../components/States";
import { StepsTable } from "../components/StepsTable";
import { formatDateTime } from "../lib/dates";
import { toSeries } from "../lib/series";
import { isSettling, SITE_STATE_LABEL, siteState } from "../lib/steps";
import { isRepairable } from "../lib/health";
import { BUDGET_LABEL } from "../lib/eta";

const POLL_MS = 4000;

export function SiteDetailPage() {
  const { domain = "" } = useParams();
  const site = useApi(() => api.site(domain), [domain], { pollMs: POLL_MS, shouldPoll: (s) => !s || isSettling(s) });
  const events = useApi(() => api.siteEvents(domain), [domain, site.data?.updated_at]);
  const runs = useApi(() => api.siteRuns(domain), [domain], { pollMs: 15000 });
  const range = useMemo(() => lastDays(30), []);
  const analytics = useApi(() => api.dailyAnalytics(range.start, range.end, [domain], 1000), [domain, range.start, range.end]);
  // Only a queued site has an ETA: asked again whenever the site changes.
  const queued = site.data ? isSettling(site.data) : false;
  const eta = useApi(() => (queued ? api.siteEta(domain) : Promise.resolve(null)), [domain, queued, site.data?.updated_at]);
  const series = useMemo(() => (analytics.data ? toSeries(analytics.data.items, range.start, range.end) : []), [analytics.data, range]);

  if (site.error && !site.data) {
    const missing = site.error instanceof ApiError && site.error.status === 404;
    return (
      <div className="page">
        <p>
          <Link to="/sites">← All sites</Link>
        </p>
        <ErrorBox error={site.error} title={missing ? "No such site" : "The site could not be loaded"} onRetry={missing ? undefined : site.reload} />
      </div>
    );
  }
  if (!site.data) return <Loading label="Loading site…" />;
  const s = site.data;
  const state = siteState(s);
  const problems = s.problems ?? [];

  return (
    <div className="page">
      <p>
        <Link to="/sites">← All sites</Link>
      </p>
      <div className="page-head">
        <h1>{s.domain}</h1>
        <span className={`badge badge-site-${state}`}>{SITE_STATE_LABEL[state]}</span>
        <div className="actions">
          <a className="btn" href={s.live_url ?? `https://${s.domain}`} target="_blank" rel="noreferrer">
            Open live site ↗
          </a>
          <RerunButton domain={s.domain} step={null} label="Re-run whole onboarding" onLaunched={runs.reload} />
          {!s.decommissioned_at && (
            <Link className="btn btn-danger" to={`/plans?action=decommission&sites=${encodeURIComponent(s.domain)}`}>
              Decommission…
            </Link>
          )}
        </div>
      </div>
      <dl className="facts">
        <div><dt>Brand</dt><dd>{s.brand_name ?? "—"}</dd></div>
        <div><dt>Cloudflare account</dt><dd>{s.cloudflare_account}</dd></div>
        <div><dt>Google account</dt><dd>{s.gsc_account ?? "—"}</dd></div>
        <div><dt>Added</dt><dd>{formatDateTime(s.created_at)}</dd></div>
        <div><dt>Last change</dt><dd>{formatDateTime(s.updated_at)}</dd></div>
        <div><dt>Matomo site</dt><dd>{s.matomo_site_id ?? "—"}</dd></div>
        <div><dt>Search Console property</dt><dd>{s.gsc_property ?? "—"}</dd></div>
        <div><dt>Document root</dt><dd>{s.hosting_doc_root ?? "—"}</dd></div>
      </dl>
      {queued && eta.data && eta.data.items.length > 0 && (
        <p className="muted small eta" role="status">
          {`Expected live by ${formatDateTime(eta.data.items[0].live_at)}: ${eta.data.items[0].position} of ${eta.data.queued} in the onboarding queue, waiting for ${BUDGET_LABEL[eta.data.items[0].waits_for]}.`}
        </p>
      )}
      {s.decommissioned_at && (
        <p className="notice" role="status">
          Decommissioned {formatDateTime(s.decommissioned_at)}: no longer served or onboarded; its analytics are kept.
        </p>
      )}
      {s.error_message && (
        <p className="form-error" role="alert">
          Last error: {s.error_message}
        </p>
      )}

      {problems.length > 0 && (
        <section aria-labelledby="problems-title">
          <h2 id="problems-title">Open health problems</h2>
          <ProblemsTable problems={problems} showSite={false} />
          {problems.some((p) => isRepairable(p.check_kind)) && (
            <RepairButton sites={[s.domain]} label="Repair this site" onDone={site.reload} />
          )}
        </section>
      )}

      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Onboarding steps</h2>
        {isSettling(s) && <p className="muted small">Refreshing every few seconds while onboarding runs.</p>}
        <StepsTable site={s} events={events.data ?? []} onLaunched={runs.reload} />
      </section>

      <QualitySection domain={s.domain} onRebuild={runs.reload} />

      <div className="two-col">
        <section aria-labelledby="runs-title">
          <h2 id="runs-title">Dagster runs</h2>
          {runs.error ? (
            <ErrorBox error={runs.error} onRetry={runs.reload} />
          ) : !runs.data ? (
            <Loading label="Loading runs…" />
          ) : runs.data.length === 0 ? (
            <Empty>No runs yet for this site.</Empty>
          ) : (
            <RunsList runs={runs.data} />
          )}
        </section>
        <section aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          {events.error ? (
            <ErrorBox error={events.error} onRetry={events.reload} />
          ) : !events.data ? (
            <Loading />
          ) : events.data.length === 0 ? (
            <Empty>No status changes yet.</Empty>
          ) : (
            <ol className="events">
              {events.data.slice(0, 30).map((e, i) => (
                <li key={`${e.at}-${i}`}>
                  <span className="muted small">{formatDateTime(e.at)}</span> <code>{e.step}</code> → <strong>{e.status}</strong>
                  {/* a waiting step's message says what it waits for: only a failure is an error */}
                  {e.message && <span className={e.status === "failed" ? "error-text" : "muted"}> — {e.message}</span>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>

      <section aria-labelledby="site-analytics-title">
        <h2 id="site-analytics-title">Analytics, last 30 days</h2>
        {analytics.error ? (
          <ErrorBox error={analytics.error} onRetry={analytics.reload} />
        ) : !analytics.data ? (
          <Loading label="Loading analytics…" />
        ) : analytics.data.items.length === 0 ? (
          <Empty>No analytics for this site in the last 30 days.</Empty>
        ) : (
          <MetricCharts data={series} />
        )}
      </section>
    </div>
  );
}
