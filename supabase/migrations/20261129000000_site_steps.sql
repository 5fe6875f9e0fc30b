-- Reconcilers ([1/8]): one state machine for the seven per-site steps, each with its own last
-- error and, while it waits for the outside world, what for, since when and when it looks next.
create table public.site_steps (
    site_id uuid not null references public.sites (id) on delete cascade,
    step text not null,
    state text not null constraint site_steps_state_values
        check (state in ('running', 'succeeded', 'waiting', 'failed')),
    since timestamptz not null default now(),        -- when the step entered this state
    updated_at timestamptz not null default now(),
    waiting_for text,                                -- what the step waits for (state = waiting)
    waiting_since timestamptz,                       -- since when it waits for that
    next_check_at timestamptz,                       -- when it looks again
    deadline_at timestamptz,                         -- when waiting turns into failing
    checks integer not null default 0,               -- looks taken while waiting for the same thing
    last_error text,                                 -- this step's own last error (cleared on success)
    last_error_at timestamptz,
    primary key (site_id, step)
);
create index site_steps_waiting_idx on public.site_steps (next_check_at) where state = 'waiting';
alter table public.site_steps enable row level security;

-- What may be shown of a stored token (its last 4 characters at most), kept beside the
-- ciphertext so listing accounts decrypts nothing.
alter table public.cloudflare_accounts add column token_hint text;
alter table public.gsc_accounts add column token_hint text;

-- error_step now names the step (dns_zone, ...) rather than its status column.
update public.sites set error_step = case error_step
    when 'status_dns' then 'dns_zone' when 'status_hosting' then 'hosting_site'
    when 'gsc_verification_status' then 'gsc_property' when 'status_content' then 'site_content'
    when 'status_deployment' then 'site_deployment' else error_step end
 where error_step is not null;
