import { useState } from "react";
import { api } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import type { AssetStep, BulkRunResult, PlanRefused } from "../api/types";
import { sitesToConfirm } from "../lib/plans";
import { RUN_CHOICES } from "../lib/runChoices";

/** Re-run one step (or the whole onboarding) for every selected site: one Dagster run per site. */
export function BulkRunBar({ selected, onClear }: { selected: string[]; onClear: () => void }) {
  const [step, setStep] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BulkRunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Above the guard the API answers 409 with the plan: the operator confirms by typing how many
  // sites it changes, then the same request goes again with the plan's hash.
  const [refused, setRefused] = useState<PlanRefused | null>(null);
  const [typed, setTyped] = useState("");

  async function launch(confirm?: string) {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.launchRuns(selected, (step || null) as AssetStep | null, confirm));
      setRefused(null);
      setTyped("");
    } catch (err) {
      const body = err instanceof ApiError && err.status === 409 ? (err.body as PlanRefused | null) : null;
      if (body?.plan) setRefused(body);
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="bulkbar" role="region" aria-label="Selected sites">
      <strong>{selected.length} selected</strong>
      <label>
        Re-run
        <select value={step} onChange={(e) => setStep(e.target.value)}>
          {RUN_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-primary" onClick={() => launch()} disabled={busy || selected.length === 0}>
        {busy ? "Launching…" : `Re-run for ${selected.length} site${selected.length === 1 ? "" : "s"}`}
      </button>
      <button type="button" className="btn" onClick={onClear}>
        Clear selection
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {refused?.plan && (
        <div className="guard" role="alert">
          <p>{refused.detail}</p>
          <label>
            Type <strong>{sitesToConfirm(refused.plan)}</strong> to re-run anyway
            <input name="confirm" inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </label>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || typed.trim() !== String(sitesToConfirm(refused.plan))}
            onClick={() => launch(refused.plan!.hash)}
          >
            Confirm plan {refused.plan.hash}
          </button>
        </div>
      )}
      {result && <BulkRunOutcome result={result} />}
    </div>
  );
}

function BulkRunOutcome({ result }: { result: BulkRunResult }) {
  return (
    <div className="bulk-outcome" role="status">
      <p>
        Launched {result.launched.length} run{result.launched.length === 1 ? "" : "s"}
        {result.errors.length ? `; ${result.errors.length} not launched` : ""}.
      </p>
      {result.errors.length > 0 && (
        <ul className="error-list">
          {result.errors.map((e) => (
            <li key={e.site}>
              <strong>{e.site}</strong>: <span className="error-text">{e.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {result.launched.length > 0 && (
        <details>
          <summary>Runs in Dagster</summary>
          <ul>
            {result.launched.map((run) => (
              <li key={run.run_id}>
                <a href={run.url} target="_blank" rel="noreferrer">
                  {run.domain}
                </a>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
