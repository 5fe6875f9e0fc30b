"""Fleet health: what happened to the sites after onboarding, found without an operator looking.

    result = sweep(ctx)              # drift, probes, registration; recorded in site_health
    alerts.deliver(ctx.settings, ctx.store)   # one alert per open problem, grouped by cause

- `drift`: a non-empty plan on a converged layer (the layers' own observe + plan, `plan_fleet`)
  and a step that failed;
- `probes`: HTTPS apex and www (200, canonical URL, Matomo snippet), HTTP → HTTPS, the
  certificate's days to expiry, over real TLS handshakes;
- `registration`: the domain's expiry and auto-renew at Namecheap (getList, batched);
- `sweep`: runs them and records problems (opened, seen again, resolved);
- `repair`: re-applies the plan of drifted sites through the plan/apply guard;
- `alerts`: webhook and e-mail, grouped, de-duplicated, with resolved messages.

No Dagster here: the job, schedule and asset checks in `factory_assets/health.py` call this.
"""
