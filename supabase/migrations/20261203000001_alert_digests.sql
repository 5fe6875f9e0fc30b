-- Fleet health ([3/8]): the daily alert digest (FACTORY_ALERT_DIGEST). One row per UTC day whose
-- digest was sent, claimed before sending, so the schedule, a retry and `factory health digest
-- --send` together send at most one digest a day.
create table public.alert_digests (
    day date primary key,
    sent_at timestamptz not null default now(),
    open_problems integer not null default 0,
    sites_affected integer not null default 0
);
alter table public.alert_digests enable row level security;
