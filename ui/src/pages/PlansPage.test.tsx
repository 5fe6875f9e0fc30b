import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Plan } from "../api/types";
import { mockFetch, signedIn } from "../test/fetchMock";
import { renderAt } from "../test/render";
import { PlansPage } from "./PlansPage";

const counts = { create: 0, update: 0, delete: 0, wait: 0 };
const plan: Plan = {
  hash: "ab12cd34ef56ab78",
  action: "apply",
  created_at: "2026-11-29T10:00:00Z",
  created_by: "operator@example.com",
  summary: { sites: 40, sites_affected: 12, sites_waiting: 1, deletes: 0, errors: 0,
             layers: { dns: { ...counts, update: 12 }, hosting: counts } },
  changes: [{ domain: "a.com", layer: "dns", kind: "update", target: "A www.a.com", reason: "points elsewhere",
              before: "192.0.2.9 (proxied)", after: "203.0.113.10 (proxied)", action: "update_record" }],
  errors: [],
  markdown: "",
  needs_confirmation: true,
  guard_limit: 8,
  applied_at: null,
  applied_by: null,
};

describe("PlansPage", () => {
  it("plans read-only, shows every change and applies only after the operator types the number of sites", async () => {
    signedIn();
    const fetch = mockFetch()
      .on("POST", "/api/plans", { status: 201, body: plan })
      .on("POST", `/api/plans/${plan.hash}/apply`, { status: 202, body: { hash: plan.hash, runs: [
        { domain: "a.com", steps: ["dns_zone"], run_id: "r1", url: "http://dagster.test/runs/r1" }] } });
    renderAt(<PlansPage />, "/plans");
    await userEvent.click(screen.getByRole("button", { name: "Make the plan" }));
    expect(await screen.findByText("A www.a.com")).toBeInTheDocument();
    expect(screen.getByText(/12 of 40 site\(s\) would change/)).toBeInTheDocument();
    expect(fetch.calls[0].body).toMatchObject({ all: true, action: "apply" });

    const apply = screen.getByRole("button", { name: "Apply this plan" });
    expect(apply).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Type 12 to confirm/), "11");
    expect(apply).toBeDisabled();
    await userEvent.clear(screen.getByLabelText(/Type 12 to confirm/));
    await userEvent.type(screen.getByLabelText(/Type 12 to confirm/), "12");
    await userEvent.click(apply);
    expect(await screen.findByText(/1 run launched/)).toBeInTheDocument();
    expect(fetch.calls.at(-1)!.body).toEqual({ confirm: plan.hash });
    // (without the guard the UI sends an empty confirmation)
    expect(fetch.calls.at(-1)!.headers["X-Factory-Client"]).toBe("ui");
  });

  it("shows the guard's refusal when what the plan saw has changed", async () => {
    signedIn();
    mockFetch()
      .on("POST", "/api/plans", { status: 201, body: { ...plan, needs_confirmation: false } })
      .on("POST", `/api/plans/${plan.hash}/apply`, { status: 409, body: {
        detail: "what plan ab12cd34ef56ab78 observed has changed since (now ffff): plan again and review it",
        needs_confirmation: false, plan: { ...plan, hash: "ffff000011112222", needs_confirmation: false } } });
    renderAt(<PlansPage />, "/plans");
    await userEvent.click(screen.getByRole("button", { name: "Make the plan" }));
    await userEvent.click(await screen.findByRole("button", { name: "Apply this plan" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("has changed since");
    expect(screen.getByText("ffff000011112222")).toBeInTheDocument(); // the plan as it is now
  });
});
