import { useState } from "react";
import { errorMessage } from "../api/errors";
import { useApi } from "../api/useApi";
import type { AccountKind, AnyAccount } from "../lib/accountKinds";
import { formatDateTime } from "../lib/dates";
import { AccountForm } from "./AccountForm";
import { AccountSites } from "./AccountSites";
import { ReplaceSecret } from "./ReplaceSecret";
import { maskedHint } from "./SecretInput";
import { Empty, ErrorBox, Loading } from "./States";

/** One kind of account: list with masked secrets, the sites using each, add, replace secret, delete. */
export function AccountsSection({ kind }: { kind: AccountKind }) {
  const accounts = useApi(() => kind.list(), [kind]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function remove(account: AnyAccount) {
    if (!window.confirm(`Delete ${kind.name(account)}?`)) return;
    try {
      await kind.remove(account.id);
      setMessage({ text: `Deleted ${kind.name(account)}.`, error: false });
      accounts.reload();
    } catch (err) {
      setMessage({ text: errorMessage(err), error: true });
    }
  }

  return (
    <section className="card" aria-labelledby={`${kind.key}-title`}>
      <h2 id={`${kind.key}-title`}>{kind.title}</h2>
      {message && (
        <p className={message.error ? "form-error" : "success"} role={message.error ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      {accounts.error ? (
        <ErrorBox error={accounts.error} onRetry={accounts.reload} />
      ) : !accounts.data ? (
        <Loading />
      ) : accounts.data.items.length === 0 ? (
        <Empty>No accounts yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table accounts-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">{kind.secret.label}</th>
                <th scope="col">Used by</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.items.map((account) => (
                <tr key={account.id} data-account={kind.name(account)}>
                  <td>
                    <strong>{kind.name(account)}</strong>
                    {kind.name(account) !== account.email && <div className="muted small">{account.email}</div>}
                    {"account_id" in account && (
                      <div className="small">
                        {account.account_id ? (
                          <span className="muted">ID {account.account_id}</span>
                        ) : (
                          <span className="error-text">No account ID: zones cannot be created</span>
                        )}
                      </div>
                    )}
                  </td>
                  <td>
                    <code aria-label={`stored, ending ${account.token_hint}`}>{maskedHint(account.token_hint)}</code>
                    <ReplaceSecret
                      kind={kind}
                      account={account}
                      onSaved={() => {
                        setMessage({ text: `Replaced the ${kind.secret.label.toLowerCase()} of ${kind.name(account)}.`, error: false });
                        accounts.reload();
                      }}
                    />
                  </td>
                  <td>
                    <AccountSites kind={kind} account={account} />
                  </td>
                  <td className="small">{formatDateTime(account.created_at)}</td>
                  <td>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => remove(account)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add an account</h3>
      <AccountForm
        kind={kind}
        onSaved={(account) => {
          setMessage({ text: `Added ${kind.name(account)}.`, error: false });
          accounts.reload();
        }}
      />
    </section>
  );
}
