import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { HealthProblem, HealthSummary } from "../api/types";
import { mockFetch, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { HealthPage } from "./HealthPage";

const summary: HealthSummary = {
  open_problems: 3,
  sites_affected: 3,
  sites: 40,
  kinds: [
    { check_kind: "certificate", problems: 2, sites: 2, status: "warn" },
    { check_kind: "drift.dns", problems: 1, sites: 1, status: "fail" },
  ],
  last_seen: "2026-11-29T10:00:00Z",
  trend: [{ date: "2026-11-28", open_problems: 0 }, { date: "2026-11-29", open_problems: 3 }],
};

function problem(id: number, domain: string, check_kind: string, status: "warn" | "fail"): HealthProblem {
  return { id, site_id: "00000000-0000-0000-0000-00000000000" + id, domain, check_kind, subject: domain, status,
           cause: `${check_kind} cause`, observed: "seen", expected: "wanted", first_seen: "2026-11-29T09:00:00Z",
           last_seen: "2026-11-29T10:00:00Z", resolved_at: null, alerted_at: null };
}

describe("HealthPage", () => {
  it("summarises by kind, lists the sites of a kind, and repairs through the guard", async () => {
    signedIn();
    const fetch = mockFetch()
      .on("GET", "/api/health/summary", { body: summary })
      .on("GET", "/api/health/problems", (url) => ({ body: url.searchParams.get("check_kind") === "drift.dns"
        ? [problem(3, "c.com", "drift.dns", "fail")]
        : [problem(1, "a.com", "certificate", "warn"), problem(2, "b.com", "certificate", "warn"), problem(3, "c.com", "drift.dns", "fail")] }))
      .on("POST", "/api/health/repair", (_url, init) => (JSON.parse(String(init.body)).confirm
        ? { status: 202, body: { plan_hash: "ab12cd34ef56ab78", detail: null, runs: [
            { domain: "c.com", steps: ["dns_zone"], run_id: "r1", url: "http://dagster.test/runs/r1" }] } }
        : { status: 409, body: { detail: "plan ab12cd34ef56ab78 changes 12 site(s)", needs_confirmation: true,
                                 plan_hash: "ab12cd34ef56ab78", sites_affected: 12 } }));
    renderAt(<HealthPage />, "/health");
    expect(await screen.findByText((_, el) => el?.tagName === "P" && /^3 open problem\(s\) on 3 of 40 site\(s\)/.test(el.textContent ?? ""))).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "a.com" })).toBeInTheDocument();
    const rows = screen.getAllByRole("row");
    expect(rows.some((r) => r.textContent?.includes("certificate") && r.textContent.includes("2"))).toBe(true);

    await userEvent.click(screen.getAllByRole("button", { name: "Show sites" })[1]);
    expect(await screen.findByText("Sites with drift.dns")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "c.com" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "a.com" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Repair every drifted site" }));
    expect(await screen.findByText(/changes 12 site/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Confirm plan ab12cd34ef56ab78/ }));
    expect(await screen.findByText(/1 run\(s\) launched/)).toBeInTheDocument();
    expect(fetch.calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { all: true, confirm: null }, { all: true, confirm: "ab12cd34ef56ab78" }]);
  });
});
