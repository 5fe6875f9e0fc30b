import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import type { AnalyticsDay } from "../api/types";
import { DailyTotalsTable } from "../components/DailyTotalsTable";
import { DateRangePicker, lastDays, type DateRange } from "../components/DateRangePicker";
import { MetricCharts } from "../components/MetricCharts";
import { Pagination } from "../components/Pagination";
import { SiteTotalsTable, type TotalsSort } from "../components/SiteTotalsTable";
import { Empty, ErrorBox, Loading } from "../components/States";
import { GSC_PENDING_DAYS, gscPendingFrom } from "../lib/dates";
import { formatNumber } from "../lib/format";
import { toSeries } from "../lib/series";

const PAGE_SIZE = 25;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SORTS: TotalsSort[] = ["domain", "days", "matomo_visits", "gsc_clicks", "gsc_impressions"];

export function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const fallback = lastDays(30);
  const start = params.get("start") ?? "";
  const end = params.get("end") ?? "";
  const range: DateRange = DAY.test(start) && DAY.test(end) && start <= end ? { start, end } : fallback;
  const sortParam = params.get("sort") as TotalsSort | null;
  const sort: TotalsSort = sortParam && SORTS.includes(sortParam) ? sortParam : "matomo_visits";
  const dir = params.get("dir") === "asc" ? "asc" : "desc";
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(0);

  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params);
    Object.entries(changes).forEach(([k, v]) => next.set(k, v));
    setParams(next, { replace: true });
    setPage(0);
  }

  const fleet = useApi(() => api.fleetAnalytics(range.start, range.end), [range.start, range.end]);
  const totals = useApi(
    () => api.siteTotals({ start: range.start, end: range.end, search: search.trim() || undefined, sort, order: dir, limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
    [range.start, range.end, search, sort, dir, page],
  );
  const siteIds = totals.data?.items.map((r) => r.site_id) ?? [];
  const daily = useApi<AnalyticsDay[] | undefined>(
    async () => (siteIds.length ? (await api.dailyAnalytics(range.start, range.end, siteIds)).items : []),
    [range.start, range.end, siteIds.join(",")],
  );
  const series = useMemo(() => (fleet.data ? toSeries(fleet.data.days, range.start, range.end) : []), [fleet.data, range.start, range.end]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Analytics</h1>
        <DateRangePicker range={range} onChange={(r) => update({ start: r.start, end: r.end })} />
      </div>
      <p className="muted small">
        Matomo visits are final each day. Search Console reports with a lag: its clicks and impressions for the last {GSC_PENDING_DAYS} days
        (from {gscPendingFrom()}, shaded in the charts) are pending and still rise.
      </p>

      <section aria-labelledby="fleet-title">
        <h2 id="fleet-title">Fleet totals per day</h2>
        {fleet.error ? (
          <ErrorBox error={fleet.error} onRetry={fleet.reload} title="Fleet analytics could not be loaded" />
        ) : !fleet.data ? (
          <Loading label="Loading analytics…" />
        ) : fleet.data.days.length === 0 ? (
          <Empty>No analytics in this range yet. Data arrives daily once sites are live.</Empty>
        ) : (
          <>
            <dl className="totals">
              <div>
                <dt>Visits</dt>
                <dd>{formatNumber(fleet.data.totals.matomo_visits)}</dd>
              </div>
              <div>
                <dt>Clicks</dt>
                <dd>{formatNumber(fleet.data.totals.gsc_clicks)}</dd>
              </div>
              <div>
                <dt>Impressions</dt>
                <dd>{formatNumber(fleet.data.totals.gsc_impressions)}</dd>
              </div>
            </dl>
            <MetricCharts data={series} />
            <DailyTotalsTable data={series} />
          </>
        )}
      </section>

      <section aria-labelledby="per-site-title">
        <div className="section-head">
          <h2 id="per-site-title">Per site</h2>
          <label>
            Search
            <input
              type="search"
              value={search}
              placeholder="Domain"
              onChange={(e) => {
                setSearch(e.target.value);
                setPage(0);
              }}
            />
          </label>
        </div>
        {totals.error ? (
          <ErrorBox error={totals.error} onRetry={totals.reload} title="Per-site analytics could not be loaded" />
        ) : !totals.data ? (
          <Loading label="Loading sites…" />
        ) : totals.data.items.length === 0 ? (
          <Empty>{search ? "No site matches this search." : "No sites yet."}</Empty>
        ) : (
          <>
            <SiteTotalsTable
              rows={totals.data.items}
              daily={daily.data}
              start={range.start}
              end={range.end}
              sort={sort}
              dir={dir}
              onSort={(key) => update({ sort: key, dir: key === sort && dir === "desc" ? "asc" : "desc" })}
            />
            <Pagination page={page} pageSize={PAGE_SIZE} total={totals.data.total} onPage={setPage} label="Per-site analytics" />
          </>
        )}
      </section>
    </div>
  );
}
