import { useState, type FormEvent } from "react";
import { errorMessage } from "../api/errors";
import type { AccountKind, AnyAccount } from "../lib/accountKinds";
import { SecretInput } from "./SecretInput";

/** Replace a stored secret; the old one is never shown, only its hint. */
export function ReplaceSecret({ kind, account, onSaved }: { kind: AccountKind; account: AnyAccount; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await kind.update(account.id, { [kind.secret.name]: secret });
      setSecret("");
      setOpen(false);
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!open)
    return (
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        Replace {kind.secret.label.toLowerCase()}
      </button>
    );
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={`Replace the ${kind.secret.label} of ${kind.name(account)}`}>
      <SecretInput label={`New ${kind.secret.label.toLowerCase()}`} name={kind.secret.name} value={secret} onChange={setSecret} hint={account.token_hint} />
      <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
