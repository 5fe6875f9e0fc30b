import { api } from "../api/client";
import type { CloudflareAccount, GoogleAccount, SitesQuery } from "../api/types";

export type AnyAccount = CloudflareAccount | GoogleAccount;

export interface AccountKind {
  key: "cloudflare" | "google";
  title: string;
  /** Plain fields (besides the secret), as the API names them. */
  fields: { name: string; label: string; type?: string }[];
  secret: { name: string; label: string };
  /** The GET /api/sites filter that lists the account's sites. */
  siteFilter: keyof SitesQuery & ("cloudflare_account_id" | "gsc_account_id");
  filterValue: (id: string) => string;
  name: (account: AnyAccount) => string;
  list: () => Promise<{ items: AnyAccount[] }>;
  create: (body: Record<string, string>) => Promise<AnyAccount>;
  update: (id: string, body: Record<string, string>) => Promise<AnyAccount>;
  remove: (id: string) => Promise<void>;
}

export const CLOUDFLARE: AccountKind = {
  key: "cloudflare",
  title: "Cloudflare accounts",
  fields: [
    { name: "account_nickname", label: "Nickname" },
    { name: "email", label: "Email", type: "email" },
  ],
  secret: { name: "api_token", label: "API token" },
  siteFilter: "cloudflare_account_id",
  filterValue: (id) => `cf:${id}`,
  name: (a) => ("account_nickname" in a ? a.account_nickname : a.email),
  list: () => api.cloudflareAccounts(),
  create: (body) => api.createCloudflareAccount(body as { email: string; account_nickname: string; api_token: string }),
  update: (id, body) => api.updateCloudflareAccount(id, body),
  remove: (id) => api.deleteCloudflareAccount(id),
};

export const GOOGLE: AccountKind = {
  key: "google",
  title: "Google accounts (Search Console)",
  fields: [{ name: "email", label: "Email", type: "email" }],
  secret: { name: "refresh_token", label: "OAuth refresh token" },
  siteFilter: "gsc_account_id",
  filterValue: (id) => `g:${id}`,
  name: (a) => a.email,
  list: () => api.googleAccounts(),
  create: (body) => api.createGoogleAccount(body as { email: string; refresh_token: string }),
  update: (id, body) => api.updateGoogleAccount(id, body),
  remove: (id) => api.deleteGoogleAccount(id),
};
