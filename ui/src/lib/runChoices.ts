import type { AssetStep } from "../api/types";

// One label per asset the API can run, in onboarding order (a new asset in the API is a type
// error here until it has a label).
const LABELS: Record<AssetStep, string> = {
  dns_zone: "DNS zone",
  hosting_site: "Hosting",
  matomo_site: "Matomo",
  gsc_property: "Search Console",
  site_content: "Content",
  site_build: "Build",
  site_deployment: "Deployment",
};

/** What an operator can re-run: the whole onboarding ("") or one asset. */
export const RUN_CHOICES: { value: AssetStep | ""; label: string }[] = [
  { value: "", label: "Whole onboarding" },
  ...(Object.entries(LABELS) as [AssetStep, string][]).map(([value, label]) => ({ value, label })),
];
