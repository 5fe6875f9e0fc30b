import { useState } from "react";
import { api } from "../api/client";
import { ApiError } from "../api/errors";
import type { RepairRefused } from "../api/types";

/**
 * Repair: re-apply the plan of the drifted sites (named, or every site with open drift). A repair
 * above the guard's threshold is refused with the plan's hash; confirming applies exactly that plan.
 */
export function RepairButton({ sites, label, onDone }: { sites?: string[]; label: string; onDone?: () => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [refused, setRefused] = useState<RepairRefused | null>(null);

  async function run(confirm: string | null) {
    setBusy(true);
    setMessage(null);
    try {
      const out = await api.repair(sites?.length ? { sites, confirm } : { all: true, confirm });
      setRefused(null);
      setMessage(out.detail ?? `Repair plan ${out.plan_hash}: ${out.runs.length} run(s) launched.`);
      onDone?.();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const body = err.body as RepairRefused;
        setRefused(body.needs_confirmation ? body : null);
        setMessage(body.detail);
      } else {
        setMessage(err instanceof Error ? err.message : "The repair could not be started.");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="repair">
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run(null)}>
        {busy ? "Repairing…" : label}
      </button>
      {refused?.plan_hash && (
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void run(refused.plan_hash)}>
          Confirm plan {refused.plan_hash} ({refused.sites_affected ?? "?"} sites)
        </button>
      )}
      {message && (
        <p className="small" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
