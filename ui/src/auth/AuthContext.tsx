import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, setUnauthorizedHandler } from "../api/client";
import { clearSession, loadSession, saveSession, type Session } from "./session";

interface AuthValue {
  session: Session | null;
  /** Why the operator was signed out (expired session), shown on the sign-in page. */
  notice: string | null;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: (notice?: string) => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearSession();
    setSession(null);
    setNotice(message ?? null);
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const token = await api.signIn(email, password);
    // Expire a little early so a request never leaves with a token about to lapse.
    const next = { token: token.access_token, email, expiresAt: Date.now() + Math.max(0, token.expires_in - 5) * 1000 };
    saveSession(next);
    setNotice(null);
    setSession(next);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler((message) => signOut(`Your session has ended: ${message}`));
    return () => setUnauthorizedHandler(() => {});
  }, [signOut]);

  // Sign out when the token lapses, even if the operator is idle.
  useEffect(() => {
    if (!session) return;
    const timer = window.setTimeout(
      () => signOut("Your session has expired; sign in again."),
      Math.max(0, Math.min(session.expiresAt - Date.now(), 2_147_000_000)),
    );
    return () => window.clearTimeout(timer);
  }, [session, signOut]);

  const value = useMemo(() => ({ session, notice, signIn, signOut }), [session, notice, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
