import { vi } from "vitest";
import { saveSession } from "../auth/session";
import type { Site } from "../api/types";
import { siteState } from "../lib/steps";

type Handler = (url: URL, init: RequestInit) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

export interface FetchMock {
  calls: { method: string; url: URL; body: unknown; headers: Record<string, string> }[];
  on: (method: string, path: string | RegExp, handler: Handler | { status?: number; body?: unknown }) => FetchMock;
}

/** Replace fetch with a small router: the first route matching method and path answers. */
export function mockFetch(): FetchMock {
  const routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const mock: FetchMock = {
    calls: [],
    on(method, path, handler) {
      routes.push({ method, path, handler: typeof handler === "function" ? handler : () => handler });
      return mock;
    },
  };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, "http://hub.test");
      const method = (init.method ?? "GET").toUpperCase();
      mock.calls.push({
        method,
        url,
        body: init.body ? JSON.parse(String(init.body)) : undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      });
      const route = routes.find(
        (r) => r.method === method && (typeof r.path === "string" ? url.pathname === r.path : r.path.test(url.pathname)),
      );
      if (!route) return new Response(JSON.stringify({ detail: `no mock for ${method} ${url.pathname}` }), { status: 404 });
      const { status = 200, body } = await route.handler(url, init);
      return new Response(status === 204 ? null : JSON.stringify(body ?? null), { status, headers: { "Content-Type": "application/json" } });
    }),
  );
  return mock;
}

export function signedIn(email = "ops@example.com"): void {
  saveSession({ token: "test-token", email, expiresAt: Date.now() + 3_600_000 });
}

export function page<T>(items: T[]) {
  return { items, total: items.length, limit: 500, offset: 0 };
}

let seq = 0;
export function makeSite(overrides: Partial<Site> = {}): Site {
  seq += 1;
  const site: Site = {
    id: `00000000-0000-0000-0000-${String(seq).padStart(12, "0")}`,
    created_at: `2026-01-${String((seq % 28) + 1).padStart(2, "0")}T10:00:00Z`,
    updated_at: "2026-01-01T10:00:00Z",
    domain: `site-${seq}.com`,
    brand_name: null,
    cloudflare_account_id: "cf-1",
    cloudflare_account: "CF_Batch_1",
    gsc_account_id: null,
    gsc_account: null,
    status_dns: "pending",
    status_hosting: "pending",
    status_content: "pending",
    status_deployment: "pending",
    gsc_verification_status: "pending",
    hosting_doc_root: null,
    matomo_site_id: null,
    error_message: null,
    error_step: null,
    state: "pending",
    ...overrides,
  };
  // The API's state of the site as a whole, as the UI reads it from the steps (unless given).
  return "state" in overrides ? site : { ...site, state: siteState(site) };
}

export const LIVE: Partial<Site> = {
  status_dns: "active",
  status_hosting: "active",
  status_content: "generated",
  status_deployment: "deployed",
  gsc_verification_status: "verified",
  matomo_site_id: 7,
};
