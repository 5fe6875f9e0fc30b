/** The problem kinds a repair (re-applying the plan) can fix: every drift, and the kinds a
 * layer's plan finds under their own name (factory/health/checks.py REPAIRABLE). */
const REPAIRABLE_KINDS = new Set(["nameservers", "doc_root", "verification_txt"]);

export function isRepairable(checkKind: string): boolean {
  return checkKind.startsWith("drift.") || REPAIRABLE_KINDS.has(checkKind);
}
