import { addDays, daysBetween, today } from "../lib/dates";

export interface DateRange {
  start: string;
  end: string;
}

const PRESETS = [7, 30, 90, 365];

export function lastDays(days: number, end: string = today()): DateRange {
  return { start: addDays(end, -(days - 1)), end };
}

/** Presets (last N days) and a custom first/last day. */
export function DateRangePicker({ range, onChange }: { range: DateRange; onChange: (range: DateRange) => void }) {
  const current = daysBetween(range.start, range.end) + 1;
  const isPreset = range.end === today();
  return (
    <div className="range-picker" role="group" aria-label="Date range">
      {PRESETS.map((days) => (
        <button
          key={days}
          type="button"
          className={`btn btn-small${isPreset && current === days ? " btn-active" : ""}`}
          aria-pressed={isPreset && current === days}
          onClick={() => onChange(lastDays(days))}
        >
          {days} days
        </button>
      ))}
      <label>
        From
        <input
          type="date"
          value={range.start}
          max={range.end}
          onChange={(e) => e.target.value && onChange({ ...range, start: e.target.value })}
        />
      </label>
      <label>
        To
        <input
          type="date"
          value={range.end}
          min={range.start}
          onChange={(e) => e.target.value && onChange({ ...range, end: e.target.value })}
        />
      </label>
    </div>
  );
}
