import { describe, expect, it } from "vitest";
import { isRepairable } from "./health";

describe("isRepairable", () => {
  it("offers repair for drift, moved name servers, a removed doc root and a removed verification TXT", () => {
    for (const kind of ["drift.dns", "drift.hosting", "nameservers", "doc_root", "verification_txt"]) {
      expect(isRepairable(kind)).toBe(true);
    }
  });
  it("does not offer it for what a plan cannot fix", () => {
    for (const kind of ["https", "certificate", "domain_expiry", "auto_renew", "step_failed", "unobserved"]) {
      expect(isRepairable(kind)).toBe(false);
    }
  });
});
