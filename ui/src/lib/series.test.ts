import { describe, expect, it } from "vitest";
import { gscPendingFrom, isGscPending } from "./dates";
import { toSeries, trendOf } from "./series";

describe("analytics series", () => {
  it("marks the last three days as pending Search Console's lag", () => {
    expect(gscPendingFrom("2026-03-10")).toBe("2026-03-08");
    expect(isGscPending("2026-03-07", "2026-03-10")).toBe(false);
    expect(isGscPending("2026-03-08", "2026-03-10")).toBe(true);
  });

  it("has one point per day, null where there is no data", () => {
    const series = toSeries(
      [{ date: "2026-03-02", matomo_visits: 5, gsc_clicks: 1, gsc_impressions: 10 }],
      "2026-03-01",
      "2026-03-03",
      "2026-03-03",
    );
    expect(series.map((p) => [p.date, p.matomo_visits, p.pending])).toEqual([
      ["2026-03-01", null, true],
      ["2026-03-02", 5, true],
      ["2026-03-03", null, true],
    ]);
  });

  it("compares the second half of the range with the first", () => {
    const rows = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"].map((date, i) => ({
      date, site_id: "s", domain: "a.com", matomo_visits: (i + 1) * 10, gsc_clicks: null, gsc_impressions: null,
    }));
    expect(trendOf(rows, "2026-03-01", "2026-03-04")).toEqual({ values: [10, 20, 30, 40], first: 30, second: 70 });
  });
});
