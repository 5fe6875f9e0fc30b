import { describe, expect, it } from "vitest";
import { LIVE, makeSite } from "../test/fetchMock";
import { STEPS, isSettling, siteState, stateOf } from "./steps";

const step = (key: string) => STEPS.find((s) => s.key === key)!;

describe("onboarding steps", () => {
  it("maps each API status to a state", () => {
    const site = makeSite({ status_dns: "active", status_content: "generating", status_deployment: "deploying" });
    expect(stateOf(step("dns"), site)).toBe("done");
    expect(stateOf(step("content"), site)).toBe("running");
    expect(stateOf(step("deployment"), site)).toBe("running");
    expect(stateOf(step("hosting"), site)).toBe("pending");
  });

  it("derives Matomo from the site id and its recorded failure", () => {
    expect(stateOf(step("matomo"), makeSite())).toBe("pending");
    expect(stateOf(step("matomo"), makeSite({ matomo_site_id: 3 }))).toBe("done");
    expect(stateOf(step("matomo"), makeSite({ error_step: "matomo_site", error_message: "boom" }))).toBe("failed");
  });

  it("summarises a site", () => {
    expect(siteState(makeSite())).toBe("pending");
    expect(siteState(makeSite({ status_dns: "active" }))).toBe("onboarding");
    expect(siteState(makeSite(LIVE))).toBe("live");
    expect(siteState(makeSite({ ...LIVE, status_hosting: "failed", error_step: "status_hosting", error_message: "x" }))).toBe("failed");
    expect(isSettling(makeSite(LIVE))).toBe(false);
    expect(isSettling(makeSite({ status_dns: "active" }))).toBe(true);
  });
});
