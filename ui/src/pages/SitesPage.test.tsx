import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { LIVE, makeSite, mockFetch, page, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { SitesPage } from "./SitesPage";

function withAccounts(fetch: ReturnType<typeof mockFetch>) {
  return fetch
    .on("GET", "/api/cloudflare-accounts", { body: page([{ id: "cf-1", created_at: "", email: "cf@x.com", account_nickname: "CF_Batch_1", token_hint: "…abcd", sites: 1 }]) })
    .on("GET", "/api/google-accounts", { body: page([]) });
}

const renderSites = (url = "/sites") =>
  renderAt(
    <Routes>
      <Route path="/sites" element={<SitesPage />} />
    </Routes>,
    url,
  );

describe("SitesPage", () => {
  it("pages a large fleet: 50 rows at a time", async () => {
    signedIn();
    const sites = Array.from({ length: 520 }, (_, i) => makeSite({ domain: `s${String(i).padStart(3, "0")}.com`, ...LIVE }));
    const fetch = withAccounts(mockFetch()).on("GET", "/api/sites", (url) => {
      const offset = Number(url.searchParams.get("offset"));
      return { body: { items: sites.slice(offset, offset + 500), total: sites.length, limit: 500, offset } };
    });
    renderSites("/sites?sort=domain");
    expect(await screen.findByText("s000.com")).toBeInTheDocument();
    expect(document.querySelectorAll("tbody tr")).toHaveLength(50);
    expect(fetch.calls.filter((c) => c.url.pathname === "/api/sites").map((c) => c.url.searchParams.get("offset"))).toEqual(["0", "500"]);
    expect(screen.getByText("1–50 of 520")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("s050.com")).toBeInTheDocument();
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "s51" } });
    expect(await screen.findByText("1–10 of 10")).toBeInTheDocument();
  }, 60_000);

  it("shows the failed step's error, sorts, and re-runs a step for the selection", async () => {
    signedIn();
    const sites = [
      makeSite({ domain: "ok.com", ...LIVE }),
      makeSite({ domain: "broken.com", status_dns: "failed", error_step: "status_dns", error_message: "zone exists elsewhere" }),
    ];
    const fetch = withAccounts(mockFetch())
      .on("GET", "/api/sites", { body: page(sites) })
      .on("POST", "/api/runs", { status: 202, body: { launched: [{ run_id: "r1", url: "http://dagster/runs/r1", domain: "ok.com", job: "j", step: "dns_zone" }], errors: [{ site: "broken.com", reason: "Dagster refused" }] } });
    renderSites();
    const row = (await screen.findByText("broken.com")).closest("tr")!;
    expect(within(row).getByText("zone exists elsewhere")).toBeInTheDocument();
    expect(within(row.querySelector<HTMLElement>(".col-error")!).getByText("DNS:")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: /Domain/ }));
    expect(screen.getByRole("columnheader", { name: /Domain/ })).toHaveAttribute("aria-sort", "ascending");
    expect(document.querySelectorAll("tbody tr")[0]).toHaveAttribute("data-domain", "broken.com");

    await userEvent.click(screen.getByLabelText("Select all sites on this page"));
    await userEvent.selectOptions(screen.getByLabelText("Re-run"), "dns_zone");
    await userEvent.click(screen.getByRole("button", { name: "Re-run for 2 sites" }));
    expect(await screen.findByText("Launched 1 run; 1 not launched.")).toBeInTheDocument();
    expect(screen.getByText("Dagster refused")).toBeInTheDocument();
    const run = fetch.calls.find((c) => c.url.pathname === "/api/runs")!;
    expect(run.body).toEqual({ sites: ["broken.com", "ok.com"], step: "dns_zone", confirm: null });
  });

  it("has empty and error states", async () => {
    signedIn();
    withAccounts(mockFetch()).on("GET", "/api/sites", { body: page([]) });
    renderSites();
    expect(await screen.findByText(/No sites yet/)).toBeInTheDocument();
  });

  it("shows a load failure with a retry", async () => {
    signedIn();
    withAccounts(mockFetch()).on("GET", "/api/sites", { status: 503, body: { detail: "the database is not reachable; try again shortly" } });
    renderSites();
    expect(await screen.findByText("the database is not reachable; try again shortly")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
