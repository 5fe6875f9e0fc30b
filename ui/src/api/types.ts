// The Hub API's shapes (hub_api/schemas/*.py), as the UI uses them.

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Token {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  source: "local" | "supabase";
}

export interface Operator {
  subject: string;
  email: string | null;
  source: "local" | "supabase";
  expires_at: string;
}

export type DnsStatus = "pending" | "active" | "failed";
export type ContentStatus = "pending" | "generating" | "generated" | "failed";
export type DeploymentStatus = "pending" | "deploying" | "deployed" | "failed";
export type VerificationStatus = "pending" | "verified" | "failed";

export interface Site {
  id: string;
  created_at: string;
  updated_at: string;
  domain: string;
  brand_name: string | null;
  cloudflare_account_id: string;
  cloudflare_account: string;
  gsc_account_id: string | null;
  gsc_account: string | null;
  status_dns: DnsStatus;
  status_hosting: DnsStatus;
  status_content: ContentStatus;
  status_deployment: DeploymentStatus;
  gsc_verification_status: VerificationStatus;
  hosting_doc_root: string | null;
  matomo_site_id: number | null;
  error_message: string | null;
  error_step: string | null;
  cloudflare_zone_id?: string | null;
  cloudflare_zone_status?: string | null;
  gsc_property?: string | null;
}

export interface SiteCreate {
  domain: string;
  cloudflare_account: string;
  gsc_account?: string | null;
  brand_name?: string | null;
}

export interface ImportRowError {
  line: number;
  domain: string | null;
  reason: string;
}

/** A row the import accepted but changed, e.g. spaces trimmed around the domain. */
export interface ImportRowNote {
  line: number;
  domain: string | null;
  note: string;
}

export interface ImportReport {
  dry_run: boolean;
  rows: number;
  valid: number;
  written: number;
  errors: ImportRowError[];
  notes?: ImportRowNote[];
  domains: string[];
}

export interface SiteEvent {
  at: string;
  step: string;
  status: string;
  message: string | null;
}

export type AssetStep =
  | "dns_zone"
  | "hosting_site"
  | "matomo_site"
  | "gsc_property"
  | "site_content"
  | "site_build"
  | "site_deployment";

export interface RunLaunched {
  run_id: string;
  url: string;
  domain: string;
  job: string;
  step: AssetStep | null;
}

export interface BulkRunResult {
  launched: RunLaunched[];
  errors: { site: string; reason: string }[];
}

export interface Run {
  run_id: string;
  status: string;
  job: string;
  url: string;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  steps: string[] | null;
}

export interface CloudflareAccount {
  id: string;
  created_at: string;
  email: string;
  account_nickname: string;
  token_hint: string;
  sites: number;
}

export interface GoogleAccount {
  id: string;
  created_at: string;
  email: string;
  token_hint: string;
  sites: number;
}

export interface AnalyticsDay {
  date: string;
  site_id: string;
  domain: string;
  matomo_visits: number | null;
  gsc_clicks: number | null;
  gsc_impressions: number | null;
}

export interface SiteTotals {
  site_id: string;
  domain: string;
  days: number;
  matomo_visits: number;
  gsc_clicks: number;
  gsc_impressions: number;
}

export interface FleetDay {
  date: string;
  sites: number;
  matomo_visits: number;
  gsc_clicks: number;
  gsc_impressions: number;
}

export interface FleetAnalytics {
  start: string;
  end: string;
  days: FleetDay[];
  totals: { matomo_visits: number; gsc_clicks: number; gsc_impressions: number };
}
