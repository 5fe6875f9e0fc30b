-- Sites worth visiting ([7/8]): the quality gate's verdict per site and build, and the pairs of
-- sites whose published text is nearly the same.

-- product: one row per site and build hash; site_deployment deploys a build only when its
-- verdict passed. Scores are 0-100 per Lighthouse category (the site's lowest page).
create table public.site_quality (
  site_id uuid not null references public.sites (id) on delete cascade,
  build_hash text not null,
  passed boolean not null,
  scores jsonb not null,          -- {"performance": 97, "accessibility": 100, ...}
  thresholds jsonb not null,      -- the thresholds the verdict was made against
  pages jsonb not null default '{}'::jsonb,   -- URL path -> category -> score
  audits jsonb not null default '[]'::jsonb,  -- failing audits: id, title, score, categories, path, items
  errors jsonb not null default '[]'::jsonb,  -- pages Lighthouse could not audit
  message text,                   -- why it did not pass (null when it passed)
  preview_path text,              -- the home page's screenshot from this build
  checked_at timestamptz not null default now(),
  primary key (site_id, build_hash)
);

create index site_quality_latest on public.site_quality (site_id, checked_at desc);

comment on table public.site_quality is
  'Lighthouse quality gate verdict (scores, failing audits, pass) and preview screenshot per site and build.';

alter table public.site_quality enable row level security;

-- product: the fleet's near-duplicate pairs as the last check found them (replaced by each check).
create table public.near_duplicate_pairs (
  site_a uuid not null references public.sites (id) on delete cascade,
  site_b uuid not null references public.sites (id) on delete cascade,
  jaccard double precision not null,          -- the whole sites' word-shingle Jaccard
  max_page_jaccard double precision not null, -- the most similar pair of pages
  pages jsonb not null,                       -- [{"slug_a", "slug_b", "jaccard"}], most similar first
  found_at timestamptz not null default now(),
  primary key (site_a, site_b),
  constraint near_duplicate_pairs_ordered check (site_a <> site_b)
);

comment on table public.near_duplicate_pairs is
  'Pairs of sites whose published pages are near-duplicates (MinHash/LSH, exact Jaccard), from the last check.';

alter table public.near_duplicate_pairs enable row level security;
