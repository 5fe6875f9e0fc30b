import { formatNumber } from "../lib/format";
import type { SeriesPoint } from "../lib/series";

/** The charts' numbers as a table (for screen readers and exact values), pending days marked. */
export function DailyTotalsTable({ data }: { data: SeriesPoint[] }) {
  return (
    <details className="daily-table">
      <summary>Daily totals as a table</summary>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col" className="num">Visits</th>
            <th scope="col" className="num">Clicks</th>
            <th scope="col" className="num">Impressions</th>
          </tr>
        </thead>
        <tbody>
          {[...data].reverse().map((p) => (
            <tr key={p.date} className={p.pending ? "row-pending" : undefined}>
              <td>
                {p.date} {p.pending && <span className="badge badge-pending small">Search Console pending</span>}
              </td>
              <td className="num">{formatNumber(p.matomo_visits)}</td>
              <td className="num">{formatNumber(p.gsc_clicks)}</td>
              <td className="num">{formatNumber(p.gsc_impressions)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
