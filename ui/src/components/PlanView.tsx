import { useState } from "react";
import { api } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import type { Plan, PlanApplied, PlanRefused } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { sitesToConfirm } from "../lib/plans";

const KINDS = ["create", "update", "delete", "wait"] as const;

/** A plan as the API made it: what would change per layer, every change, and — behind the guard
 * — the confirmation (typing the number of sites it changes) before it is applied. */
export function PlanView({ plan, onReplanned }: { plan: Plan; onReplanned?: (plan: Plan) => void }) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useState<PlanApplied | null>(null);
  const [error, setError] = useState<string | null>(null);
  const affected = plan.summary.sites_affected;
  const mustConfirm = plan.needs_confirmation;
  const countToType = sitesToConfirm(plan);
  const confirmed = !mustConfirm || typed.trim() === String(countToType);

  async function apply() {
    setBusy(true);
    setError(null);
    try {
      setApplied(await api.applyPlan(plan.hash, mustConfirm ? plan.hash : ""));
    } catch (err) {
      setError(errorMessage(err));
      const refused = err instanceof ApiError ? (err.body as PlanRefused | null) : null;
      if (refused?.plan && onReplanned) onReplanned(refused.plan);
    } finally {
      setBusy(false);
    }
  }

  const layers = Object.entries(plan.summary.layers).filter(([, counts]) => KINDS.some((k) => counts[k] > 0));
  return (
    <section className="plan" aria-label={`Plan ${plan.hash}`}>
      <h2>
        Plan <code>{plan.hash}</code>
      </h2>
      <p>
        {plan.action === "decommission" ? `Decommission ${plan.summary.sites} site(s)` : `${affected} of ${plan.summary.sites} site(s) would change`}
        {plan.summary.sites_waiting ? `, ${plan.summary.sites_waiting} wait` : ""}
        {plan.summary.errors ? `, ${plan.summary.errors} could not be observed` : ""}. Made by {plan.created_by} at {formatDateTime(plan.created_at)}.
      </p>
      {layers.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Changes per layer</caption>
            <thead>
              <tr>
                <th scope="col">Layer</th>
                {KINDS.map((k) => (
                  <th scope="col" key={k}>
                    {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {layers.map(([layer, counts]) => (
                <tr key={layer}>
                  <th scope="row">{layer}</th>
                  {KINDS.map((k) => (
                    <td key={k}>{counts[k]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {plan.changes.length === 0 && plan.errors.length === 0 ? (
        <p className="muted">Nothing to change: every selected site is as it should be.</p>
      ) : (
        <div className="table-wrap">
          <table className="table plan-changes">
            <caption className="visually-hidden">Every change</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Layer</th>
                <th scope="col">Change</th>
                <th scope="col">Target</th>
                <th scope="col">Now</th>
                <th scope="col">After</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {plan.changes.map((c, i) => (
                <tr key={i} data-kind={c.kind}>
                  <td>{c.domain}</td>
                  <td>{c.layer}</td>
                  <td>
                    <span className={`badge badge-${c.kind === "delete" ? "failed" : c.kind === "wait" ? "waiting" : "running"}`}>{c.kind}</span>
                  </td>
                  <td>{c.target}</td>
                  <td className="small">{c.before ?? "—"}</td>
                  <td className="small">{c.after ?? "—"}</td>
                  <td className="small">{c.reason}</td>
                </tr>
              ))}
              {plan.errors.map((e, i) => (
                <tr key={`e${i}`} data-kind="error">
                  <td>{e.domain}</td>
                  <td>{e.layer}</td>
                  <td>
                    <span className="badge badge-failed">not observed</span>
                  </td>
                  <td colSpan={4} className="error-text">
                    {e.error}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {applied ? (
        <div role="status" className="bulk-outcome">
          <p>
            Applied plan {applied.hash}: {applied.runs.length} run{applied.runs.length === 1 ? "" : "s"} launched.
          </p>
          <ul>
            {applied.runs.map((run) => (
              <li key={run.run_id}>
                <a href={run.url} target="_blank" rel="noreferrer">
                  {run.domain}
                </a>{" "}
                <span className="muted small">{run.steps.join(", ")}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        (affected > 0 || plan.action === "decommission") &&
        !plan.applied_at && (
          <div className="apply-bar">
            {mustConfirm && (
              <label>
                This changes more sites than the guard allows without confirmation ({plan.guard_limit}). Type{" "}
                <strong>{countToType}</strong> to confirm
                <input name="confirm" inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
              </label>
            )}
            <button type="button" className={`btn ${plan.action === "decommission" ? "btn-danger" : "btn-primary"}`} disabled={busy || !confirmed} onClick={apply}>
              {busy ? "Applying…" : plan.action === "decommission" ? "Decommission" : "Apply this plan"}
            </button>
          </div>
        )
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
