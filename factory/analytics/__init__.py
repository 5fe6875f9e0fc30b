"""Daily analytics: fetch Matomo visits and Search Console clicks for a range of days, assemble
one row per (date, site) with pandas, upsert into `daily_analytics`. No Dagster here."""
