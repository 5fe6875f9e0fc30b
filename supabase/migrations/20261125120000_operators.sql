-- Hub API: local operator accounts and a fleet-wide analytics rollup.

-- product: operators who sign in to the Management Hub when no Supabase project is configured.
create table public.operators (
    id uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now(),
    email text not null unique,
    password_hash text not null,                 -- argon2id, never the password
    disabled boolean not null default false,
    last_sign_in_at timestamptz,
    constraint operators_email_lower check (email = lower(email))
);
alter table public.operators enable row level security;

-- product: fleet totals per day, kept in step with daily_analytics by statement triggers,
-- so the dashboard reads ~365 rows for a year instead of aggregating 365,000.
create table public.fleet_daily_analytics (
    date date primary key,
    sites integer not null,
    matomo_visits bigint not null,
    gsc_clicks bigint not null,
    gsc_impressions bigint not null
);
alter table public.fleet_daily_analytics enable row level security;

create function public.refresh_fleet_daily_analytics(days date[]) returns void
language plpgsql as $$
begin
    -- One writer at a time: the next statements then see every committed row of these days.
    perform pg_advisory_xact_lock(7246102);
    insert into public.fleet_daily_analytics as f (date, sites, matomo_visits, gsc_clicks, gsc_impressions)
    select date, count(*), coalesce(sum(matomo_visits), 0), coalesce(sum(gsc_clicks), 0),
           coalesce(sum(gsc_impressions), 0)
      from public.daily_analytics
     where date = any(days)
     group by date
    on conflict (date) do update set sites = excluded.sites, matomo_visits = excluded.matomo_visits,
        gsc_clicks = excluded.gsc_clicks, gsc_impressions = excluded.gsc_impressions;
    delete from public.fleet_daily_analytics f
     where f.date = any(days)
       and not exists (select 1 from public.daily_analytics d where d.date = f.date);
end;
$$;

create function public.daily_analytics_changed_new() returns trigger
language plpgsql as $$
begin
    perform public.refresh_fleet_daily_analytics(array(select distinct date from new_rows));
    return null;
end;
$$;

create function public.daily_analytics_changed_old() returns trigger
language plpgsql as $$
begin
    perform public.refresh_fleet_daily_analytics(array(select distinct date from old_rows));
    return null;
end;
$$;

create trigger daily_analytics_fleet_insert after insert on public.daily_analytics
    referencing new table as new_rows for each statement execute function public.daily_analytics_changed_new();
create trigger daily_analytics_fleet_update after update on public.daily_analytics
    referencing new table as new_rows for each statement execute function public.daily_analytics_changed_new();
create trigger daily_analytics_fleet_delete after delete on public.daily_analytics
    referencing old table as old_rows for each statement execute function public.daily_analytics_changed_old();
create function public.daily_analytics_truncated() returns trigger
language plpgsql as $$
begin
    delete from public.fleet_daily_analytics;  -- not truncate: it may be in the same TRUNCATE statement
    return null;
end;
$$;
create trigger daily_analytics_fleet_truncate after truncate on public.daily_analytics
    for each statement execute function public.daily_analytics_truncated();

-- The sites list's search and status filters.
create index sites_status_idx on public.sites (status_dns, status_hosting, status_content, status_deployment);
