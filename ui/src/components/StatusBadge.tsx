import type { StepState } from "../lib/steps";

// Symbols from DejaVu Sans (Debian's default font): its missing hourglass (U+29D7) showed as an empty box.
const SYMBOL: Record<StepState, string> = { pending: "○", running: "◐", waiting: "◷", done: "●", failed: "✕" };

/** One step's status: colour, symbol and words (never colour alone). */
export function StatusBadge({ state, raw, label }: { state: StepState; raw: string; label?: string }) {
  return (
    <span className={`badge badge-${state}`} title={label ? `${label}: ${raw}` : raw}>
      <span aria-hidden="true">{SYMBOL[state]}</span>
      {label ? <span className="visually-hidden">{label}: </span> : null}
      {raw}
    </span>
  );
}
