import type { Site, SiteChanges } from "../api/types";
import { filterSites, sortSites, type SiteFilter, type SortDir, type SortKey } from "./siteQuery";

/** What the sites page shows: one page of the server's sorted, filtered list. */
export interface PageView {
  rows: Site[];
  filter: SiteFilter;
  sort: SortKey;
  dir: SortDir;
  /** The page is the first one (a site sorting before every row belongs on it). */
  first: boolean;
  /** The page is full (a site sorting after every row belongs on a later page). */
  full: boolean;
}

/**
 * Apply what changed to the page shown: rows that changed in place are patched; when a change
 * can move rows in or out of the page (a new site that sorts into it, a row that no longer
 * matches the filters or sorts elsewhere, a deletion, more changes than one answer holds),
 * `reload` says to fetch the page again.
 */
export function applyChanges(view: PageView, changes: SiteChanges): { rows: Site[]; reload: boolean } {
  if (changes.more) return { rows: view.rows, reload: true };
  const deleted = new Set(changes.deleted);
  if (view.rows.some((row) => deleted.has(row.domain))) return { rows: view.rows, reload: true };
  const byId = new Map(view.rows.map((row, index) => [row.id, index]));
  const rows = [...view.rows];
  let reload = false;
  for (const site of changes.changed) {
    const index = byId.get(site.id);
    const matches = filterSites([site], view.filter).length === 1;
    if (index !== undefined) {
      if (!matches || sortValueChanged(rows[index], site, view.sort)) reload = true;
      rows[index] = site;
    } else if (matches && sortsIntoPage(view, site)) {
      reload = true;
    }
  }
  return { rows, reload };
}

function sortValueChanged(before: Site, after: Site, sort: SortKey): boolean {
  return sortKey(before, sort) !== sortKey(after, sort);
}

function sortKey(site: Site, sort: SortKey): string {
  switch (sort) {
    case "domain":
      return site.domain;
    case "brand":
      return site.brand_name ?? "";
    case "account":
      return site.cloudflare_account;
    case "status":
      return site.state;
    case "created":
      return site.created_at;
  }
}

function sortsIntoPage(view: PageView, site: Site): boolean {
  if (view.rows.length === 0) return true;
  const sorted = sortSites([...view.rows, site], view.sort, view.dir);
  const at = sorted.indexOf(site);
  if (at === 0) return view.first;
  if (at === sorted.length - 1) return !view.full;
  return true;
}
