-- The sites list at 10,000 sites ([6/8]): every sort of the Hub's table walks an index to its
-- page instead of sorting the fleet, and the counts read narrow indexes.
--
-- The sort keys are the expressions factory/store/sites.py orders by (_SORTS); an index must
-- spell them the same way to be used. Ties go by domain, ascending either way: a descending sort
-- needs its own index (an index read backwards would give the ties in descending order). The
-- indexes cover the live fleet (what the list shows unless asked for decommissioned sites) and
-- carry the id, so the page's ids come from the index alone.
create index sites_domain_sort_idx on public.sites (domain) include (id) where decommissioned_at is null;
create index sites_brand_sort_idx on public.sites (lower(coalesce(brand_name, '')), domain) include (id)
    where decommissioned_at is null;
create index sites_brand_desc_sort_idx on public.sites (lower(coalesce(brand_name, '')) desc, domain) include (id)
    where decommissioned_at is null;
create index sites_state_sort_idx
    on public.sites (array_position(array['failed', 'onboarding', 'pending', 'live'], site_state), domain)
    include (id) where decommissioned_at is null;
create index sites_state_desc_sort_idx
    on public.sites (array_position(array['failed', 'onboarding', 'pending', 'live'], site_state) desc, domain)
    include (id) where decommissioned_at is null;
-- The live fleet by state (the summary's counts, the state filter): an index-only count.
create index sites_live_state_idx on public.sites (site_state, seq) where decommissioned_at is null;

-- Sorting by account goes account by account, each one's sites in domain order.
create index sites_account_domain_idx on public.sites (cloudflare_account_id, domain);
drop index public.sites_cloudflare_account_id_idx;  -- the one above serves its look-ups too

-- Searching by part of the domain or brand name (ILIKE '%...%') uses trigram indexes where the
-- server offers pg_trgm (Supabase and most Postgres packages do; the embedded Postgres does not,
-- and scans the 10,000 rows instead: a few milliseconds).
do $$
begin
    if exists (select 1 from pg_available_extensions where name = 'pg_trgm') then
        create extension if not exists pg_trgm;
        create index sites_domain_trgm_idx on public.sites using gin (domain gin_trgm_ops);
        create index sites_brand_trgm_idx on public.sites using gin (brand_name gin_trgm_ops);
    end if;
end
$$;
