import type { Site } from "../api/types";
import type { SiteState } from "./steps";

export type SortKey = "domain" | "brand" | "account" | "status" | "created";
export type SortDir = "asc" | "desc";

export interface SiteFilter {
  search: string;
  status: SiteState | "";
  /** "cf:<id>" for a Cloudflare account, "g:<id>" for a Google account, "" for any. */
  account: string;
}

/** Whether a site matches the filters (as the API's list does). */
export function filterSites(sites: Site[], filter: SiteFilter): Site[] {
  const needle = filter.search.trim().toLowerCase();
  return sites.filter((site) => {
    if (needle && !site.domain.includes(needle) && !(site.brand_name ?? "").toLowerCase().includes(needle)) return false;
    if (filter.status && site.state !== filter.status) return false;
    if (site.decommissioned_at) return false;
    if (filter.account.startsWith("cf:") && site.cloudflare_account_id !== filter.account.slice(3)) return false;
    if (filter.account.startsWith("g:") && site.gsc_account_id !== filter.account.slice(2)) return false;
    return true;
  });
}

const STATE_ORDER: Record<SiteState, number> = { failed: 0, onboarding: 1, pending: 2, live: 3 };

function sortValue(site: Site, key: SortKey): string | number {
  switch (key) {
    case "domain":
      return site.domain;
    case "brand":
      return (site.brand_name ?? "").toLowerCase();
    case "account":
      return site.cloudflare_account.toLowerCase();
    case "status":
      return STATE_ORDER[site.state];
    case "created":
      return site.created_at;
  }
}

export function sortSites(sites: Site[], key: SortKey, dir: SortDir): Site[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...sites].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0;
  });
}
