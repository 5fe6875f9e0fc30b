-- Onboarding ETA ([6/8]): when each site last became live, kept by the same trigger that keeps
-- site_state. How many sites went live in the last hour is the pace this machine (its run slots,
-- builds and deployments) actually onboards at; the ETA never promises more than that pace.
alter table public.sites add column live_since timestamptz;

create or replace function public.sites_track_change() returns trigger
language plpgsql as $$
begin
    new.site_state := public.site_state_of(new);
    new.change_xid := pg_current_xact_id();
    if new.site_state <> 'live' then
        new.live_since := null;
    elsif tg_op = 'INSERT' or old.site_state is distinct from 'live' or new.live_since is null then
        new.live_since := now();
    end if;
    return new;
end;
$$;

-- Sites live before this column existed: their last change is the best known moment.
update public.sites set live_since = updated_at where site_state = 'live';

create index sites_live_since_idx on public.sites (live_since) where live_since is not null;
