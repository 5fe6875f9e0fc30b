import type { AnalyticsDay, FleetDay } from "../api/types";
import { dayRange, isGscPending } from "./dates";

export type Metric = "matomo_visits" | "gsc_clicks" | "gsc_impressions";

export const METRICS: { key: Metric; label: string; source: "matomo" | "gsc"; color: string }[] = [
  { key: "matomo_visits", label: "Visits", source: "matomo", color: "#2563eb" },
  { key: "gsc_clicks", label: "Clicks", source: "gsc", color: "#059669" },
  { key: "gsc_impressions", label: "Impressions", source: "gsc", color: "#d97706" },
];

export interface SeriesPoint {
  date: string;
  matomo_visits: number | null;
  gsc_clicks: number | null;
  gsc_impressions: number | null;
  pending: boolean;
}

type DayLike = Pick<FleetDay | AnalyticsDay, "date" | Metric>;

/** One point per day of the range (null where there is no data), pending days flagged. */
export function toSeries(rows: DayLike[], start: string, end: string, todayDay?: string): SeriesPoint[] {
  const byDate = new Map<string, DayLike>();
  rows.forEach((row) => byDate.set(row.date, row));
  return dayRange(start, end).map((date) => {
    const row = byDate.get(date);
    return {
      date,
      matomo_visits: row?.matomo_visits ?? null,
      gsc_clicks: row?.gsc_clicks ?? null,
      gsc_impressions: row?.gsc_impressions ?? null,
      pending: isGscPending(date, todayDay),
    };
  });
}

/** Visits in the second half of the range against the first half, and the daily values. */
export function trendOf(rows: AnalyticsDay[], start: string, end: string): { values: number[]; first: number; second: number } {
  // Up to the last day with data: today (not reported yet) must not look like a collapse.
  const last = rows.reduce((max, r) => (r.date > max ? r.date : max), start);
  const series = toSeries(rows, start, last < end ? last : end);
  const values = series.map((p) => p.matomo_visits ?? 0);
  const half = Math.floor(values.length / 2);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { values, first: sum(values.slice(0, half)), second: sum(values.slice(values.length - half)) };
}
