import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import { errorMessage } from "../api/errors";
import type { Plan, PlanLayer, PlanRequest } from "../api/types";
import { PlanView } from "../components/PlanView";

const LAYERS: PlanLayer[] = ["dns", "hosting", "matomo", "search_console", "content", "build", "deploy"];
type Scope = "sites" | "all" | "failed-dns" | "account";

/** Plan a change across the fleet (read-only), review every change, then apply it behind the guard. */
export function PlansPage() {
  const [params] = useSearchParams();
  const decommission = params.get("action") === "decommission";
  const [scope, setScope] = useState<Scope>(params.get("sites") ? "sites" : "all");
  const [sites, setSites] = useState(params.get("sites") ?? "");
  const [account, setAccount] = useState("");
  const [layers, setLayers] = useState<PlanLayer[]>(decommission ? [] : LAYERS);
  const [options, setOptions] = useState({ keep_dns: false, keep_analytics: false, reset_nameservers: false });
  const [plan, setPlan] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setPlan(null);
    const body: PlanRequest = {
      sites: scope === "sites" ? sites.split(/[\s,]+/).filter(Boolean) : [],
      all: scope === "all",
      status: scope === "failed-dns" ? { status_dns: "failed" } : {},
      account: scope === "account" ? account : null,
      layers: decommission ? LAYERS : layers,
      action: decommission ? "decommission" : "apply",
      ...(decommission ? options : {}),
    };
    try {
      setPlan(await api.createPlan(body));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <h1>{decommission ? "Decommission sites" : "Plan a change"}</h1>
      <p className="muted">
        {decommission
          ? "Onboarding in reverse: the site is taken offline (its last release archived), then its CloudPanel site, Matomo site, Search Console property and Cloudflare zone are removed. Its row and analytics stay."
          : "What the next run of each layer would change, for the sites you pick. Nothing is written at any vendor until you apply it."}
      </p>
      <form className="plan-form" onSubmit={submit} aria-label="Plan">
        <fieldset>
          <legend>Sites</legend>
          {(["all", "sites", "failed-dns", "account"] as Scope[]).map((value) => (
            <label key={value} className="inline">
              <input type="radio" name="scope" value={value} checked={scope === value} onChange={() => setScope(value)} />
              {{ all: "Every site", sites: "These domains", "failed-dns": "Sites whose DNS failed", account: "One Cloudflare account" }[value]}
            </label>
          ))}
          {scope === "sites" && (
            <label>
              Domains (comma or space separated)
              <textarea name="sites" rows={2} value={sites} onChange={(e) => setSites(e.target.value)} />
            </label>
          )}
          {scope === "account" && (
            <label>
              Account nickname or email
              <input name="account" value={account} onChange={(e) => setAccount(e.target.value)} />
            </label>
          )}
        </fieldset>
        {decommission ? (
          <fieldset>
            <legend>Keep</legend>
            <label className="inline">
              <input type="checkbox" checked={options.keep_dns} onChange={(e) => setOptions({ ...options, keep_dns: e.target.checked })} />
              the Cloudflare zone
            </label>
            <label className="inline">
              <input type="checkbox" checked={options.keep_analytics} onChange={(e) => setOptions({ ...options, keep_analytics: e.target.checked })} />
              the Matomo site and its data
            </label>
            <label className="inline">
              <input type="checkbox" checked={options.reset_nameservers} onChange={(e) => setOptions({ ...options, reset_nameservers: e.target.checked })} />
              point the registrar back at its own name servers
            </label>
          </fieldset>
        ) : (
          <fieldset>
            <legend>Layers</legend>
            {LAYERS.map((layer) => (
              <label key={layer} className="inline">
                <input
                  type="checkbox"
                  checked={layers.includes(layer)}
                  onChange={(e) => setLayers(e.target.checked ? [...layers, layer] : layers.filter((l) => l !== layer))}
                />
                {layer}
              </label>
            ))}
          </fieldset>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Planning…" : "Make the plan"}
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {plan && <PlanView plan={plan} onReplanned={setPlan} />}
    </div>
  );
}
