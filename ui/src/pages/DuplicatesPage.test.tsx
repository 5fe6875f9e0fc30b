import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockFetch, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { DuplicatesPage } from "./DuplicatesPage";

describe("DuplicatesPage", () => {
  it("lists the flagged pairs with links to both sites", async () => {
    signedIn();
    mockFetch().on("GET", "/api/quality/duplicates", {
      body: [{ a: "copied-garden.com", b: "original-garden.com", jaccard: 0.52, max_page_jaccard: 0.71,
               pages: [{ slug_a: "about", slug_b: "about", jaccard: 0.71 }, { slug_a: "faq", slug_b: "faq", jaccard: 0.6 }],
               found_at: "2026-11-29T04:30:00Z" }],
    });
    renderAt(<DuplicatesPage />, "/quality");
    const row = (await screen.findByRole("link", { name: "copied-garden.com" })).closest("tr")!;
    expect(within(row).getByRole("link", { name: "original-garden.com" })).toHaveAttribute("href", "/sites/original-garden.com");
    expect(row).toHaveTextContent("0.71");
    expect(row).toHaveTextContent("about ~ about, faq ~ faq");
  });

  it("says so when no site repeats another", async () => {
    signedIn();
    mockFetch().on("GET", "/api/quality/duplicates", { body: [] });
    renderAt(<DuplicatesPage />, "/quality");
    expect(await screen.findByText(/No near-duplicates/)).toBeInTheDocument();
  });
});
