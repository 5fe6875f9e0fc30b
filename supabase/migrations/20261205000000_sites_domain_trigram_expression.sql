-- pg_trgm (1.6+) lets a trigram index answer equality too, and the planner took it for
-- `domain = any(...)` (the follow-up sensor reading the sites it looks at, a fleet's statuses):
-- a bitmap scan of the trigram index and its pending list. 1,000 domains on a 1,000-site table
-- after four rounds of updates: 3.0 s instead of 1.5 ms on the unique index, growing with every
-- onboarding step's update. The domain's trigram index is now on lower(domain) — the canonical
-- domain is lower-case, so search (`lower(s.domain) ilike ...`) still uses it, but no equality on
-- `domain` can — and both trigram indexes skip GIN's pending list (fastupdate off), which every
-- update of a row appends to and every search through the index reads.
do $$
begin
    if exists (select 1 from pg_indexes where schemaname = 'public' and indexname = 'sites_domain_trgm_idx') then
        drop index public.sites_domain_trgm_idx;
        create index sites_domain_trgm_idx on public.sites using gin (lower(domain) gin_trgm_ops)
            with (fastupdate = off);
        alter index public.sites_brand_trgm_idx set (fastupdate = off);
    end if;
end
$$;
