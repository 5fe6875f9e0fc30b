import type { Run } from "../api/types";
import { formatDateTime } from "../lib/dates";

const RUN_STATE: Record<string, string> = { SUCCESS: "done", FAILURE: "failed", CANCELED: "failed", STARTED: "running", QUEUED: "pending", STARTING: "running", NOT_STARTED: "pending" };

export function RunsList({ runs }: { runs: Run[] }) {
  return (
    <ul className="runs">
      {runs.map((run) => (
        <li key={run.run_id}>
          <span className={`badge badge-${RUN_STATE[run.status] ?? "pending"}`}>{run.status.toLowerCase()}</span>{" "}
          <a href={run.url} target="_blank" rel="noreferrer">
            {run.steps ? run.steps.join(", ") : "whole onboarding"}
          </a>{" "}
          <span className="muted small">
            {formatDateTime(run.created_at)}
            {run.trigger ? ` · ${run.trigger}` : ""}
            {run.why ? `: ${run.why}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
