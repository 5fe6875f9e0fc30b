-- Content, build and deploy bookkeeping per site (issue 4): what was generated, built and is live.
-- One row per site, written only by the site_content / site_build / site_deployment steps.
create table public.site_publishing (
  site_id uuid primary key references public.sites (id) on delete cascade,
  content_model text,
  content_prompt_version text,
  content_hash text,
  content_generated_at timestamptz,
  build_hash text,
  built_at timestamptz,
  deployed_hash text,
  deployed_release text,
  deployed_at timestamptz,
  updated_at timestamptz not null default now()
);

comment on table public.site_publishing is
  'Last generation (model, prompt version, content hash), last build hash and live release per site.';

alter table public.site_publishing enable row level security;
