import { CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDay } from "../lib/dates";
import { formatNumber } from "../lib/format";
import type { Metric, SeriesPoint } from "../lib/series";

interface Props {
  title: string;
  metric: Metric;
  color: string;
  data: SeriesPoint[];
  /** Mark the days still within Search Console's lag (its metrics only). */
  markPending: boolean;
  /** Fixed size (tests); otherwise the chart fills its container. */
  width?: number;
  height?: number;
}

/** One metric per day as a line chart (recharts), the GSC-pending days shaded and labelled. */
export function MetricChart({ title, metric, color, data, markPending, width, height = 220 }: Props) {
  const pending = markPending ? data.filter((p) => p.pending) : [];
  const total = data.reduce((sum, p) => sum + (p[metric] ?? 0), 0);
  const chart = (
    <LineChart data={data} width={width} height={height} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
      <XAxis dataKey="date" tickFormatter={formatDay} minTickGap={24} fontSize={12} />
      <YAxis allowDecimals={false} width={56} fontSize={12} tickFormatter={(v: number) => formatNumber(v)} />
      <Tooltip
        labelFormatter={(label) => {
          const point = data.find((p) => p.date === label);
          return `${label}${markPending && point?.pending ? " (Search Console pending)" : ""}`;
        }}
        formatter={(value) => [formatNumber(value as number), title]}
      />
      {pending.length > 0 && (
        <ReferenceArea
          x1={pending[0].date}
          x2={pending[pending.length - 1].date}
          fill="#9ca3af"
          fillOpacity={0.18}
          label={{ value: "pending", position: "insideTop", fontSize: 11, fill: "#4b5563" }}
        />
      )}
      <Line type="monotone" dataKey={metric} name={title} stroke={color} strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
    </LineChart>
  );
  return (
    <figure className="card chart" data-metric={metric}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-total">{formatNumber(total)}</span>
        {pending.length > 0 && (
          <span className="badge badge-pending small" title="Search Console reports with a lag; these numbers still rise">
            from {formatDay(pending[0].date)}: pending
          </span>
        )}
      </figcaption>
      {width ? chart : <ResponsiveContainer width="100%" height={height}>{chart}</ResponsiveContainer>}
    </figure>
  );
}
