-- A fleet of 10,000 sites ([6/8]): the Hub filters, sorts and counts on the server and the UI
-- polls only what changed.
--
-- sites.site_state: the site as a whole (failed | onboarding | pending | live), as the operator
-- UI defines it from the status columns and the steps' own records (ui/src/lib/steps.ts), kept
-- by triggers so filtering and counting by it is an index lookup rather than a computation
-- over every site and step.
--
-- sites.change_xid / site_deletions.change_xid: the transaction that last changed the row (a
-- step's change counts as a change of its site). GET /api/sites/changes hands out the oldest
-- transaction still running as its cursor and returns rows changed at or after it, so a change
-- that commits late is never missed (at worst a row is sent twice).

create function public.site_step_state(record_state text, has_record boolean, error_step text,
                                       error_steps text[], raw text) returns text
language sql immutable as $$
    select case
        when record_state in ('failed', 'waiting', 'running') then record_state
        when not has_record and error_step = any (error_steps) then 'failed'
        when raw in ('active', 'verified', 'generated', 'deployed') then 'done'
        when raw in ('generating', 'deploying') then 'running'
        when raw = 'failed' then 'failed'
        else 'pending'
    end
$$;

create function public.site_state_of(s public.sites) returns text
language plpgsql stable as $$
declare
    recorded jsonb;
    states text[];
begin
    select coalesce(jsonb_object_agg(step, state), '{}'::jsonb) into recorded
      from public.site_steps where site_id = s.id;
    states := array[
        public.site_step_state(recorded ->> 'dns_zone', recorded ? 'dns_zone', s.error_step,
                               array['status_dns', 'dns_zone'], s.status_dns),
        public.site_step_state(recorded ->> 'hosting_site', recorded ? 'hosting_site', s.error_step,
                               array['status_hosting', 'hosting_site'], s.status_hosting),
        public.site_step_state(recorded ->> 'matomo_site', recorded ? 'matomo_site', s.error_step,
                               array['matomo_site', 'matomo_site_id'],
                               case when s.error_step = 'matomo_site' then 'failed'
                                    when s.matomo_site_id is not null then 'active' else 'pending' end),
        public.site_step_state(recorded ->> 'gsc_property', recorded ? 'gsc_property', s.error_step,
                               array['gsc_verification_status', 'gsc_property'], s.gsc_verification_status),
        public.site_step_state(recorded ->> 'site_content', recorded ? 'site_content', s.error_step,
                               array['status_content', 'site_content'], s.status_content),
        public.site_step_state(recorded ->> 'site_deployment', recorded ? 'site_deployment', s.error_step,
                               array['status_deployment', 'site_build', 'site_deployment'], s.status_deployment)
    ];
    if s.error_message is not null or 'failed' = any (states) then
        return 'failed';
    elsif states <@ array['done'] then
        return 'live';
    elsif states <@ array['pending'] then
        return 'pending';
    end if;
    return 'onboarding';
end;
$$;

alter table public.sites
    add column site_state text not null default 'pending'
        constraint sites_site_state_values check (site_state in ('failed', 'onboarding', 'pending', 'live')),
    add column change_xid xid8 not null default pg_current_xact_id();
alter table public.site_deletions add column change_xid xid8 not null default pg_current_xact_id();

create function public.sites_track_change() returns trigger
language plpgsql as $$
begin
    new.site_state := public.site_state_of(new);
    new.change_xid := pg_current_xact_id();
    return new;
end;
$$;

create trigger sites_track_change before insert or update on public.sites
    for each row execute function public.sites_track_change();

-- A step's change is a change of its site (its state may follow).
create function public.site_steps_touch_site() returns trigger
language plpgsql as $$
begin
    update public.sites set change_xid = pg_current_xact_id()
     where id = case when tg_op = 'DELETE' then old.site_id else new.site_id end;
    return null;
end;
$$;

create trigger site_steps_touch_site after insert or update or delete on public.site_steps
    for each row execute function public.site_steps_touch_site();

update public.sites set site_state = public.site_state_of(sites);

create index sites_site_state_idx on public.sites (site_state, seq);
create index sites_change_xid_idx on public.sites (change_xid);
create index site_deletions_change_xid_idx on public.site_deletions (change_xid);
create index sites_live_seq_idx on public.sites (seq) where decommissioned_at is null;
