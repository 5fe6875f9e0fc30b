import { ApiError } from "./errors";
import { clearSession, loadSession } from "../auth/session";
import type { paths } from "./schema";
import type {
  AssetStep,
  CloudflareAccountCreate,
  CloudflareAccountUpdate,
  GoogleAccountCreate,
  GoogleAccountUpdate,
  SiteCreate,
  AuditQuery,
  HealthProblemsQuery,
  PlanRequest,
  SitesQuery,
  SiteTotalsQuery,
  ThemeUpdate,
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
  // The audit log records actions taken through the UI as such (the Hub itself is "hub").
  const headers: Record<string, string> = { Accept: "application/json", "X-Factory-Client": "ui" };
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
    const error = new ApiError(response.status, body.detail, Array.isArray(body.errors) ? body.errors : [], payload);
    if (response.status === 401 && useAuth) {
      clearSession();
      onUnauthorized(error.message);
    }
    throw error;
  }
  return payload as T;
}

// Every call below names its endpoint as the API's schema does ("/sites/{site}", "GET"); its path
// parameters, query, body and answer are typed from that endpoint in ./schema (generated), so a
// changed or removed endpoint is a type error here rather than a surprise in the browser.
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Route = keyof paths extends infer K ? (K extends `/api${infer R}` ? R : never) : never;
type MethodOf<R extends Route> = {
  [M in Method]: paths[`/api${R}`][Lowercase<M>] extends undefined ? never : M;
}[Method];
type Operation<R extends Route, M extends Method> = NonNullable<paths[`/api${R}`][Lowercase<M>]>;
type Part<O, Where extends "path" | "query"> = O extends { parameters: { [K in Where]?: infer P } } ? P : never;
type BodyOf<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
/** The JSON of the endpoint's success answer (void for 204 No Content). */
type Answer<O> = O extends { responses: infer Rs }
  ? { [S in keyof Rs]: S extends 200 | 201 | 202 | 204
      ? Rs[S] extends { content: { "application/json": infer B } } ? B : void
      : never }[keyof Rs]
  : never;
type CallOptions<O> = { query?: Part<O, "query">; body?: BodyOf<O>; auth?: boolean } &
  ([Part<O, "path">] extends [never | undefined] ? { path?: never } : { path: Part<O, "path"> });

/** A binary answer (e.g. a PNG) with the session's token, as an object URL for <img src>; the
 * caller revokes it. null when the API has none (404). */
export async function requestObjectUrl(path: string): Promise<string | null> {
  const session = loadSession();
  if (!session) {
    const message = "Your session has expired; sign in again.";
    onUnauthorized(message);
    throw new ApiError(401, message);
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      headers: { Authorization: `Bearer ${session.token}`, "X-Factory-Client": "ui" },
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 404) return null;
  if (!response.ok) {
    let detail: unknown = null;
    try {
      detail = ((await response.json()) as { detail?: unknown }).detail;
    } catch {
      detail = null;
    }
    if (response.status === 401) {
      clearSession();
      onUnauthorized(new ApiError(401, detail).message);
    }
    throw new ApiError(response.status, detail);
  }
  return URL.createObjectURL(await response.blob());
}

export function call<R extends Route, M extends MethodOf<R>>(
  method: M,
  route: R,
  ...[options]: object extends CallOptions<Operation<R, M>> ? [CallOptions<Operation<R, M>>?] : [CallOptions<Operation<R, M>>]
): Promise<Answer<Operation<R, M>>> {
  const { path, query, body, auth } = (options ?? {}) as { path?: Record<string, string>; query?: Query; body?: unknown; auth?: boolean };
  const url = route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path?.[name])));
  return request(method, url, { query, body, auth });
}

