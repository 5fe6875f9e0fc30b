import type { Plan } from "../api/types";

/** The number an operator types to confirm a plan above the guard: the sites it touches — those
 * it changes and those it could not observe (what it would do there is unknown); a
 * decommission touches every selected site. */
export function sitesToConfirm(plan: Plan): number {
  if (plan.action === "decommission") return plan.summary.sites;
  return plan.summary.sites_affected + (plan.summary.sites_unobserved ?? 0);
}
