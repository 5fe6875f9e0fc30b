// Dates are the API's ISO days (YYYY-MM-DD), handled in UTC so no time zone shifts a day.

export const DAY_MS = 86_400_000;
/** Search Console reports with a lag: its numbers for the last days are not final yet. */
export const GSC_PENDING_DAYS = 3;

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

export function today(now: Date = new Date()): string {
  return isoDay(now);
}

export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/** Days on or after this one (the last GSC_PENDING_DAYS days, today included) are still within Search Console's lag. */
export function gscPendingFrom(todayDay: string = today()): string {
  return addDays(todayDay, -(GSC_PENDING_DAYS - 1));
}

export function isGscPending(day: string, todayDay: string = today()): boolean {
  return day >= gscPendingFrom(todayDay);
}

/** Every day from start to end inclusive. */
export function dayRange(start: string, end: string): string[] {
  const days: string[] = [];
  for (let d = start; d <= end && days.length < 3700; d = addDays(d, 1)) days.push(d);
  return days;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}
