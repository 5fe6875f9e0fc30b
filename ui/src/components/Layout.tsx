import { NavLink, Outlet } from "react-router";
import { useAuth } from "../auth/AuthContext";

const LINKS = [
  { to: "/sites", label: "Sites" },
  { to: "/analytics", label: "Analytics" },
  { to: "/accounts", label: "Accounts" },
  { to: "/quality", label: "Duplicates" },
  { to: "/health", label: "Health" },
  { to: "/plans", label: "Plans" },
  { to: "/audit", label: "Audit" },
];

export function Layout() {
  const { session, signOut } = useAuth();
  return (
    <div className="layout">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Website Factory</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((link) => (
              <li key={link.to}>
                <NavLink to={link.to}>{link.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="who-email">{session?.email}</span>
          <button type="button" className="btn btn-small" onClick={() => signOut("You have signed out.")}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
