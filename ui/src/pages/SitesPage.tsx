import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import type { Site, SitesQuery, SiteSummary } from "../api/types";
import { AddSiteForm } from "../components/AddSiteForm";
import { BulkRunBar } from "../components/BulkRunBar";
import { CsvImport } from "../components/CsvImport";
import { Pagination } from "../components/Pagination";
import { SiteFilters } from "../components/SiteFilters";
import { SitesTable } from "../components/SitesTable";
import { Empty, ErrorBox, Loading } from "../components/States";
import { applyChanges, type PageView } from "../lib/siteChanges";
import type { SiteFilter, SortDir, SortKey } from "../lib/siteQuery";
import type { SiteState } from "../lib/steps";
import { useSiteChanges } from "../lib/useSiteChanges";
import { BUDGET_LABEL } from "../lib/eta";

/** Rows per page fetched from the Hub (only the visible ones are rendered). */
export const PAGE_SIZE = 100;
const SEARCH_DELAY_MS = 200;
const SORT_KEYS: SortKey[] = ["domain", "brand", "account", "status", "created"];

type Panel = "none" | "add" | "import";

function pageQuery(filter: SiteFilter, sort: SortKey, dir: SortDir, page: number): SitesQuery {
  const query: SitesQuery = { sort, dir, limit: PAGE_SIZE, offset: page * PAGE_SIZE };
  if (filter.search.trim()) query.search = filter.search.trim();
  if (filter.status) query.state = filter.status;
  if (filter.account.startsWith("cf:")) query.cloudflare_account_id = filter.account.slice(3);
  if (filter.account.startsWith("g:")) query.gsc_account_id = filter.account.slice(2);
  return query;
}

export function SitesPage({ pollMs }: { pollMs?: number } = {}) {
  const [params, setParams] = useSearchParams();
  const [panel, setPanel] = useState<Panel>("none");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [flash, setFlash] = useState<string | null>(null);

  const filter: SiteFilter = {
    search: params.get("q") ?? "",
    status: (params.get("status") ?? "") as SiteState | "",
    account: params.get("account") ?? "",
  };
  const sortParam = params.get("sort") as SortKey | null;
  const sort: SortKey = sortParam && SORT_KEYS.includes(sortParam) ? sortParam : "created";
  const dir: SortDir = params.get("dir") === "asc" ? "asc" : params.get("dir") === "desc" ? "desc" : sort === "created" ? "desc" : "asc";
  const page = Math.max(0, Number(params.get("page") ?? "0") || 0);

  // The search box answers at once; the server is asked once typing pauses.
  const [searchText, setSearchText] = useState(filter.search);
  useEffect(() => setSearchText(filter.search), [filter.search]);
  useEffect(() => {
    if (searchText === filter.search) return;
    const timer = window.setTimeout(() => update({ q: searchText }), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchText]);

  // Rows as last fetched, patched in place by the changes feed.
  const [rows, setRows] = useState<Site[] | undefined>();
  const [counts, setCounts] = useState<SiteSummary | undefined>();
  const view = useRef<PageView | { rows: undefined }>({ rows: undefined });
  const reloadSites = useRef<() => void>(() => undefined);

  const query = pageQuery(filter, sort, dir, page);
  const key = JSON.stringify(query);
  // The changes cursor is taken before the page is read, so nothing changed in between is missed.
  const changes = useSiteChanges((answer) => {
    if (answer.summary) setCounts(answer.summary);
    const current = view.current;
    if (!current.rows) return;
    const applied = applyChanges(current, answer);
    setRows(applied.rows);
    if (applied.reload) reloadSites.current();
  }, pollMs);
  const sites = useApi(async () => {
    const { cursor } = await api.siteChanges(null);
    const answer = await api.sitesPage(query);
    changes.since(cursor);
    return answer;
  }, [key]);
  const summary = useApi(() => api.sitesSummary(), []);
  const eta = useApi(() => api.onboardingEta(), []);
  const accounts = useApi(() => Promise.all([api.cloudflareAccounts(), api.googleAccounts()]), []);
  const cloudflare = accounts.data?.[0].items ?? [];
  const google = accounts.data?.[1].items ?? [];
  useEffect(() => setRows(sites.data?.items), [sites.data]);
  useEffect(() => setCounts(summary.data), [summary.data]);

  view.current = rows ? { rows, filter, sort, dir, first: page === 0, full: rows.length >= PAGE_SIZE } : { rows: undefined };
  reloadSites.current = sites.reload;

  function update(values: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(values)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    if (!("page" in values)) next.delete("page");
    setParams(next, { replace: true });
  }

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
  function onSort(column: SortKey) {
    update({ sort: column, dir: column === sort && dir === "asc" ? "desc" : "asc" });
  }
  function created(site: Site) {
    setFlash(`Added ${site.domain}; its onboarding starts shortly.`);
    setPanel("none");
    sites.reload();
    summary.reload();
    eta.reload();
  }

  const total = sites.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = Boolean(filter.search.trim() || filter.status || filter.account);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Sites</h1>
        <p className="muted summary" aria-live="polite">
          {counts &&
            `${counts.total} site${counts.total === 1 ? "" : "s"} · ${counts.live} live · ${counts.onboarding + counts.pending} onboarding · ${counts.failed} failed`}
        </p>
        {eta.data && eta.data.queued > 0 && eta.data.all_live_at && (
          <p className="muted small eta">
            {`${eta.data.queued} queued: all live by ${new Date(eta.data.all_live_at).toLocaleString()}`}
            {eta.data.bottleneck && eta.data.bottleneck !== "none" && ` (paced by ${BUDGET_LABEL[eta.data.bottleneck]})`}
          </p>
        )}
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
      {panel === "import" && <CsvImport onImported={() => { sites.reload(); summary.reload(); eta.reload(); }} onCancel={() => setPanel("none")} />}
      {accounts.error ? <ErrorBox error={accounts.error} title="Accounts could not be loaded" onRetry={accounts.reload} /> : null}

      <SiteFilters
        filter={{ ...filter, search: searchText }}
        onChange={(f) => {
          if (f.search !== searchText) setSearchText(f.search);
          else update({ status: f.status, account: f.account });
        }}
        cloudflare={cloudflare}
        google={google}
      />
      {selected.size > 0 && <BulkRunBar selected={[...selected]} onClear={() => setSelected(new Set())} />}

      {sites.error && !sites.data ? (
        <ErrorBox error={sites.error} title="Sites could not be loaded" onRetry={sites.reload} />
      ) : !sites.data || !rows ? (
        <Loading label="Loading sites…" />
      ) : total === 0 && !filtered ? (
        <Empty>No sites yet. Add one, or import a CSV of domains.</Empty>
      ) : total === 0 ? (
        <Empty>No site matches these filters.</Empty>
      ) : (
        <>
          {sites.error ? <ErrorBox error={sites.error} title="Refresh failed; showing the last statuses" /> : null}
          <SitesTable sites={rows} selected={selected} onToggle={toggle} onToggleAll={toggleAll} sort={sort} dir={dir} onSort={onSort} />
          <Pagination page={Math.min(page, pageCount - 1)} pageSize={PAGE_SIZE} total={total} onPage={(p) => update({ page: String(p) })} label="Sites" />
        </>
      )}
    </div>
  );
}
