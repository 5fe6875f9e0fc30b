// The session: the bearer token in memory, mirrored to sessionStorage (this tab only, gone when
// the tab closes) so a reload keeps the operator signed in. Never localStorage.

const KEY = "factory.session";

export interface Session {
  token: string;
  email: string;
  expiresAt: number; // epoch milliseconds
}

let current: Session | null = null;

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt <= now;
}

export function loadSession(now = Date.now()): Session | null {
  if (current && !isExpired(current, now)) return current;
  current = null;
  const raw = storage()?.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Session;
    if (typeof parsed.token === "string" && typeof parsed.expiresAt === "number" && !isExpired(parsed, now)) {
      current = parsed;
      return parsed;
    }
  } catch {
    /* a damaged entry is dropped below */
  }
  storage()?.removeItem(KEY);
  return null;
}

export function saveSession(session: Session): void {
  current = session;
  storage()?.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  current = null;
  storage()?.removeItem(KEY);
}
