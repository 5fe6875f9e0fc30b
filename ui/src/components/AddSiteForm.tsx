import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { errorMessage } from "../api/errors";
import type { CloudflareAccount, GoogleAccount, Site } from "../api/types";

interface Props {
  cloudflare: CloudflareAccount[];
  google: GoogleAccount[];
  onCreated: (site: Site) => void;
  onCancel: () => void;
}

/** Add one site. The API checks everything (domain rules, accounts) and its `detail` is shown as is. */
export function AddSiteForm({ cloudflare, google, onCreated, onCancel }: Props) {
  const [domain, setDomain] = useState("");
  const [brand, setBrand] = useState("");
  const [cloudflareAccount, setCloudflareAccount] = useState(cloudflare[0]?.account_nickname ?? "");
  const [googleAccount, setGoogleAccount] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const site = await api.createSite({
        domain,
        cloudflare_account: cloudflareAccount,
        gsc_account: googleAccount || null,
        brand_name: brand.trim() || null,
      });
      setDomain("");
      setBrand("");
      onCreated(site);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="add-site-title">
      <h2 id="add-site-title">Add a site</h2>
      {cloudflare.length === 0 && (
        <p className="notice">Add a Cloudflare account first (Accounts page): every site needs one.</p>
      )}
      <div className="form-grid">
        <label>
          Domain
          <input name="domain" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="my-site.com" autoFocus />
        </label>
        <label>
          Brand name <span className="muted">(optional)</span>
          <input name="brand_name" value={brand} onChange={(e) => setBrand(e.target.value)} />
        </label>
        <label>
          Cloudflare account
          <select name="cloudflare_account" value={cloudflareAccount} onChange={(e) => setCloudflareAccount(e.target.value)}>
            {cloudflare.length === 0 && <option value="">—</option>}
            {cloudflare.map((a) => (
              <option key={a.id} value={a.account_nickname}>
                {a.account_nickname} ({a.email})
              </option>
            ))}
          </select>
        </label>
        <label>
          Google account <span className="muted">(optional)</span>
          <select name="gsc_account" value={googleAccount} onChange={(e) => setGoogleAccount(e.target.value)}>
            <option value="">None</option>
            {google.map((a) => (
              <option key={a.id} value={a.email}>
                {a.email}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Adding…" : "Add site"}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}
