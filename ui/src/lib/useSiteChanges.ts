import { useCallback, useEffect, useRef } from "react";
import { api } from "../api/client";
import type { SiteChanges } from "../api/types";

export const CHANGES_POLL_MS = 5000;

/** The earlier of two cursors (asking from the earlier one misses nothing; a row may come twice). */
export function earlierCursor(a: string | null, b: string): string {
  return a === null || BigInt(b) < BigInt(a) ? b : a;
}

/**
 * Poll the Hub for what changed in the fleet since the last look (an unchanged fleet answers in
 * a few bytes), while the tab is visible; `onChanges` hears every answer that holds a change.
 * Whoever reads what it shows calls `since(cursor)` with a cursor taken before that read, so a
 * change between the read and the next poll is not missed. A failed poll is asked again from
 * the same cursor on the next tick.
 */
export function useSiteChanges(onChanges: (changes: SiteChanges) => void, pollMs = CHANGES_POLL_MS): { since: (cursor: string) => void } {
  const handler = useRef(onChanges);
  handler.current = onChanges;
  const cursor = useRef<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let busy = false;

    async function tick() {
      if (busy || stopped || cursor.current === null) return;
      if (typeof document !== "undefined" && document.visibilityState === "hidden") return;
      busy = true;
      try {
        const asked = cursor.current;
        const answer = await api.siteChanges(asked);
        if (stopped) return;
        // A read since then may have moved the cursor back: keep the earlier one.
        cursor.current = cursor.current === asked ? answer.cursor : earlierCursor(cursor.current, answer.cursor);
        if (answer.more || answer.changed.length > 0 || answer.deleted.length > 0) handler.current(answer);
      } catch {
        // The next tick asks again from the same cursor.
      } finally {
        busy = false;
      }
    }

    const timer = window.setInterval(() => void tick(), pollMs);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [pollMs]);

  const since = useCallback((taken: string) => {
    cursor.current = earlierCursor(cursor.current, taken);
  }, []);
  return { since };
}