export const api = {
  signIn: (email: string, password: string) => call("POST", "/auth/token", { body: { email, password }, auth: false }),
  me: () => call("GET", "/auth/me"),

  sitesPage: (query: SitesQuery) => call("GET", "/sites", { query }),
  /** How many sites stand in each state. */
  sitesSummary: () => call("GET", "/sites/summary"),
  /** When the queued sites are expected to be live (totals only). */
  onboardingEta: () => call("GET", "/sites/eta", { query: { limit: 0 } }),
  /** One site's place in the onboarding queue and when it is expected to be live (no item: not queued). */
  siteEta: (site: string) => call("GET", "/sites/eta", { query: { site, limit: 1 } }),
  /** What changed since `since` (without it: only a cursor to start from). */
  siteChanges: (since: string | null) => call("GET", "/sites/changes", { query: since === null ? {} : { since } }),
  site: (ref: string) => call("GET", "/sites/{site}", { path: { site: ref } }),
  createSite: (body: SiteCreate) => call("POST", "/sites", { body }),
  importSites: (csv: string, options: { dryRun: boolean; skipInvalid: boolean }) =>
    call("POST", "/sites/import", { body: { csv, dry_run: options.dryRun, skip_invalid: options.skipInvalid } }),
  siteEvents: (ref: string) => call("GET", "/sites/{site}/events", { path: { site: ref }, query: { limit: 200 } }),
  siteRuns: (ref: string) => call("GET", "/sites/{site}/runs", { path: { site: ref }, query: { limit: 10 } }),
  launchRun: (ref: string, step: AssetStep | null) => call("POST", "/sites/{site}/runs", { path: { site: ref }, body: { step } }),
  launchRuns: (sites: string[], step: AssetStep | null, confirm?: string) =>
    call("POST", "/runs", { body: { sites, step, confirm: confirm ?? null } }),

  createPlan: (body: PlanRequest) => call("POST", "/plans", { body }),
  plans: () => call("GET", "/plans", { query: { limit: 20 } }),
  plan: (hash: string) => call("GET", "/plans/{plan_hash}", { path: { plan_hash: hash } }),
  applyPlan: (hash: string, confirm: string) =>
    call("POST", "/plans/{plan_hash}/apply", { path: { plan_hash: hash }, body: { confirm } }),
  audit: (query: AuditQuery) => call("GET", "/audit", { query }),

  healthSummary: () => call("GET", "/health/summary"),
  healthProblems: (query: HealthProblemsQuery) => call("GET", "/health/problems", { query }),
  healthDigest: () => call("GET", "/health/digest"),
  sendHealthDigest: () => call("POST", "/health/digest"),
  repair: (body: { sites?: string[]; all?: boolean; confirm?: string | null }) => call("POST", "/health/repair", { body }),
  backups: () => call("GET", "/backups"),

  cloudflareAccounts: () => call("GET", "/cloudflare-accounts", { query: { limit: 1000 } }),
  createCloudflareAccount: (body: CloudflareAccountCreate) => call("POST", "/cloudflare-accounts", { body }),
  updateCloudflareAccount: (id: string, body: CloudflareAccountUpdate) =>
    call("PATCH", "/cloudflare-accounts/{account_id}", { path: { account_id: id }, body }),
  deleteCloudflareAccount: (id: string) => call("DELETE", "/cloudflare-accounts/{account_id}", { path: { account_id: id } }),
  googleAccounts: () => call("GET", "/google-accounts", { query: { limit: 1000 } }),
  createGoogleAccount: (body: GoogleAccountCreate) => call("POST", "/google-accounts", { body }),
  updateGoogleAccount: (id: string, body: GoogleAccountUpdate) =>
    call("PATCH", "/google-accounts/{account_id}", { path: { account_id: id }, body }),
  deleteGoogleAccount: (id: string) => call("DELETE", "/google-accounts/{account_id}", { path: { account_id: id } }),

  siteQuality: (ref: string) => call("GET", "/sites/{site}/quality", { path: { site: ref } }),
  /** The latest build's home-page screenshot as an object URL (null: none yet). */
  sitePreview: (ref: string) => requestObjectUrl(`/sites/${encodeURIComponent(ref)}/preview`),
  themes: () => call("GET", "/themes"),
  setTheme: (ref: string, body: ThemeUpdate) => call("PUT", "/sites/{site}/theme", { path: { site: ref }, body }),
  nearDuplicates: (site?: string) => call("GET", "/quality/duplicates", { query: { site } }),

  fleetAnalytics: (start: string, end: string) => call("GET", "/analytics/fleet", { query: { start, end } }),
  siteTotals: (query: SiteTotalsQuery) => call("GET", "/analytics/sites", { query }),
  dailyAnalytics: (start: string, end: string, sites: string[] | undefined, limit = 10000) =>
    call("GET", "/analytics/daily", { query: { start, end, site: sites, limit } }),
};
