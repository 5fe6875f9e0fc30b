-- Fleet health ([3/8]): every problem a health sweep finds on a site — drift (a non-empty plan on
-- a converged layer), a probe that failed (HTTPS, redirect, certificate, domain registration) —
-- one row per problem from when it was first seen until it was resolved. An open problem is a
-- row with resolved_at null; resolved rows stay as history. Alerts are recorded on the row, so a
-- problem is announced once while it stays open, and its resolution once.
create table public.site_health (
    id bigserial primary key,
    site_id uuid not null references public.sites(id) on delete cascade,
    check_kind text not null,                        -- e.g. drift.dns, https, redirect, certificate, domain_expiry
    subject text not null default '',                -- what inside the site: a record, a host, a step
    status text not null check (status in ('ok', 'warn', 'fail')),
    cause text not null,                             -- the problem without the domain: sites sharing it group
    observed text,                                   -- what the sweep saw
    expected text,                                   -- what the site should have
    first_seen timestamptz not null default now(),
    last_seen timestamptz not null default now(),
    resolved_at timestamptz,
    alerted_at timestamptz,                          -- the open alert was sent
    resolved_alerted_at timestamptz                  -- the resolved message was sent
);
-- One open row per (site, check, subject); history rows are not constrained.
create unique index site_health_open_idx on public.site_health (site_id, check_kind, subject)
    where resolved_at is null;
create index site_health_site_idx on public.site_health (site_id, first_seen desc);
create index site_health_seen_idx on public.site_health (first_seen desc);
alter table public.site_health enable row level security;
