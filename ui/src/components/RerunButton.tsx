import { useState } from "react";
import { api } from "../api/client";
import { errorMessage } from "../api/errors";
import type { AssetStep, RunLaunched } from "../api/types";

/** Launch one step (or, with step null, the whole onboarding) for one site as a Dagster run. */
export function RerunButton({ domain, step, label, onLaunched }: { domain: string; step: AssetStep | null; label: string; onLaunched?: () => void }) {
  const [busy, setBusy] = useState(false);
  const [launched, setLaunched] = useState<RunLaunched | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function launch() {
    setBusy(true);
    setError(null);
    setLaunched(null);
    try {
      setLaunched(await api.launchRun(domain, step));
      onLaunched?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="rerun">
      <button type="button" className="btn btn-small" onClick={launch} disabled={busy}>
        {busy ? "Launching…" : label}
      </button>
      <span aria-live="polite">
        {launched && (
          <a href={launched.url} target="_blank" rel="noreferrer" className="small">
            Run launched — view in Dagster
          </a>
        )}
        {error && (
          <span className="error-text small" role="alert">
            {error}
          </span>
        )}
      </span>
    </div>
  );
}
