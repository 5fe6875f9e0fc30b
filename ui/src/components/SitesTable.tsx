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

export function SitesTable({ sites, selected, onToggle, onToggleAll, sort, dir, onSort }: Props) {
  const domains = sites.map((s) => s.domain);
  const allSelected = domains.length > 0 && domains.every((d) => selected.has(d));
  const header = { sort, dir, onSort };
  return (
    <div className="table-wrap">
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
        <tbody>
          {sites.map((site) => (
            <SiteRow key={site.id} site={site} checked={selected.has(site.domain)} onToggle={onToggle} />
          ))}
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
