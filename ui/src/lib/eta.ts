/** What an onboarding ETA waits for, in the operator's words (the Hub's `bottleneck` / `waits_for`). */
export const BUDGET_LABEL: Record<"cloudflare" | "namecheap" | "letsencrypt" | "machine" | "none", string> = {
  cloudflare: "Cloudflare's request budget",
  machine: "this machine's onboarding pace (sites live in the last hour)",
  namecheap: "Namecheap's request budget",
  letsencrypt: "Let's Encrypt's order limit",
  none: "the vendors' delays only (the zone's activation, the certificate)",
};
