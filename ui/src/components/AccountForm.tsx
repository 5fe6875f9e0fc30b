import { useState, type FormEvent } from "react";
import { errorMessage } from "../api/errors";
import type { AccountKind, AnyAccount } from "../lib/accountKinds";
import { SecretInput } from "./SecretInput";

/** Add an account (all fields) — the API's `detail` is shown when it refuses. */
export function AccountForm({ kind, onSaved }: { kind: AccountKind; onSaved: (account: AnyAccount) => void }) {
  const empty = Object.fromEntries([...kind.fields.map((f) => [f.name, ""]), [kind.secret.name, ""]]);
  const [values, setValues] = useState<Record<string, string>>(empty);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const account = await kind.create(values);
      setValues(empty);
      onSaved(account);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={`Add a ${kind.key === "cloudflare" ? "Cloudflare" : "Google"} account`}>
      {kind.fields.map((field) => (
        <label key={field.name}>
          {field.label}
          <input
            name={field.name}
            type={field.type ?? "text"}
            autoComplete="off"
            value={values[field.name]}
            onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
          />
        </label>
      ))}
      <SecretInput label={kind.secret.label} name={kind.secret.name} value={values[kind.secret.name]} onChange={(v) => setValues({ ...values, [kind.secret.name]: v })} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Add account
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
