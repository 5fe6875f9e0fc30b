import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { RunsList } from "./RunsList";

const run = (over: Partial<Run>): Run => ({
  run_id: "r1", status: "SUCCESS", job: "onboard_site_job", url: "http://dagster/runs/r1",
  created_at: "2026-11-30T10:02:00Z", started_at: null, ended_at: null, steps: null, trigger: null, why: null, ...over,
});

describe("RunsList", () => {
  it("says why the platform started each run: a new site's delegation, a follow-up's finding", () => {
    render(<RunsList runs={[
      run({ run_id: "a", steps: ["dns_zone"], trigger: "new-site", why: "delegation" }),
      run({ run_id: "b", steps: ["gsc_property"], trigger: "follow-up", why: "gsc_property: look again" }),
      run({ run_id: "c", trigger: "hub" }),
    ]} />);
    const items = within(screen.getByRole("list")).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent(/dns_zone.*new-site: delegation/);
    expect(items[1]).toHaveTextContent(/gsc_property.*follow-up: gsc_property: look again/);
    expect(items[2]).toHaveTextContent(/whole onboarding.*· hub$/);
  });
});
