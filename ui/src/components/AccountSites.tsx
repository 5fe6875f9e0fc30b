import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { errorMessage } from "../api/errors";
import type { AccountKind, AnyAccount } from "../lib/accountKinds";

const SHOWN = 100;

/** How many sites use the account, and (on demand) which. */
export function AccountSites({ kind, account }: { kind: AccountKind; account: AnyAccount }) {
  const [domains, setDomains] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function show() {
    try {
      const page = await api.sitesPage({ [kind.siteFilter]: account.id, limit: SHOWN });
      setDomains(page.items.map((s) => s.domain));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  if (account.sites === 0) return <span className="muted">No sites</span>;
  return (
    <div>
      <Link to={`/sites?account=${encodeURIComponent(kind.filterValue(account.id))}`}>
        {account.sites} site{account.sites === 1 ? "" : "s"}
      </Link>{" "}
      {domains === null ? (
        <button type="button" className="btn btn-link small" onClick={show}>
          list
        </button>
      ) : (
        <ul className="domain-list small">
          {domains.map((d) => (
            <li key={d}>
              <Link to={`/sites/${encodeURIComponent(d)}`}>{d}</Link>
            </li>
          ))}
          {account.sites > SHOWN && <li className="muted">… and {account.sites - SHOWN} more</li>}
        </ul>
      )}
      {error && <span className="error-text small">{error}</span>}
    </div>
  );
}
