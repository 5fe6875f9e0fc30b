-- Safe fleet changes ([4/8]): a decommissioned site keeps its row (marked, not deleted) and its
-- history. daily_analytics no longer cascades on delete, as the spec has it (a plain foreign key):
-- a site with analytics history cannot be deleted, only decommissioned.
alter table public.sites
    add column decommissioned_at timestamptz,          -- product: when decommissioning finished
    add column decommission_options jsonb;             -- product: what was kept (dns, analytics, ...)
create index sites_decommissioned_idx on public.sites (decommissioned_at) where decommissioned_at is not null;

alter table public.daily_analytics drop constraint daily_analytics_site_id_fkey;
alter table public.daily_analytics
    add constraint daily_analytics_site_id_fkey foreign key (site_id) references public.sites (id);
