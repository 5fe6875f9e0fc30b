import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { HealthDigest, HealthProblem, HealthSummary } from "../api/types";
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

const digest: HealthDigest = {
  mode: "daily", hour_utc: 8, day: "2026-11-29", open_problems: 3, sites_affected: 3, resolved_last_day: 0,
  kinds: [{ check_kind: "doc_root", status: "fail", problems: 1, sites: ["c.com"], causes: ["hosting: create doc root <site>"],
            new: 1, repairable: true }],
  title: "[DIGEST] 2026-11-29: 3 open problem(s) on 3 site(s)",
  text: "[DIGEST] 2026-11-29: 3 open problem(s) on 3 site(s)\n\n- doc_root (fail): 1 problem(s) on 1 site(s), 1 new: c.com",
  sent_at: null,
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
      .on("GET", "/api/health/digest", { body: digest })
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

  it("shows today's digest and sends it once", async () => {
    signedIn();
    let sent: string | null = null;
    const fetch = mockFetch()
      .on("GET", "/api/health/summary", { body: { ...summary, kinds: [], open_problems: 0, sites_affected: 0 } })
      .on("GET", "/api/health/problems", { body: [] })
      .on("GET", "/api/health/digest", () => ({ body: { ...digest, sent_at: sent } }))
      .on("POST", "/api/health/digest", () => {
        sent = "2026-11-29T08:00:00Z";
        return { body: { ...digest, sent_at: sent, sent: true, reason: "sent to webhook, email", failures: [] } };
      });
    renderAt(<HealthPage />, "/health");
    expect(await screen.findByLabelText("Today's digest")).toHaveTextContent("- doc_root (fail): 1 problem(s) on 1 site(s), 1 new: c.com");
    expect(screen.getByText(/daily, besides the alerts/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send today's digest now" }));
    expect(await screen.findByText("Digest sent to webhook, email.")).toBeInTheDocument();
    expect(await screen.findByText(/Today's was sent/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send today's digest now" })).toBeDisabled();
    expect(fetch.calls.filter((c) => c.method === "POST").length).toBe(1);
  });
});
