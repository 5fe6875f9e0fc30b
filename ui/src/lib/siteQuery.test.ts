import { describe, expect, it } from "vitest";
import { LIVE, makeSite } from "../test/fetchMock";
import { filterSites, sortSites } from "./siteQuery";

const sites = [
  makeSite({ domain: "beta.com", brand_name: "Bravo", created_at: "2026-01-02T00:00:00Z" }),
  makeSite({ domain: "alpha.com", ...LIVE, created_at: "2026-01-03T00:00:00Z", gsc_account_id: "g-1" }),
  makeSite({ domain: "gamma.com", status_dns: "failed", error_step: "status_dns", error_message: "nope", cloudflare_account_id: "cf-2", created_at: "2026-01-01T00:00:00Z" }),
];
const none = { search: "", status: "" as const, account: "" };

describe("site filters and sorting", () => {
  it("searches domain and brand", () => {
    expect(filterSites(sites, { ...none, search: "ALP" }).map((s) => s.domain)).toEqual(["alpha.com"]);
    expect(filterSites(sites, { ...none, search: "bravo" }).map((s) => s.domain)).toEqual(["beta.com"]);
  });

  it("filters by status and by account", () => {
    expect(filterSites(sites, { ...none, status: "failed" }).map((s) => s.domain)).toEqual(["gamma.com"]);
    expect(filterSites(sites, { ...none, status: "live" }).map((s) => s.domain)).toEqual(["alpha.com"]);
    expect(filterSites(sites, { ...none, account: "cf:cf-2" }).map((s) => s.domain)).toEqual(["gamma.com"]);
    expect(filterSites(sites, { ...none, account: "g:g-1" }).map((s) => s.domain)).toEqual(["alpha.com"]);
  });

  it("sorts by any column, both ways", () => {
    expect(sortSites(sites, "domain", "asc").map((s) => s.domain)).toEqual(["alpha.com", "beta.com", "gamma.com"]);
    expect(sortSites(sites, "created", "desc").map((s) => s.domain)).toEqual(["alpha.com", "beta.com", "gamma.com"]);
    expect(sortSites(sites, "status", "asc").map((s) => s.domain)).toEqual(["gamma.com", "beta.com", "alpha.com"]);
  });
});
