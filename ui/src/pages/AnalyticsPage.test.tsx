import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { mockFetch, page, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { AnalyticsPage } from "./AnalyticsPage";

const renderAnalytics = (url: string) =>
  renderAt(
    <Routes>
      <Route path="/analytics" element={<AnalyticsPage />} />
    </Routes>,
    url,
  );

describe("AnalyticsPage", () => {
  it("shows fleet totals, the charts, and per-site rows with trends for the chosen range", async () => {
    signedIn();
    const days = ["2026-03-01", "2026-03-02"].map((date) => ({ date, sites: 1, matomo_visits: 1000, gsc_clicks: 20, gsc_impressions: 500 }));
    const fetch = mockFetch()
      .on("GET", "/api/analytics/fleet", { body: { start: "2026-03-01", end: "2026-03-04", days, totals: { matomo_visits: 2000, gsc_clicks: 40, gsc_impressions: 1000 } } })
      .on("GET", "/api/analytics/sites", { body: page([{ site_id: "s1", domain: "a.com", days: 2, matomo_visits: 2000, gsc_clicks: 40, gsc_impressions: 1000 }]) })
      .on("GET", "/api/analytics/daily", {
        body: page([
          { date: "2026-03-01", site_id: "s1", domain: "a.com", matomo_visits: 100, gsc_clicks: 1, gsc_impressions: 1 },
          { date: "2026-03-04", site_id: "s1", domain: "a.com", matomo_visits: 300, gsc_clicks: 1, gsc_impressions: 1 },
        ]),
      });
    renderAnalytics("/analytics?start=2026-03-01&end=2026-03-04");
    expect(await screen.findAllByText("2,000")).not.toHaveLength(0);
    expect(document.querySelectorAll("figure.chart")).toHaveLength(3);
    expect(await screen.findByRole("link", { name: "a.com" })).toBeInTheDocument();
    expect(await screen.findByText("+200%")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Visits per day for a.com" })).toBeInTheDocument();
    const fleetCall = fetch.calls.find((c) => c.url.pathname === "/api/analytics/fleet")!;
    expect(fleetCall.url.search).toBe("?start=2026-03-01&end=2026-03-04");
  });

  it("says when there is no data yet", async () => {
    signedIn();
    mockFetch()
      .on("GET", "/api/analytics/fleet", { body: { start: "2026-03-01", end: "2026-03-04", days: [], totals: { matomo_visits: 0, gsc_clicks: 0, gsc_impressions: 0 } } })
      .on("GET", "/api/analytics/sites", { body: page([]) })
      .on("GET", "/api/analytics/daily", { body: page([]) });
    renderAnalytics("/analytics?start=2026-03-01&end=2026-03-04");
    expect(await screen.findByText(/No analytics in this range yet/)).toBeInTheDocument();
    expect(await screen.findByText("No sites yet.")).toBeInTheDocument();
  });
});
