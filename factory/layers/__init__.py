"""One module per layer of a site, each a reconciler with no Dagster in it:

    desired(site, settings)       what the site should have in this layer
    observe(ctx, site, desired)   what the vendor has now (read-only, always)
    plan(desired, observed)       the difference, as Changes (pure; unit-tested without servers)
    apply(ctx, site, ...)         makes the changes, idempotently

Onboarding is apply(plan(desired, observe())); a dry run is plan without apply; drift is a
non-empty plan on a converged site. `runner` records each run through the step state machine.
Layers, top to bottom of a site: dns, hosting, matomo, search_console, content, build, deploy.
"""

# The layers in onboarding order (their public names in plans, the CLI and the Hub).
LAYERS = ("dns", "hosting", "matomo", "search_console", "content", "build", "deploy")
