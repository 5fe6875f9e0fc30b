import type { ImportReport, ImportRowError } from "../api/types";

/** What an import would do: each bad row with its reason, and the domains that would be added. */
export function ImportPreview({ report }: { report: ImportReport }) {
  const bad = report.errors.length;
  return (
    <section className="import-preview" aria-label="Import preview">
      <p className={bad ? "notice" : "success"} role="status">
        {report.rows} row{report.rows === 1 ? "" : "s"} read: {report.valid} valid
        {bad ? `, ${bad} with errors` : ""}.
      </p>
      {bad > 0 && <RowErrors errors={report.errors} />}
      {report.notes && report.notes.length > 0 && (
        <ul className="import-notes muted small" aria-label="Changes made to rows">
          {report.notes.map((n) => (
            <li key={`${n.line}-${n.note}`}>
              Line {n.line}
              {n.domain ? ` (${n.domain})` : ""}: {n.note}
            </li>
          ))}
        </ul>
      )}
      {report.domains.length > 0 && (
        <details open={report.domains.length <= 20}>
          <summary>
            {report.dry_run ? "Would add" : "Added"} {report.domains.length} site{report.domains.length === 1 ? "" : "s"}
          </summary>
          <ul className="domain-list">
            {report.domains.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function RowErrors({ errors }: { errors: ImportRowError[] }) {
  return (
    <table className="table row-errors">
      <caption>Rows with errors</caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Domain</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e) => (
          <tr key={`${e.line}-${e.domain}`} data-line={e.line}>
            <td>{e.line}</td>
            <td>{e.domain ?? "—"}</td>
            <td className="error-text">{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
