-- Onboarding (issue 3): what the per-site assets record beyond the spec's columns, and the
-- shared request budget that keeps the whole fleet under each vendor's rate limit.

alter table public.sites
    add column cloudflare_zone_id text,            -- product: the zone in the site's Cloudflare account
    add column cloudflare_name_servers text[],     -- product: Cloudflare's assigned pair, set at Namecheap
    add column cloudflare_zone_status text,        -- product: pending | active | moved (Cloudflare's word)
    add column hosting_site_user text unique,      -- product: CloudPanel site user (unique: no collisions)
    add column hosting_certificate boolean not null default false,  -- product: Let's Encrypt installed
    add column gsc_property text;                  -- product: e.g. sc-domain:example.com once added

-- One row per credential bucket (vendor + hash of the credential, never the credential).
create table public.rate_limit_buckets (
    bucket text primary key
);
-- One row per request sent in the current window; old rows are pruned as requests go out.
create table public.rate_limit_hits (
    bucket text not null references public.rate_limit_buckets (bucket) on delete cascade,
    at timestamptz not null
);
create index rate_limit_hits_bucket_at_idx on public.rate_limit_hits (bucket, at);

alter table public.rate_limit_buckets enable row level security;
alter table public.rate_limit_hits enable row level security;
