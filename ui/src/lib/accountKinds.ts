import { api } from "../api/client";
import type {
  CloudflareAccount,
  CloudflareAccountCreate,
  GoogleAccount,
  GoogleAccountCreate,
  SitesQuery,
} from "../api/types";

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

type Field = AccountKind["fields"][number];
// The form's field names are the API's (the API refuses unknown fields): checked against its schema.
const fieldsOf = <Body>(fields: (Field & { name: keyof Body & string })[]) => fields;
const secretOf = <Body>(secret: { name: keyof Body & string; label: string }) => secret;

export const CLOUDFLARE: AccountKind = {
  key: "cloudflare",
  title: "Cloudflare accounts",
  fields: fieldsOf<CloudflareAccountCreate>([
    { name: "account_nickname", label: "Nickname" },
    { name: "email", label: "Email", type: "email" },
    { name: "account_id", label: "Account ID" },
  ]),
  secret: secretOf<CloudflareAccountCreate>({ name: "api_token", label: "API token" }),
  siteFilter: "cloudflare_account_id",
  filterValue: (id) => `cf:${id}`,
  name: (a) => ("account_nickname" in a ? a.account_nickname : a.email),
  list: () => api.cloudflareAccounts(),
  create: (body) => api.createCloudflareAccount(body as CloudflareAccountCreate),
  update: (id, body) => api.updateCloudflareAccount(id, body),
  remove: (id) => api.deleteCloudflareAccount(id),
};

export const GOOGLE: AccountKind = {
  key: "google",
  title: "Google accounts (Search Console)",
  fields: fieldsOf<GoogleAccountCreate>([{ name: "email", label: "Email", type: "email" }]),
  secret: secretOf<GoogleAccountCreate>({ name: "refresh_token", label: "OAuth refresh token" }),
  siteFilter: "gsc_account_id",
  filterValue: (id) => `g:${id}`,
  name: (a) => a.email,
  list: () => api.googleAccounts(),
  create: (body) => api.createGoogleAccount(body as GoogleAccountCreate),
  update: (id, body) => api.updateGoogleAccount(id, body),
  remove: (id) => api.deleteGoogleAccount(id),
};
