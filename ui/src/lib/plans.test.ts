import { describe, expect, it } from "vitest";
import type { Plan } from "../api/types";
import { sitesToConfirm } from "./plans";

const plan = (action: string, summary: Partial<Plan["summary"]>) =>
  ({ action, summary: { sites: 5, sites_affected: 0, sites_waiting: 0, sites_unobserved: 0, deletes: 0, layers: {}, errors: 0, ...summary } }) as Plan;

describe("sitesToConfirm", () => {
  it("counts changed sites and sites that could not be observed, as the guard does", () => {
    expect(sitesToConfirm(plan("rerun", { sites_affected: 0, sites_unobserved: 2 }))).toBe(2);
    expect(sitesToConfirm(plan("apply", { sites_affected: 3, sites_unobserved: 1 }))).toBe(4);
  });
  it("asks for every selected site when decommissioning", () => {
    expect(sitesToConfirm(plan("decommission", { sites: 5, sites_affected: 4 }))).toBe(5);
  });
});
