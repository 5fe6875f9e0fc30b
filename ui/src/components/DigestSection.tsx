import { useState } from "react";
import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { formatDateTime } from "../lib/dates";
import { ErrorBox, Loading } from "./States";

const MODE_LABEL: Record<string, string> = {
  off: "off (FACTORY_ALERT_DIGEST=off): sent only on request",
  daily: "daily, besides the alerts",
  only: "daily, instead of the per-problem alerts",
};

/** The daily digest: today's summary of the open problems by kind, as the message says it, and "Send now". */
export function DigestSection({ refreshKey }: { refreshKey?: unknown }) {
  const digest = useApi(() => api.healthDigest(), [refreshKey]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function send() {
    setBusy(true);
    setMessage(null);
    try {
      const out = await api.sendHealthDigest();
      setMessage(out.sent ? `Digest ${out.reason}.` : `Not sent: ${out.reason}.`);
      digest.reload();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : "The digest could not be sent.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="digest-title">
      <h2 id="digest-title">Daily digest</h2>
      {digest.error ? (
        <ErrorBox error={digest.error} onRetry={digest.reload} />
      ) : !digest.data ? (
        <Loading />
      ) : (
        <>
          <p className="small">
            Digest: {MODE_LABEL[digest.data.mode] ?? digest.data.mode}
            {digest.data.mode !== "off" && <>, at {String(digest.data.hour_utc).padStart(2, "0")}:00 UTC</>}.{" "}
            {digest.data.sent_at ? <>Today's was sent {formatDateTime(digest.data.sent_at)}.</> : <>Today's has not been sent.</>}
          </p>
          <pre className="digest" aria-label="Today's digest">{digest.data.text}</pre>
          <button type="button" className="btn btn-small" disabled={busy || !!digest.data.sent_at} onClick={() => void send()}>
            {busy ? "Sending…" : "Send today's digest now"}
          </button>
          {message && (
            <p className="small" role="status">
              {message}
            </p>
          )}
        </>
      )}
    </section>
  );
}
