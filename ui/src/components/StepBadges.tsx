import type { Site } from "../api/types";
import { STEPS, stateOf } from "../lib/steps";
import { StatusBadge } from "./StatusBadge";

/** A table cell's worth of badges: one per onboarding step, in order. */
export function StepBadges({ site }: { site: Site }) {
  return (
    <ul className="step-badges" aria-label={`Steps of ${site.domain}`}>
      {STEPS.map((step) => {
        const state = stateOf(step, site);
        return (
          <li key={step.key} data-step={step.key}>
            <span className="step-name" aria-hidden="true" title={step.label}>
              {step.short}
            </span>
            <StatusBadge state={state} raw={state === "failed" ? "failed" : step.raw(site)} label={step.label} />
          </li>
        );
      })}
    </ul>
  );
}
