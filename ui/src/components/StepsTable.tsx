import type { AssetStep, Site, SiteEvent } from "../api/types";
import { formatDateTime } from "../lib/dates";
import { STEPS, stateOf, stepError, stepRecord } from "../lib/steps";
import { RerunButton } from "./RerunButton";
import { StatusBadge } from "./StatusBadge";

/** Every onboarding step: state, when it last changed, its error, and a re-run button. */
export function StepsTable({ site, events, onLaunched }: { site: Site; events: SiteEvent[]; onLaunched: () => void }) {
  return (
    <div className="table-wrap">
      <table className="table steps-table">
        <caption className="visually-hidden">Onboarding steps of {site.domain}</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Last change</th>
            <th scope="col">Detail</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {STEPS.map((step) => {
            const state = stateOf(step, site);
            const last = events.find((e) => step.errorSteps.includes(e.step));
            const error = stepError(step, site);
            const record = stepRecord(step, site);
            const waiting =
              state === "waiting" && record?.waiting_for
                ? `waiting for ${record.waiting_for}` +
                  (record.waiting_since ? ` since ${formatDateTime(record.waiting_since)}` : "") +
                  (record.next_check_at ? `; next check ${formatDateTime(record.next_check_at)}` : "")
                : null;
            return (
              <tr key={step.key} data-step={step.key}>
                <th scope="row">{step.label}</th>
                <td>
                  <StatusBadge state={state} raw={state === "failed" ? "failed" : step.raw(site)} />
                </td>
                <td className="small">{last ? formatDateTime(last.at) : <span className="muted">—</span>}</td>
                <td className="col-error">
                  {error ? (
                    <span className="error-text">{error}</span>
                  ) : waiting ? (
                    <span className="waiting-text">{waiting}</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <RerunButton domain={site.domain} step={step.asset as AssetStep} label={`Re-run ${step.label}`} onLaunched={onLaunched} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
