"""The two partitionings of the product (public names; keep them stable).

- `site`: one dynamic partition per site, keyed by its normalised domain; added and removed
  by `new_sites_sensor`.
- `daily`: one partition per day of analytics, from FACTORY_ANALYTICS_START_DATE.
"""

from __future__ import annotations

import dagster as dg

from factory.config import env

site_partitions = dg.DynamicPartitionsDefinition(name="site")

ANALYTICS_START_DATE = env("FACTORY_ANALYTICS_START_DATE", "2025-01-01")
daily_partitions = dg.DailyPartitionsDefinition(start_date=ANALYTICS_START_DATE, timezone="UTC")
