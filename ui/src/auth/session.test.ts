import { describe, expect, it } from "vitest";
import { clearSession, loadSession, saveSession } from "./session";

describe("session", () => {
  it("lives in sessionStorage only and expires", () => {
    const now = Date.now();
    saveSession({ token: "t", email: "a@b.c", expiresAt: now + 1000 });
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.getItem("factory.session")).toContain('"token":"t"');
    expect(loadSession(now)?.token).toBe("t");
    expect(loadSession(now + 2000)).toBeNull();
    expect(sessionStorage.getItem("factory.session")).toBeNull();
  });

  it("drops a damaged entry and clears on sign-out", () => {
    clearSession();
    sessionStorage.setItem("factory.session", "{not json");
    expect(loadSession()).toBeNull();
    saveSession({ token: "t", email: "a@b.c", expiresAt: Date.now() + 10_000 });
    clearSession();
    expect(loadSession()).toBeNull();
  });
});
