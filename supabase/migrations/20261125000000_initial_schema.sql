-- Website Factory: the system of record (technical-design.md §2).
-- The four tables below carry the spec's columns exactly; columns the product adds are marked
-- "product:" and documented in docs/schema.md. Plain Postgres: `supabase db push` applies this
-- to a Supabase project, `factory db upgrade` to any Postgres.

create table public.cloudflare_accounts (
    id uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now(),
    email text not null unique,
    account_nickname text not null unique,
    api_token text not null                      -- Fernet ciphertext, never plaintext
);

create table public.gsc_accounts (
    id uuid primary key default gen_random_uuid(),
    email text not null unique,
    oauth_refresh_token text not null,           -- Fernet ciphertext, never plaintext
    created_at timestamptz not null default now()
);

create table public.sites (
    id uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now(),
    domain text not null unique,
    brand_name text,
    cloudflare_account_id uuid not null references public.cloudflare_accounts (id),
    gsc_account_id uuid references public.gsc_accounts (id),
    status_dns text not null default 'pending',
    status_hosting text not null default 'pending',
    status_content text not null default 'pending',
    status_deployment text not null default 'pending',
    hosting_doc_root text,
    matomo_site_id integer,
    gsc_verification_status text not null default 'pending',
    error_message text,
    -- product: the step whose failure error_message describes, so a later success of that
    -- step clears it without erasing another step's failure.
    error_step text,
    -- product: monotonic insertion order; the new-sites sensor's cursor.
    seq bigserial not null unique,
    -- product: last change to any column, for the UI's refresh and audits.
    updated_at timestamptz not null default now(),
    constraint sites_domain_lower check (domain = lower(domain)),
    constraint sites_status_dns_values check (status_dns in ('pending', 'active', 'failed')),
    constraint sites_status_hosting_values check (status_hosting in ('pending', 'active', 'failed')),
    constraint sites_status_content_values
        check (status_content in ('pending', 'generating', 'generated', 'failed')),
    constraint sites_status_deployment_values
        check (status_deployment in ('pending', 'deploying', 'deployed', 'failed')),
    constraint sites_gsc_verification_status_values
        check (gsc_verification_status in ('pending', 'verified', 'failed'))
);

create table public.daily_analytics (
    date date not null,
    site_id uuid not null references public.sites (id) on delete cascade,
    matomo_visits integer,
    gsc_clicks integer,
    gsc_impressions integer,
    primary key (date, site_id)
);

create index sites_cloudflare_account_id_idx on public.sites (cloudflare_account_id);
create index sites_gsc_account_id_idx on public.sites (gsc_account_id);
create index daily_analytics_site_id_date_idx on public.daily_analytics (site_id, date);

-- product: one row per status change, so operators can see what happened and when.
create table public.site_events (
    id bigserial primary key,
    at timestamptz not null default now(),
    site_id uuid not null references public.sites (id) on delete cascade,
    step text not null,
    status text not null,
    message text
);
create index site_events_site_id_at_idx on public.site_events (site_id, at desc);

-- product: removed sites, so the sensor can drop their partitions without scanning `sites`.
create table public.site_deletions (
    seq bigserial primary key,
    domain text not null,
    deleted_at timestamptz not null default now()
);

create function public.record_site_deletion() returns trigger
language plpgsql as $$
begin
    insert into public.site_deletions (domain) values (old.domain);
    return old;
end;
$$;

create trigger sites_record_deletion after delete on public.sites
    for each row execute function public.record_site_deletion();

create function public.touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

create trigger sites_touch_updated_at before update on public.sites
    for each row execute function public.touch_updated_at();

-- Supabase exposes public tables over its REST API: with RLS on and no policies, only the
-- service role (the backend) reads or writes them.
alter table public.cloudflare_accounts enable row level security;
alter table public.gsc_accounts enable row level security;
alter table public.sites enable row level security;
alter table public.daily_analytics enable row level security;
alter table public.site_events enable row level security;
alter table public.site_deletions enable row level security;
