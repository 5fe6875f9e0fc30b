import { api } from "../api/client";
import { useApi } from "../api/useApi";
import { formatDateTime } from "../lib/dates";
import { ErrorBox, Loading } from "./States";

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The databases' backups (factory backup serve): the latest, the next due, and a warning when the schedule is behind. */
export function BackupsSection() {
  const backups = useApi(() => api.backups(), []);
  const latest = backups.data?.backups[0];
  return (
    <section aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
      {backups.error ? (
        <ErrorBox error={backups.error} onRetry={backups.reload} />
      ) : !backups.data ? (
        <Loading />
      ) : (
        <>
          {backups.data.overdue && (
            <p role="alert" className="notice">
              {latest
                ? `The latest backup is older than twice the interval (${backups.data.interval_hours} h): is the backup service running?`
                : "No backup yet: the backup service (factory backup serve) has not made one."}
            </p>
          )}
          {latest && (
            <p>
              Latest <strong>{latest.name}</strong> ({formatDateTime(latest.created_at)}):{" "}
              {Object.entries(latest.databases)
                .map(([name, size]) => `${name} ${megabytes(size)}`)
                .join(", ")}
              . {backups.data.backups.length} kept (at most {backups.data.keep}); next due {formatDateTime(backups.data.next_due_at)}.
            </p>
          )}
          <p className="muted small">
            Restore: stop the services that write, then <code>factory backup restore {latest?.name ?? "latest"}</code>.
          </p>
        </>
      )}
    </section>
  );
}
