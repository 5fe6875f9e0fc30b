import { describe, expect, it } from "vitest";
import type { SiteChanges } from "../api/types";
import { makeSite } from "../test/fetchMock";
import { applyChanges, type PageView } from "./siteChanges";
import { earlierCursor } from "./useSiteChanges";

const a = makeSite({ domain: "a.com" });
const c = makeSite({ domain: "c.com" });
const e = makeSite({ domain: "e.com" });
const view: PageView = { rows: [a, c, e], filter: { search: "", status: "", account: "" }, sort: "domain", dir: "asc", first: false, full: true };
const changes = (over: Partial<SiteChanges>): SiteChanges => ({ cursor: "2", changed: [], deleted: [], more: false, summary: null, ...over });

describe("applying what changed to the page shown", () => {
  it("patches a changed row in place", () => {
    const failed = { ...c, status_dns: "failed" as const, error_message: "refused", state: "failed" as const };
    const applied = applyChanges(view, changes({ changed: [failed] }));
    expect(applied).toEqual({ rows: [a, failed, e], reload: false });
  });

  it("reloads when a row leaves the filter, a new site sorts into the page, a row is deleted, or too much changed", () => {
    const failedView = { ...view, filter: { ...view.filter, status: "pending" as const } };
    expect(applyChanges(failedView, changes({ changed: [{ ...c, state: "failed" }] })).reload).toBe(true);
    expect(applyChanges(view, changes({ changed: [makeSite({ domain: "b.com" })] })).reload).toBe(true);
    expect(applyChanges(view, changes({ deleted: ["e.com"] })).reload).toBe(true);
    expect(applyChanges(view, changes({ more: true })).reload).toBe(true);
  });

  it("ignores sites that belong on another page or do not match", () => {
    expect(applyChanges(view, changes({ changed: [makeSite({ domain: "z.com" })] })).reload).toBe(false); // a later page
    expect(applyChanges({ ...view, full: false }, changes({ changed: [makeSite({ domain: "z.com" })] })).reload).toBe(true); // the last page
    const searching = { ...view, filter: { ...view.filter, search: "zzz" } };
    expect(applyChanges(searching, changes({ changed: [makeSite({ domain: "b.com" })] })).reload).toBe(false);
    expect(applyChanges(view, changes({ deleted: ["other.com"] })).reload).toBe(false);
  });

  it("keeps the earlier cursor", () => {
    expect(earlierCursor(null, "12")).toBe("12");
    expect(earlierCursor("100", "99")).toBe("99");
    expect(earlierCursor("99", "100")).toBe("99");
  });
});
