from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel


class AnalyticsDay(BaseModel):
    date: dt.date
    site_id: uuid.UUID
    domain: str
    matomo_visits: int | None
    gsc_clicks: int | None
    gsc_impressions: int | None


class SiteTotals(BaseModel):
    site_id: uuid.UUID
    domain: str
    days: int
    matomo_visits: int
    gsc_clicks: int
    gsc_impressions: int


class FleetDay(BaseModel):
    date: dt.date
    sites: int
    matomo_visits: int
    gsc_clicks: int
    gsc_impressions: int


class Totals(BaseModel):
    matomo_visits: int
    gsc_clicks: int
    gsc_impressions: int


class FleetAnalytics(BaseModel):
    start: dt.date
    end: dt.date
    days: list[FleetDay]
    totals: Totals
