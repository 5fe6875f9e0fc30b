-- Safe fleet changes ([4/8]): plans as shown to an operator (stored with their hash, so what is
-- applied is what was shown), and an append-only audit log of every operator action.
create table public.plans (
    hash text primary key,                           -- of what was observed and would change
    created_at timestamptz not null default now(),
    created_by text not null,                        -- operator (email, or cli:<user>)
    selection jsonb not null,                        -- which sites and layers were planned
    summary jsonb not null,                          -- sites affected; creates/updates/deletes/waits per layer
    body jsonb not null,                             -- every change (and what could not be observed)
    action text not null default 'apply',            -- what applying it does: apply, repair, decommission, ...
    applied_at timestamptz,
    applied_by text
);
create index plans_created_at_idx on public.plans (created_at desc);
alter table public.plans enable row level security;

create table public.audit_log (
    id bigserial primary key,
    at timestamptz not null default now(),
    operator text not null,                          -- who: an operator's email, or cli:<os user>
    surface text not null check (surface in ('cli', 'hub', 'ui', 'dagster', 'system')),
    action text not null,                            -- e.g. site.add, plan.create, plan.apply, site.decommission
    target text,                                     -- a domain, an account, a plan hash, "fleet"
    plan_hash text,
    result text not null check (result in ('ok', 'refused', 'failed', 'started')),
    detail jsonb not null default '{}'::jsonb
);
create index audit_log_at_idx on public.audit_log (at desc);
create index audit_log_operator_idx on public.audit_log (operator, at desc);
alter table public.audit_log enable row level security;

-- Append-only: rows are never changed or removed by the product's statements. Only a deliberate
-- maintenance session (`set factory.maintenance = 'on'`: test databases, a restore) may empty it.
create function public.audit_log_append_only() returns trigger
language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' and current_setting('factory.maintenance', true) = 'on' then
        return null;
    end if;
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on public.audit_log
    for each row execute function public.audit_log_append_only();
create trigger audit_log_no_truncate before truncate on public.audit_log
    for each statement execute function public.audit_log_append_only();
