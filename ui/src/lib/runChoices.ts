import type { AssetStep } from "../api/types";

/** What an operator can re-run: the whole onboarding ("") or one asset. */
export const RUN_CHOICES: { value: AssetStep | ""; label: string }[] = [
  { value: "", label: "Whole onboarding" },
  { value: "dns_zone", label: "DNS zone" },
  { value: "hosting_site", label: "Hosting" },
  { value: "matomo_site", label: "Matomo" },
  { value: "gsc_property", label: "Search Console" },
  { value: "site_content", label: "Content" },
  { value: "site_build", label: "Build" },
  { value: "site_deployment", label: "Deployment" },
];
