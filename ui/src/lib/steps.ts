import type { AssetStep, Site, SiteStep, StepStatus } from "../api/types";

/** How a step stands, in the UI's words; `raw` is the API's own status value. */
export type StepState = "pending" | "running" | "waiting" | "done" | "failed";

export interface StepInfo {
  key: string;
  label: string;
  /** For tight spots (the fleet table). */
  short: string;
  /** The asset a re-run materialises. */
  asset: AssetStep;
  /** error_step / event step names that belong to this step. */
  errorSteps: string[];
  raw: (site: Site) => StepStatus;
}

const matomoRaw = (site: Site): StepStatus =>
  site.error_step === "matomo_site" ? "failed" : site.matomo_site_id !== null ? "active" : "pending";

export const STEPS: StepInfo[] = [
  { key: "dns", label: "DNS", short: "DNS", asset: "dns_zone", errorSteps: ["status_dns", "dns_zone"], raw: (s) => s.status_dns },
  { key: "hosting", label: "Hosting", short: "Host", asset: "hosting_site", errorSteps: ["status_hosting", "hosting_site"], raw: (s) => s.status_hosting },
  { key: "matomo", label: "Matomo", short: "Matomo", asset: "matomo_site", errorSteps: ["matomo_site", "matomo_site_id"], raw: matomoRaw },
  {
    key: "gsc",
    label: "Search Console",
    short: "GSC",
    asset: "gsc_property",
    errorSteps: ["gsc_verification_status", "gsc_property"],
    raw: (s) => s.gsc_verification_status,
  },
  { key: "content", label: "Content", short: "Content", asset: "site_content", errorSteps: ["status_content", "site_content"], raw: (s) => s.status_content },
  {
    key: "deployment",
    label: "Deployment",
    short: "Deploy",
    asset: "site_deployment",
    errorSteps: ["status_deployment", "site_build", "site_deployment"],
    raw: (s) => s.status_deployment,
  },
];

// Every status the API can send, mapped: a new status in the API is a type error here until the
// UI says how it shows it (rather than silently showing it as pending).
const STATE_OF: Record<StepStatus, StepState> = {
  pending: "pending",
  generating: "running",
  deploying: "running",
  active: "done",
  verified: "done",
  generated: "done",
  deployed: "done",
  failed: "failed",
};

export function stepState(raw: string): StepState {
  return (STATE_OF as Record<string, StepState | undefined>)[raw] ?? "pending";
}

/** The step's own record (state, what it waits for, its last error), if it has run. */
export function stepRecord(step: StepInfo, site: Site): SiteStep | undefined {
  return (site.steps ?? []).find((s) => s.step === step.asset);
}

/** The step's state: its own record first (failed, waiting, running), else its status column. */
export function stateOf(step: StepInfo, site: Site): StepState {
  const record = stepRecord(step, site);
  if (record?.state === "failed") return "failed";
  if (record?.state === "waiting") return "waiting";
  if (record?.state === "running") return "running";
  if (!record && site.error_step && step.errorSteps.includes(site.error_step)) return "failed";
  return stepState(step.raw(site));
}

/** The error of this step alone (each step keeps its own; a later error elsewhere never hides it). */
export function stepError(step: StepInfo, site: Site): string | null {
  const record = stepRecord(step, site);
  if (record) return record.last_error ?? null;
  return site.error_step && step.errorSteps.includes(site.error_step) ? site.error_message : null;
}

/** The site as a whole: failed if any step failed, live when all are done. */
export type SiteState = "failed" | "onboarding" | "pending" | "live";

export function siteState(site: Site): SiteState {
  const states = STEPS.map((step) => stateOf(step, site));
  if (states.includes("failed") || site.error_message) return "failed";
  if (states.every((s) => s === "done")) return "live";
  if (states.every((s) => s === "pending")) return "pending";
  return "onboarding";
}

/** Whether statuses may still change on their own (worth polling). */
export function isSettling(site: Site): boolean {
  const state = siteState(site);
  return state === "onboarding" || state === "pending";
}

export function failedStep(site: Site): StepInfo | undefined {
  return STEPS.find((step) => stateOf(step, site) === "failed");
}

export const SITE_STATE_LABEL: Record<SiteState, string> = {
  failed: "Failed",
  onboarding: "Onboarding",
  pending: "Pending",
  live: "Live",
};
