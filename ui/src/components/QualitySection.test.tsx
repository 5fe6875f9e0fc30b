import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SiteQuality } from "../api/types";
import { mockFetch, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { QualitySection } from "./QualitySection";

const failed: SiteQuality = {
  domain: "acme.com",
  theme: { name: "harbor", variation: "navy" },
  theme_chosen: false,
  lang: "en",
  quality: {
    build_hash: "0123456789abcdef0123",
    passed: false,
    scores: { performance: 98, accessibility: 100, "best-practices": 100, seo: 92 },
    thresholds: { performance: 90, accessibility: 95, "best-practices": 95, seo: 95 },
    failed_audits: [{ id: "meta-description", title: "Document does not have a meta description", score: 0,
                      categories: ["seo"], path: "/about/", display: "", items: [] }],
    audits: [],
    errors: [],
    message: "quality gate failed for acme.com: seo 92 < 95",
    pages: {},
    preview: true,
    checked_at: "2026-11-29T08:00:00Z",
  },
  duplicates: [{ a: "acme.com", b: "copycat.com", jaccard: 0.41, max_page_jaccard: 0.68,
                 pages: [{ slug_a: "about", slug_b: "about", jaccard: 0.68 }], found_at: null }],
};

describe("QualitySection", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows the scores against the thresholds, the audit that stopped the build, the preview and the duplicates", async () => {
    signedIn();
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:preview", revokeObjectURL: () => {} }));
    mockFetch()
      .on("GET", "/api/sites/acme.com/quality", { body: failed })
      .on("GET", "/api/themes", { body: [{ name: "harbor", description: "Classic", variations: ["navy", "teal"] },
                                          { name: "ledger", description: "Serif masthead", variations: ["ink", "forest"] }] })
      .on("GET", "/api/sites/acme.com/preview", { body: "png" });
    renderAt(<QualitySection domain="acme.com" />, "/sites/acme.com");

    expect(await screen.findByText("Gate failed: not deployed")).toBeInTheDocument();
    const scores = screen.getByRole("table", { name: "Lighthouse scores" });
    const seo = within(scores).getByRole("row", { name: /SEO/ });
    expect(seo).toHaveTextContent("92 (below)");
    expect(seo).toHaveTextContent("95");
    expect(screen.getByText("meta-description")).toBeInTheDocument();
    expect(screen.getByText("/about/")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "copycat.com" })).toHaveAttribute("href", "/sites/copycat.com");
    const image = await screen.findByRole("img", { name: "Home page of acme.com from its latest build" });
    expect(image).toHaveAttribute("src", "blob:preview");
  });

  it("chooses a theme and rebuilds only this site", async () => {
    signedIn();
    const fetch = mockFetch()
      .on("GET", "/api/sites/acme.com/quality", { body: { ...failed, quality: null, duplicates: [] } })
      .on("GET", "/api/themes", { body: [{ name: "ledger", description: "Serif masthead", variations: ["ink", "forest"] }] })
      .on("GET", "/api/sites/acme.com/preview", { status: 404, body: { detail: "no preview yet" } })
      .on("PUT", "/api/sites/acme.com/theme", { body: { domain: "acme.com", theme: { name: "ledger", variation: "ink" },
                                                        theme_chosen: true, note: null,
                                                        run: { run_id: "run-1234abcd", url: "http://dagster.test/runs/run-1234abcd",
                                                               domain: "acme.com", job: "onboard_site_job", step: "site_build" } } });
    renderAt(<QualitySection domain="acme.com" />, "/sites/acme.com");
    expect(await screen.findByText("No build has been through the quality gate yet.")).toBeInTheDocument();
    expect(await screen.findByText(/No preview yet/)).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Theme"), "ledger");
    await userEvent.selectOptions(screen.getByLabelText("Variation"), "ink");
    await userEvent.click(screen.getByRole("button", { name: "Save and rebuild" }));
    expect(await screen.findByText(/Theme ledger\/ink: rebuilding this site \(run run-1234\)/)).toBeInTheDocument();
    const put = fetch.calls.find((c) => c.method === "PUT")!;
    expect(put.body).toEqual({ theme: "ledger", variation: "ink", rebuild: true });
  });
});
