import { configure, screen } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import type { Site, SiteEvent } from "../api/types";
import { LIVE, makeSite, mockFetch, page, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { SiteDetailPage } from "./SiteDetailPage";

configure({ asyncUtilTimeout: 8000 });

function serveSite(site: Site, events: SiteEvent[] = []) {
  return mockFetch()
    .on("GET", `/api/sites/${site.domain}`, { body: { ...site, steps: [], problems: [] } })
    .on("GET", `/api/sites/${site.domain}/events`, { body: events })
    .on("GET", `/api/sites/${site.domain}/runs`, { body: [] })
    .on("GET", "/api/analytics/daily", { body: page([]) })
    .on("GET", "/api/sites/eta", (url) => ({
      body: {
        queued: 40,
        all_live_at: "2026-01-05T04:00:00Z",
        bottleneck: "namecheap",
        per_day: [],
        items: url.searchParams.get("site") === site.domain
          ? [{ domain: site.domain, position: 3, live_at: "2026-01-04T09:30:00Z", waits_for: "namecheap" }]
          : [],
      },
    }));
}

const renderSite = (domain: string) =>
  renderAt(
    <Routes>
      <Route path="/sites/:domain" element={<SiteDetailPage />} />
    </Routes>,
    `/sites/${domain}`,
  );

describe("SiteDetailPage", () => {
  it("says when a queued site is expected live, its place in the queue and what it waits for", async () => {
    signedIn();
    const site = makeSite({ domain: "queued.com" });
    const fetch = serveSite(site);
    renderSite(site.domain);
    const eta = await screen.findByText(/Expected live by/);
    expect(eta.textContent).toContain("3 of 40 in the onboarding queue, waiting for Namecheap's request budget.");
    const asked = fetch.calls.filter((c) => c.url.pathname === "/api/sites/eta").map((c) => c.url.searchParams.get("site"));
    expect(asked).toContain("queued.com");
  });

  it("asks nothing of the queue for a live site", async () => {
    signedIn();
    const site = makeSite({ domain: "live.com", ...LIVE });
    const fetch = serveSite(site);
    renderSite(site.domain);
    await screen.findByRole("heading", { name: "live.com" });
    await screen.findByText("No runs yet for this site.");
    expect(screen.queryByText(/Expected live by/)).toBeNull();
    expect(fetch.calls.some((c) => c.url.pathname === "/api/sites/eta")).toBe(false);
  });

  it("shows a waiting step's message as information and only a failure as an error", async () => {
    signedIn();
    const site = makeSite({ domain: "waits.com" });
    serveSite(site, [
      { at: "2026-01-04T10:17:00Z", step: "dns_zone", status: "pending",
        message: "waiting for Cloudflare to see the delegation since 10:02; next check 10:17" },
      { at: "2026-01-04T10:01:00Z", step: "matomo_site", status: "failed", message: "matomo: token refused" },
    ]);
    renderSite(site.domain);
    const waiting = await screen.findByText(/waiting for Cloudflare to see the delegation/);
    expect(waiting.className).not.toContain("error-text");
    expect(waiting.className).toContain("muted");
    expect((await screen.findByText(/matomo: token refused/)).className).toContain("error-text");
  });
});
