import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import type { Site } from "../api/types";
import { sortSites, type SortKey } from "../lib/siteQuery";
import { LIVE, makeSite, mockFetch, page, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { SitesPage } from "./SitesPage";

// Each page load is two requests (the changes cursor, then the page): allow for a busy machine.
configure({ asyncUtilTimeout: 8000 });

function withAccounts(fetch: ReturnType<typeof mockFetch>) {
  return fetch
    .on("GET", "/api/cloudflare-accounts", { body: page([{ id: "cf-1", created_at: "", email: "cf@x.com", account_nickname: "CF_Batch_1", token_hint: "…abcd", sites: 1 }]) })
    .on("GET", "/api/google-accounts", { body: page([]) });
}

function summaryOf(sites: Site[]) {
  const count = (state: Site["state"]) => sites.filter((s) => s.state === state).length;
  return { total: sites.length, failed: count("failed"), onboarding: count("onboarding"), pending: count("pending"), live: count("live"), decommissioned: 0 };
}

/** The Hub's list: filters, sorts and pages on the server. */
function serve(fetch: ReturnType<typeof mockFetch>, sites: () => Site[], changes?: (since: string | null) => unknown) {
  return fetch
    .on("GET", "/api/sites/summary", () => ({ body: summaryOf(sites()) }))
    .on("GET", "/api/sites/changes", (url) => {
      const since = url.searchParams.get("since");
      return { body: changes?.(since) ?? { cursor: "10", changed: [], deleted: [], more: false, summary: null } };
    })
    .on("GET", "/api/sites", (url) => {
      const q = url.searchParams;
      const search = q.get("search") ?? "";
      let found = sites().filter((s) => s.domain.includes(search) && (!q.get("state") || s.state === q.get("state")));
      found = sortSites(found, (q.get("sort") ?? "created") as SortKey, q.get("dir") === "desc" ? "desc" : "asc");
      const offset = Number(q.get("offset"));
      const limit = Number(q.get("limit"));
      return { body: { items: found.slice(offset, offset + limit), total: found.length, limit, offset } };
    });
}

const renderSites = (url = "/sites", pollMs?: number) =>
  renderAt(
    <Routes>
      <Route path="/sites" element={<SitesPage pollMs={pollMs} />} />
    </Routes>,
    url,
  );

const listCalls = (fetch: ReturnType<typeof mockFetch>) => fetch.calls.filter((c) => c.url.pathname === "/api/sites").map((c) => c.url.searchParams);

describe("SitesPage", () => {
  it("asks the server for one page, sorted and filtered, and renders only the rows in view", async () => {
    signedIn();
    const sites = Array.from({ length: 10_000 }, (_, i) => makeSite({ domain: `s${String(i).padStart(5, "0")}.com`, ...(i % 10 === 3 ? { status_dns: "failed", error_step: "dns_zone", error_message: "refused" } : LIVE) }));
    const fetch = serve(withAccounts(mockFetch()), () => sites).on("GET", "/api/sites/eta", {
      body: { queued: 10000, all_live_at: "2026-01-05T04:00:00Z", bottleneck: "letsencrypt", per_day: [], items: [] },
    });
    renderSites("/sites?sort=domain");
    expect(await screen.findByText("s00000.com")).toBeInTheDocument();
    expect(await screen.findByText(/10000 queued: all live by .*2026/)).toHaveTextContent("paced by Let's Encrypt's order limit");
    expect(screen.getByText("10000 sites · 9000 live · 0 onboarding · 1000 failed")).toBeInTheDocument();
    const rendered = document.querySelectorAll("tbody tr[data-domain]").length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(40); // of the page's 100
    expect(screen.getByText("1–100 of 10000")).toBeInTheDocument();
    const [first] = listCalls(fetch);
    expect(Object.fromEntries(first)).toEqual({ sort: "domain", dir: "asc", limit: "100", offset: "0" });

    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("s00100.com")).toBeInTheDocument();
    expect(listCalls(fetch).at(-1)!.get("offset")).toBe("100");

    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "s0051" } });
    await waitFor(() => expect(listCalls(fetch).at(-1)!.get("search")).toBe("s0051"));
    expect(await screen.findByText("1–10 of 10")).toBeInTheDocument();
    expect(listCalls(fetch).at(-1)!.get("search")).toBe("s0051");
    expect(listCalls(fetch).at(-1)!.get("offset")).toBe("0");

    await userEvent.selectOptions(screen.getByLabelText("Status"), "failed");
    expect(await screen.findByText("1–1 of 1")).toBeInTheDocument();
    expect(screen.getByText("s00513.com")).toBeInTheDocument();
    expect(listCalls(fetch).at(-1)!.get("state")).toBe("failed");
    // Typing asks once the typing pauses, not per key.
    expect(listCalls(fetch).filter((q) => q.get("search")?.startsWith("s00")).length).toBeLessThanOrEqual(2);
  }, 60_000);

  it("shows the failed step's error, sorts, and re-runs a step for the selection", async () => {
    signedIn();
    const sites = [
      makeSite({ domain: "ok.com", ...LIVE }),
      makeSite({ domain: "broken.com", status_dns: "failed", error_step: "status_dns", error_message: "zone exists elsewhere" }),
    ];
    const fetch = serve(withAccounts(mockFetch()), () => sites).on("POST", "/api/runs", {
      status: 202,
      body: { launched: [{ run_id: "r1", url: "http://dagster/runs/r1", domain: "ok.com", job: "j", step: "dns_zone" }], errors: [{ site: "broken.com", reason: "Dagster refused" }] },
    });
    renderSites();
    const row = (await screen.findByText("broken.com")).closest("tr")!;
    expect(within(row).getByText("zone exists elsewhere")).toBeInTheDocument();
    expect(within(row.querySelector<HTMLElement>(".col-error")!).getByText("DNS:")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: /Domain/ }));
    expect(screen.getByRole("columnheader", { name: /Domain/ })).toHaveAttribute("aria-sort", "ascending");
    await waitFor(() => expect(document.querySelectorAll("tbody tr[data-domain]")[0]).toHaveAttribute("data-domain", "broken.com"));
    expect(listCalls(fetch).at(-1)!.get("sort")).toBe("domain");

    await userEvent.click(screen.getByLabelText("Select all sites on this page"));
    await userEvent.selectOptions(screen.getByLabelText("Re-run"), "dns_zone");
    await userEvent.click(screen.getByRole("button", { name: "Re-run for 2 sites" }));
    expect(await screen.findByText("Launched 1 run; 1 not launched.")).toBeInTheDocument();
    expect(screen.getByText("Dagster refused")).toBeInTheDocument();
    const run = fetch.calls.find((c) => c.url.pathname === "/api/runs")!;
    expect(run.body).toEqual({ sites: ["broken.com", "ok.com"], step: "dns_zone", confirm: null });
  });

  it("polls only what changed: a changed row is patched in place, a new site reloads the page", async () => {
    signedIn();
    const sites = [makeSite({ domain: "first.com" }), makeSite({ domain: "second.com" })];
    const queue: unknown[] = [];
    const fetch = serve(withAccounts(mockFetch()), () => sites, (since) => {
      if (since === null || queue.length === 0) return { cursor: "10", changed: [], deleted: [], more: false, summary: null };
      return queue.shift();
    });
    renderSites("/sites?sort=domain", 30);
    const row = () => document.querySelector('tr[data-domain="second.com"]')!;
    await screen.findByText("second.com");
    const loads = listCalls(fetch).length;

    const failed = { ...sites[1], status_dns: "failed" as const, error_step: "dns_zone", error_message: "zone refused", state: "failed" as const };
    sites[1] = failed;
    queue.push({ cursor: "11", changed: [failed], deleted: [], more: false, summary: summaryOf(sites) });
    await within(row() as HTMLElement).findByText("zone refused");
    expect(screen.getByText("2 sites · 0 live · 1 onboarding · 1 failed")).toBeInTheDocument();
    expect(listCalls(fetch).length).toBe(loads); // patched, not re-read
    const sinces = fetch.calls.filter((c) => c.url.pathname === "/api/sites/changes").map((c) => c.url.searchParams.get("since"));
    expect(sinces[0]).toBeNull();
    expect(sinces.slice(1)).toContain("10");

    const added = makeSite({ domain: "between.com" });
    sites.push(added);
    queue.push({ cursor: "12", changed: [added], deleted: [], more: false, summary: summaryOf(sites) });
    expect(await screen.findByText("between.com")).toBeInTheDocument();
    expect(listCalls(fetch).length).toBe(loads + 1);
  });

  it("has empty and error states", async () => {
    signedIn();
    serve(withAccounts(mockFetch()), () => []);
    renderSites();
    expect(await screen.findByText(/No sites yet/)).toBeInTheDocument();
  });

  it("shows a load failure with a retry", async () => {
    signedIn();
    withAccounts(mockFetch())
      .on("GET", "/api/sites/changes", { body: { cursor: "1", changed: [], deleted: [], more: false, summary: null } })
      .on("GET", "/api/sites/summary", { status: 503, body: { detail: "the database is not reachable; try again shortly" } })
      .on("GET", "/api/sites", { status: 503, body: { detail: "the database is not reachable; try again shortly" } });
    renderSites();
    expect(await screen.findByText("the database is not reachable; try again shortly")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
