import type { CloudflareAccount, GoogleAccount } from "../api/types";
import type { SiteFilter } from "../lib/siteQuery";
import { SITE_STATE_LABEL, type SiteState } from "../lib/steps";

interface Props {
  filter: SiteFilter;
  onChange: (filter: SiteFilter) => void;
  cloudflare: CloudflareAccount[];
  google: GoogleAccount[];
}

export function SiteFilters({ filter, onChange, cloudflare, google }: Props) {
  return (
    <div className="filters" role="search">
      <label>
        Search
        <input
          type="search"
          placeholder="Domain or brand"
          value={filter.search}
          onChange={(e) => onChange({ ...filter, search: e.target.value })}
        />
      </label>
      <label>
        Status
        <select value={filter.status} onChange={(e) => onChange({ ...filter, status: e.target.value as SiteState | "" })}>
          <option value="">Any status</option>
          {(Object.keys(SITE_STATE_LABEL) as SiteState[]).map((state) => (
            <option key={state} value={state}>
              {SITE_STATE_LABEL[state]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Account
        <select value={filter.account} onChange={(e) => onChange({ ...filter, account: e.target.value })}>
          <option value="">Any account</option>
          {cloudflare.length > 0 && (
            <optgroup label="Cloudflare">
              {cloudflare.map((a) => (
                <option key={a.id} value={`cf:${a.id}`}>
                  {a.account_nickname}
                </option>
              ))}
            </optgroup>
          )}
          {google.length > 0 && (
            <optgroup label="Google">
              {google.map((a) => (
                <option key={a.id} value={`g:${a.id}`}>
                  {a.email}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
    </div>
  );
}
