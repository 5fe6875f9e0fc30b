import { ApiError } from "./errors";
import { clearSession, loadSession } from "../auth/session";
import type {
  AnalyticsDay,
  AssetStep,
  BulkRunResult,
  CloudflareAccount,
  FleetAnalytics,
  GoogleAccount,
  ImportReport,
  Operator,
  Page,
  Run,
  RunLaunched,
  Site,
  SiteCreate,
  SiteEvent,
  SiteTotals,
  Token,
} from "./types";

type Query = Record<string, string | number | boolean | string[] | null | undefined>;

// Called when the API says the token is missing, invalid or expired (401): the app signs out and
// shows the sign-in page with the API's message.
let onUnauthorized: (message: string) => void = () => {};
export function setUnauthorizedHandler(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

export function buildQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown; auth?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const useAuth = options.auth !== false;
  if (useAuth) {
    const session = loadSession();
    if (!session) {
      const message = "Your session has expired; sign in again.";
      onUnauthorized(message);
      throw new ApiError(401, message);
    }
    headers.Authorization = `Bearer ${session.token}`;
  }
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/api${path}${buildQuery(options.query)}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return undefined as T;
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const body = (payload ?? {}) as { detail?: unknown; errors?: ApiError["rowErrors"] };
    const error = new ApiError(response.status, body.detail, Array.isArray(body.errors) ? body.errors : []);
    if (response.status === 401 && useAuth) {
      clearSession();
      onUnauthorized(error.message);
    }
    throw error;
  }
  return payload as T;
}

const PAGE = 500; // the API's largest page of sites

export const api = {
  signIn: (email: string, password: string) =>
    request<Token>("POST", "/auth/token", { body: { email, password }, auth: false }),
  me: () => request<Operator>("GET", "/auth/me"),

  sitesPage: (query: Query) => request<Page<Site>>("GET", "/sites", { query }),
  /** Every site, fetched in pages of 500 (the fleet is a few hundred to a few thousand sites). */
  async allSites(): Promise<Site[]> {
    const first = await api.sitesPage({ limit: PAGE, offset: 0 });
    const sites = [...first.items];
    while (sites.length < first.total) {
      const next = await api.sitesPage({ limit: PAGE, offset: sites.length });
      if (!next.items.length) break;
      sites.push(...next.items);
    }
    return sites;
  },
  site: (ref: string) => request<Site>("GET", `/sites/${encodeURIComponent(ref)}`),
  createSite: (body: SiteCreate) => request<Site>("POST", "/sites", { body }),
  importSites: (csv: string, options: { dryRun: boolean; skipInvalid: boolean }) =>
    request<ImportReport>("POST", "/sites/import", {
      body: { csv, dry_run: options.dryRun, skip_invalid: options.skipInvalid },
    }),
  siteEvents: (ref: string) => request<SiteEvent[]>("GET", `/sites/${encodeURIComponent(ref)}/events`, { query: { limit: 200 } }),
  siteRuns: (ref: string) => request<Run[]>("GET", `/sites/${encodeURIComponent(ref)}/runs`, { query: { limit: 10 } }),
  launchRun: (ref: string, step: AssetStep | null) =>
    request<RunLaunched>("POST", `/sites/${encodeURIComponent(ref)}/runs`, { body: { step } }),
  launchRuns: (sites: string[], step: AssetStep | null) =>
    request<BulkRunResult>("POST", "/runs", { body: { sites, step } }),

  cloudflareAccounts: () => request<Page<CloudflareAccount>>("GET", "/cloudflare-accounts", { query: { limit: 1000 } }),
  createCloudflareAccount: (body: { email: string; account_nickname: string; api_token: string }) =>
    request<CloudflareAccount>("POST", "/cloudflare-accounts", { body }),
  updateCloudflareAccount: (id: string, body: { email?: string; account_nickname?: string; api_token?: string }) =>
    request<CloudflareAccount>("PATCH", `/cloudflare-accounts/${id}`, { body }),
  deleteCloudflareAccount: (id: string) => request<void>("DELETE", `/cloudflare-accounts/${id}`),
  googleAccounts: () => request<Page<GoogleAccount>>("GET", "/google-accounts", { query: { limit: 1000 } }),
  createGoogleAccount: (body: { email: string; refresh_token: string }) =>
    request<GoogleAccount>("POST", "/google-accounts", { body }),
  updateGoogleAccount: (id: string, body: { email?: string; refresh_token?: string }) =>
    request<GoogleAccount>("PATCH", `/google-accounts/${id}`, { body }),
  deleteGoogleAccount: (id: string) => request<void>("DELETE", `/google-accounts/${id}`),

  fleetAnalytics: (start: string, end: string) => request<FleetAnalytics>("GET", "/analytics/fleet", { query: { start, end } }),
  siteTotals: (query: { start: string; end: string; search?: string; sort: string; order: "asc" | "desc"; limit: number; offset: number }) =>
    request<Page<SiteTotals>>("GET", "/analytics/sites", { query }),
  dailyAnalytics: (start: string, end: string, sites: string[] | undefined, limit = 10000) =>
    request<Page<AnalyticsDay>>("GET", "/analytics/daily", { query: { start, end, site: sites, limit } }),
};
