import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSession } from "../auth/session";
import { mockFetch, signedIn } from "../test/fetchMock";
import { api, buildQuery, setUnauthorizedHandler } from "./client";
import { ApiError, describeDetail } from "./errors";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

describe("API client", () => {
  it("sends the bearer token and repeats list parameters", async () => {
    signedIn();
    const fetch = mockFetch().on("GET", "/api/analytics/daily", { body: { items: [], total: 0, limit: 10, offset: 0 } });
    await api.dailyAnalytics("2026-01-01", "2026-01-31", ["a.com", "b.com"], 10);
    const call = fetch.calls[0];
    expect(call.headers.Authorization).toBe("Bearer test-token");
    expect(call.url.searchParams.getAll("site")).toEqual(["a.com", "b.com"]);
    expect(buildQuery({ a: "", b: undefined, c: 0 })).toBe("?c=0");
  });

  it("fills the endpoint's path parameters, encoded, and sends the body", async () => {
    signedIn();
    const fetch = mockFetch()
      .on("POST", "/api/sites/b%C3%BCcher.de%2Fx/runs", {
        status: 202,
        body: { run_id: "r1", url: "http://dagster/runs/r1", domain: "bücher.de", job: "onboard_site_job", step: "dns_zone" },
      })
      .on("DELETE", "/api/cloudflare-accounts/acc-1", { status: 204 });
    const launched = await api.launchRun("bücher.de/x", "dns_zone");
    expect(launched.run_id).toBe("r1");
    expect(fetch.calls[0].body).toEqual({ step: "dns_zone" });
    await expect(api.deleteCloudflareAccount("acc-1")).resolves.toBeUndefined();
    expect(fetch.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      "POST /api/sites/b%C3%BCcher.de%2Fx/runs",
      "DELETE /api/cloudflare-accounts/acc-1",
    ]);
  });

  it("turns the API's detail into the error message", async () => {
    signedIn();
    mockFetch().on("POST", "/api/sites", { status: 400, body: { detail: "'x' does not end in a public suffix" } });
    await expect(api.createSite({ domain: "x", cloudflare_account: "CF" })).rejects.toThrow("'x' does not end in a public suffix");
    expect(describeDetail([{ loc: ["body", "domain"], msg: "String should have at least 1 character" }], 422)).toBe(
      "domain: String should have at least 1 character",
    );
  });

  it("keeps an import's per-row errors", async () => {
    signedIn();
    mockFetch().on("POST", "/api/sites/import", { status: 400, body: { detail: "1 bad row(s)", errors: [{ line: 3, domain: "x", reason: "bad" }] } });
    const error = await api.importSites("csv", { dryRun: false, skipInvalid: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).rowErrors).toEqual([{ line: 3, domain: "x", reason: "bad" }]);
  });

  it("signs out on 401 and reports why", async () => {
    signedIn();
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch().on("GET", "/api/sites", { status: 401, body: { detail: "the token has expired; sign in again" } });
    await expect(api.sitesPage({ limit: 100 })).rejects.toThrow("the token has expired");
    expect(handler).toHaveBeenCalledWith("the token has expired; sign in again");
    expect(loadSession()).toBeNull();
  });

  it("says so when the Hub API cannot be reached", async () => {
    signedIn();
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("network"))));
    await expect(api.site("a.com")).rejects.toThrow(/could not be reached/);
  });
});
