import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import type { Site } from "../api/types";
import { AddSiteForm } from "../components/AddSiteForm";
import { BulkRunBar } from "../components/BulkRunBar";
import { CsvImport } from "../components/CsvImport";
import { Pagination } from "../components/Pagination";
import { SiteFilters } from "../components/SiteFilters";
import { SitesTable } from "../components/SitesTable";
import { Empty, ErrorBox, Loading } from "../components/States";
import { filterSites, sortSites, type SiteFilter, type SortDir, type SortKey } from "../lib/siteQuery";
import { isSettling, siteState, type SiteState } from "../lib/steps";

export const PAGE_SIZE = 50;
const POLL_MS = 5000;
const SORT_KEYS: SortKey[] = ["domain", "brand", "account", "status", "created"];

type Panel = "none" | "add" | "import";

export function SitesPage() {
  const [params, setParams] = useSearchParams();
  const [panel, setPanel] = useState<Panel>("none");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [flash, setFlash] = useState<string | null>(null);

  const sites = useApi(() => api.allSites(), [], {
    pollMs: POLL_MS,
    // Statuses change while onboarding runs: refresh then; a settled fleet is refreshed rarely.
    shouldPoll: (data) => !data || data.some(isSettling),
  });
  const accounts = useApi(() => Promise.all([api.cloudflareAccounts(), api.googleAccounts()]), []);
  const cloudflare = accounts.data?.[0].items ?? [];
  const google = accounts.data?.[1].items ?? [];

  const filter: SiteFilter = {
    search: params.get("q") ?? "",
    status: (params.get("status") ?? "") as SiteState | "",
    account: params.get("account") ?? "",
  };
  const sortParam = params.get("sort") as SortKey | null;
  const sort: SortKey = sortParam && SORT_KEYS.includes(sortParam) ? sortParam : "created";
  const dir: SortDir = params.get("dir") === "asc" ? "asc" : params.get("dir") === "desc" ? "desc" : sort === "created" ? "desc" : "asc";
  const page = Math.max(0, Number(params.get("page") ?? "0") || 0);

  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  }

  const shown = useMemo(
    () => sortSites(filterSites(sites.data ?? [], filter), sort, dir),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sites.data, filter.search, filter.status, filter.account, sort, dir],
  );
  const pageCount = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const safePage = Math.min(page, pageCount - 1);
  const pageRows = shown.slice(safePage * PAGE_SIZE, (safePage + 1) * PAGE_SIZE);
  const counts = useMemo(() => countStates(sites.data ?? []), [sites.data]);

  function toggle(domain: string) {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(domain)) next.delete(domain);
      else next.add(domain);
      return next;
    });
  }
  function toggleAll(domains: string[], select: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      domains.forEach((d) => (select ? next.add(d) : next.delete(d)));
      return next;
    });
  }
  function onSort(key: SortKey) {
    update({ sort: key, dir: key === sort && dir === "asc" ? "desc" : "asc" });
  }
  function created(site: Site) {
    setFlash(`Added ${site.domain}; its onboarding starts shortly.`);
    setPanel("none");
    sites.reload();
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>Sites</h1>
        <p className="muted summary" aria-live="polite">
          {sites.data && `${sites.data.length} site${sites.data.length === 1 ? "" : "s"} · ${counts.live} live · ${counts.onboarding + counts.pending} onboarding · ${counts.failed} failed`}
        </p>
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => { setFlash(null); setPanel(panel === "add" ? "none" : "add"); }} aria-expanded={panel === "add"}>
            Add site
          </button>
          <button type="button" className="btn" onClick={() => { setFlash(null); setPanel(panel === "import" ? "none" : "import"); }} aria-expanded={panel === "import"}>
            Import CSV
          </button>
        </div>
      </div>
      {flash && (
        <p className="success" role="status">
          {flash}
        </p>
      )}
      {panel === "add" && <AddSiteForm cloudflare={cloudflare} google={google} onCreated={created} onCancel={() => setPanel("none")} />}
      {panel === "import" && <CsvImport onImported={() => sites.reload()} onCancel={() => setPanel("none")} />}
      {accounts.error ? <ErrorBox error={accounts.error} title="Accounts could not be loaded" onRetry={accounts.reload} /> : null}

      <SiteFilters filter={filter} onChange={(f) => update({ q: f.search, status: f.status, account: f.account })} cloudflare={cloudflare} google={google} />
      {selected.size > 0 && <BulkRunBar selected={[...selected]} onClear={() => setSelected(new Set())} />}

      {sites.error && !sites.data ? (
        <ErrorBox error={sites.error} title="Sites could not be loaded" onRetry={sites.reload} />
      ) : !sites.data ? (
        <Loading label="Loading sites…" />
      ) : sites.data.length === 0 ? (
        <Empty>No sites yet. Add one, or import a CSV of domains.</Empty>
      ) : shown.length === 0 ? (
        <Empty>No site matches these filters.</Empty>
      ) : (
        <>
          {sites.error ? <ErrorBox error={sites.error} title="Refresh failed; showing the last statuses" /> : null}
          <SitesTable sites={pageRows} selected={selected} onToggle={toggle} onToggleAll={toggleAll} sort={sort} dir={dir} onSort={onSort} />
          <Pagination page={safePage} pageSize={PAGE_SIZE} total={shown.length} onPage={(p) => update({ page: String(p) })} label="Sites" />
        </>
      )}
    </div>
  );
}

function countStates(sites: Site[]): Record<SiteState, number> {
  const counts: Record<SiteState, number> = { failed: 0, onboarding: 0, pending: 0, live: 0 };
  sites.forEach((site) => counts[siteState(site)]++);
  return counts;
}
