import { useState, type ChangeEvent } from "react";
import { api } from "../api/client";
import { ApiError, errorMessage } from "../api/errors";
import type { ImportReport, ImportRowError } from "../api/types";
import { ImportPreview, RowErrors } from "./ImportPreview";

const HEADER = "domain,brand_name,cloudflare_account,gsc_account";

/** Bulk import: preview first (the API's dry run writes nothing), then import. */
export function CsvImport({ onImported, onCancel }: { onImported: (report: ImportReport) => void; onCancel: () => void }) {
  const [csv, setCsv] = useState("");
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [error, setError] = useState<{ message: string; rows: ImportRowError[] } | null>(null);
  const [busy, setBusy] = useState(false);

  function edit(text: string) {
    setCsv(text);
    setPreview(null); // a preview only holds for the text it was made from
    setResult(null);
    setError(null);
  }

  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) edit(await file.text());
  }

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const report = await api.importSites(csv, { dryRun, skipInvalid });
      if (dryRun) setPreview(report);
      else {
        setResult(report);
        setPreview(null);
        onImported(report);
      }
    } catch (err) {
      setError({ message: errorMessage(err), rows: err instanceof ApiError ? err.rowErrors : [] });
    } finally {
      setBusy(false);
    }
  }

  const blocked = !preview || preview.valid === 0 || (preview.errors.length > 0 && !skipInvalid);
  return (
    <section className="card form" aria-labelledby="import-title">
      <h2 id="import-title">Import sites from CSV</h2>
      <p className="muted small">
        Header: <code>{HEADER}</code> (domain and cloudflare_account required). Spaces around cells are trimmed. Preview
        checks every row and writes nothing.
      </p>
      <label>
        CSV file
        <input type="file" accept=".csv,text/csv,text/plain" onChange={readFile} />
      </label>
      <label>
        CSV text
        <textarea name="csv" rows={6} value={csv} onChange={(e) => edit(e.target.value)} placeholder={`${HEADER}\nmy-site.com,My Site,CF_Batch_1,`} spellCheck={false} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
        Import the valid rows and skip the bad ones
      </label>
      {error && (
        <div className="form-error" role="alert">
          <p>{error.message}</p>
          {error.rows.length > 0 && <RowErrors errors={error.rows} />}
        </div>
      )}
      {preview && <ImportPreview report={preview} />}
      {result && (
        <p className="success" role="status">
          Imported {result.written} site{result.written === 1 ? "" : "s"}
          {result.errors.length ? `; skipped ${result.errors.length} bad row(s)` : ""}.
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => run(true)} disabled={busy || !csv.trim()}>
          Preview
        </button>
        <button type="button" className="btn btn-primary" onClick={() => run(false)} disabled={busy || blocked}>
          {blocked ? "Import" : `Import ${preview.valid} site${preview.valid === 1 ? "" : "s"}`}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Close
        </button>
      </div>
      {preview && preview.errors.length > 0 && !skipInvalid && (
        <p className="muted small">Fix the bad rows, or tick “skip the bad ones” to import the valid rows only.</p>
      )}
    </section>
  );
}
