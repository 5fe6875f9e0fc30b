import { useCallback, useEffect, useRef, useState } from "react";

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Load with `load()` whenever `deps` change; keep the last good data while reloading.
 * With `pollMs`, reload in the background every pollMs while `shouldPoll(data)` holds
 * (e.g. while onboarding runs), and not while the tab is hidden.
 */
export function useApi<T>(
  load: () => Promise<T>,
  deps: unknown[],
  options: { pollMs?: number; shouldPoll?: (data: T | undefined) => boolean } = {},
): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef
      .current()
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      })
      .catch((err: unknown) => {
        if (mine === generation.current) setError(err);
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const { pollMs, shouldPoll } = options;
  const polling = pollMs !== undefined && (shouldPoll ? shouldPoll(data) : true);
  useEffect(() => {
    if (!polling) return;
    const timer = window.setInterval(() => {
      if (typeof document === "undefined" || document.visibilityState !== "hidden") setTick((t) => t + 1);
    }, pollMs);
    return () => window.clearInterval(timer);
  }, [polling, pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
