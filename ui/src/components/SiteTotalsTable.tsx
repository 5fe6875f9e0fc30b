import { Link } from "react-router";
import type { AnalyticsDay, SiteTotals, SiteTotalsQuery } from "../api/types";
import { formatNumber, formatPercent, percentChange } from "../lib/format";
import { trendOf } from "../lib/series";
import { SortHeader } from "./SortHeader";
import { Sparkline } from "./Sparkline";

export type TotalsSort = NonNullable<SiteTotalsQuery["sort"]>;

interface Props {
  rows: SiteTotals[];
  daily: AnalyticsDay[] | undefined;
  start: string;
  end: string;
  sort: TotalsSort;
  dir: "asc" | "desc";
  onSort: (key: TotalsSort) => void;
}

/** Per-site totals over the range, with the visits trend (second half of the range vs the first). */
export function SiteTotalsTable({ rows, daily, start, end, sort, dir, onSort }: Props) {
  const bySite = new Map<string, AnalyticsDay[]>();
  daily?.forEach((row) => {
    const list = bySite.get(row.site_id) ?? [];
    list.push(row);
    bySite.set(row.site_id, list);
  });
  const header = { sort, dir, onSort };
  return (
    <div className="table-wrap">
      <table className="table totals-table">
        <caption className="visually-hidden">Analytics per site over the chosen range</caption>
        <thead>
          <tr>
            <SortHeader column="domain" {...header}>
              Site
            </SortHeader>
            <SortHeader column="matomo_visits" {...header} className="num">
              Visits
            </SortHeader>
            <SortHeader column="gsc_clicks" {...header} className="num">
              Clicks
            </SortHeader>
            <SortHeader column="gsc_impressions" {...header} className="num">
              Impressions
            </SortHeader>
            <SortHeader column="days" {...header} className="num">
              Days with data
            </SortHeader>
            <th scope="col">Visits trend</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const trend = daily ? trendOf(bySite.get(row.site_id) ?? [], start, end) : null;
            const change = trend ? percentChange(trend.first, trend.second) : null;
            return (
              <tr key={row.site_id} data-domain={row.domain}>
                <td>
                  <Link to={`/sites/${encodeURIComponent(row.domain)}`}>{row.domain}</Link>
                </td>
                <td className="num">{formatNumber(row.matomo_visits)}</td>
                <td className="num">{formatNumber(row.gsc_clicks)}</td>
                <td className="num">{formatNumber(row.gsc_impressions)}</td>
                <td className="num">{row.days}</td>
                <td className="trend">
                  {trend ? (
                    <>
                      <Sparkline values={trend.values} label={`Visits per day for ${row.domain}`} />
                      <span className={change === null || change > 0 ? "up" : change < 0 ? "down" : "flat"}>
                        {trend.first === 0 && trend.second === 0 ? "—" : formatPercent(change)}
                      </span>
                    </>
                  ) : (
                    <span className="muted">…</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
