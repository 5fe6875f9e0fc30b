import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { toSeries } from "../lib/series";
import { MetricChart } from "./MetricChart";

describe("MetricChart", () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({
    date: `2026-03-${String(i + 1).padStart(2, "0")}`,
    matomo_visits: 100 + i,
    gsc_clicks: 10 + i,
    gsc_impressions: 1000,
  }));
  const data = toSeries(rows, "2026-03-01", "2026-03-10", "2026-03-10");

  it("draws the line with recharts and shades the pending days", () => {
    const { container } = render(<MetricChart title="Clicks" metric="gsc_clicks" color="#000" data={data} markPending width={500} />);
    expect(container.querySelector(".recharts-surface")).not.toBeNull();
    expect(container.querySelector(".recharts-line")).not.toBeNull();
    expect(container.querySelector(".recharts-reference-area")).not.toBeNull();
    expect(screen.getByText(/: pending/)).toBeInTheDocument();
    expect(screen.getByText("145")).toHaveClass("chart-total");
  });

  it("leaves Matomo's days unmarked", () => {
    const { container } = render(<MetricChart title="Visits" metric="matomo_visits" color="#000" data={data} markPending={false} width={500} />);
    expect(container.querySelector(".recharts-reference-area")).toBeNull();
    expect(screen.queryByText(/: pending/)).toBeNull();
  });
});
