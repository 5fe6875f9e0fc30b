import { AccountsSection } from "../components/AccountsSection";
import { CLOUDFLARE, GOOGLE } from "../lib/accountKinds";

export function AccountsPage() {
  return (
    <div className="page">
      <div className="page-head">
        <h1>Accounts</h1>
      </div>
      <p className="muted small">Secrets are write-only: once saved they are never shown again, only their last characters. Replace one to rotate it.</p>
      <AccountsSection kind={CLOUDFLARE} />
      <AccountsSection kind={GOOGLE} />
    </div>
  );
}
