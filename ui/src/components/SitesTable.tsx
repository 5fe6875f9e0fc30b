import { useLayoutEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { Site } from "../api/types";
import { failedStep } from "../lib/steps";
import type { SortDir, SortKey } from "../lib/siteQuery";
import { SortHeader } from "./SortHeader";
import { StepBadges } from "./StepBadges";

interface Props {
  sites: Site[];
  selected: Set<string>;
  onToggle: (domain: string) => void;
  onToggleAll: (domains: string[], select: boolean) => void;
  sort: SortKey;
  dir: SortDir;
  onSort: (key: SortKey) => void;
}

/** A row's height before any is measured (px). */
export const ROW_HEIGHT = 58;
/** Rows rendered beyond the visible ones, above and below. */
const OVERSCAN = 8;
/** The visible height assumed before layout (and where there is none, as in tests). */
const FALLBACK_HEIGHT = 900;

/** Which rows to render: the visible ones and a few around them. */
export function visibleRange(count: number, scrollTop: number, height: number, rowHeight: number): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + (height || FALLBACK_HEIGHT)) / rowHeight) + OVERSCAN);
  return [first, last];
}

/** The page of sites, virtualized: only the rows in view are in the document. */
export function SitesTable({ sites, selected, onToggle, onToggleAll, sort, dir, onSort }: Props) {
  const domains = sites.map((s) => s.domain);
  const allSelected = domains.length > 0 && domains.every((d) => selected.has(d));
  const header = { sort, dir, onSort };
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT);
  const [first, last] = visibleRange(sites.length, scrollTop, height, rowHeight);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight);
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, []);
  useLayoutEffect(() => {
    // Rows are as tall as their content: measure the rendered ones for the spacers.
    const rendered = body.current?.querySelectorAll<HTMLTableRowElement>("tr[data-domain]");
    if (!rendered || rendered.length === 0) return;
    let total = 0;
    rendered.forEach((row) => (total += row.getBoundingClientRect().height));
    const measured = total / rendered.length;
    if (measured > 0 && Math.abs(measured - rowHeight) > 1) setRowHeight(measured);
  }, [first, last, sites, rowHeight]);

  return (
    <div className="table-wrap table-virtual" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <table className="table sites-table">
        <caption className="visually-hidden">Sites of the fleet with the status of each onboarding step</caption>
        <thead>
          <tr>
            <th scope="col" className="col-select">
              <input
                type="checkbox"
                aria-label="Select all sites on this page"
                checked={allSelected}
                onChange={() => onToggleAll(domains, !allSelected)}
              />
            </th>
            <SortHeader column="domain" {...header}>
              Domain
            </SortHeader>
            <SortHeader column="account" {...header} className="col-account">
              Account
            </SortHeader>
            <SortHeader column="status" {...header}>
              Steps
            </SortHeader>
            <th scope="col">Last error</th>
            <SortHeader column="created" {...header} className="col-created">
              Added
            </SortHeader>
          </tr>
        </thead>
        <tbody ref={body}>
          {first > 0 && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={6} style={{ height: first * rowHeight }} />
            </tr>
          )}
          {sites.slice(first, last).map((site) => (
            <SiteRow key={site.id} site={site} checked={selected.has(site.domain)} onToggle={onToggle} />
          ))}
          {last < sites.length && (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={6} style={{ height: (sites.length - last) * rowHeight }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function SiteRow({ site, checked, onToggle }: { site: Site; checked: boolean; onToggle: (domain: string) => void }) {
  const failed = failedStep(site);
  return (
    <tr data-domain={site.domain} className={failed ? "row-failed" : undefined}>
      <td className="col-select">
        <input type="checkbox" aria-label={`Select ${site.domain}`} checked={checked} onChange={() => onToggle(site.domain)} />
      </td>
      <td>
        <Link to={`/sites/${encodeURIComponent(site.domain)}`} className="domain-link">
          {site.domain}
        </Link>
        {site.brand_name && <div className="muted small">{site.brand_name}</div>}
      </td>
      <td className="col-account">
        <div>{site.cloudflare_account}</div>
        {site.gsc_account && <div className="muted small">{site.gsc_account}</div>}
      </td>
      <td>
        <StepBadges site={site} />
      </td>
      <td className="col-error">
        {site.error_message ? (
          <span className="error-text">
            {failed && <strong>{failed.label}: </strong>}
            {site.error_message}
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="col-created small">{new Date(site.created_at).toLocaleDateString()}</td>
    </tr>
  );
}
