import { Line, LineChart } from "recharts";

/** A tiny trend line (recharts), for table rows. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const data = values.map((v, i) => ({ i, v }));
  return (
    <span className="sparkline" role="img" aria-label={label}>
      <LineChart data={data} width={96} height={24} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
        <Line type="monotone" dataKey="v" stroke="#2563eb" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </span>
  );
}
