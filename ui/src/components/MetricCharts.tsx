import { METRICS, type SeriesPoint } from "../lib/series";
import { MetricChart } from "./MetricChart";

/** Visits, clicks and impressions side by side. */
export function MetricCharts({ data, width }: { data: SeriesPoint[]; width?: number }) {
  return (
    <div className="charts">
      {METRICS.map((m) => (
        <MetricChart key={m.key} title={m.label} metric={m.key} color={m.color} data={data} markPending={m.source === "gsc"} width={width} />
      ))}
    </div>
  );
}
