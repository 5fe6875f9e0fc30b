"""The two partitionings of the product (public names; keep them stable).

- `site`: one dynamic partition per site, keyed by its normalised domain; added and removed
  by `new_sites_sensor`.
- `daily`: one partition per day of analytics, from FACTORY_ANALYTICS_START_DATE (a setting,
  so it is built when the code location loads, not at import).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

site_partitions = dg.DynamicPartitionsDefinition(name="site")


def daily_partitions(start_date: dt.date) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=start_date.isoformat(), timezone="UTC")
