"""Deterministic, plausible traffic per (domain, date) — pure functions.

Tests and benchmarks call these to know exactly what the Matomo and Search
Console simulators will report. Each domain gets its own level, growth rate
and launch date (from a hash of the name); days get weekly seasonality,
noise and occasional zero days (tracking outages / tiny sites).
"""
from __future__ import annotations

import hashlib
import math
from datetime import date as Date

WEEKDAY_FACTOR = (1.0, 1.06, 1.04, 1.0, 0.93, 0.72, 0.68)  # Mon..Sun
EPOCH = Date(2023, 1, 1)


def _unit(*parts: object) -> float:
    """Stable uniform number in [0, 1) from the given parts."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def normalize_domain(domain: str) -> str:
    d = domain.strip().lower().rstrip("/")
    for prefix in ("sc-domain:", "https://", "http://"):
        d = d.removeprefix(prefix)
    d = d.split("/")[0].rstrip(".")
    return d.removeprefix("www.")


def _as_date(day) -> Date:
    return day if isinstance(day, Date) else Date.fromisoformat(str(day))


def launch_date(domain: str) -> Date:
    d = normalize_domain(domain)
    return Date.fromordinal(EPOCH.toordinal() + int(_unit(d, "launch") * 600))


def _level(domain: str, day: Date, salt: str) -> float:
    d = normalize_domain(domain)
    launch = launch_date(d)
    if day < launch:
        return 0.0
    base = math.exp(math.log(5) + _unit(d, "base") * (math.log(400) - math.log(5)))
    growth = _unit(d, "growth") * 1.5  # +0..150 % per year
    age_days = (day - launch).days
    ramp = min(1.0, (age_days + 1) / 60)
    trend = 1 + growth * age_days / 365
    noise = 0.7 + 0.6 * _unit(d, day.isoformat(), salt, "noise")
    return base * ramp * trend * WEEKDAY_FACTOR[day.weekday()] * noise


def matomo_visits(domain: str, day) -> int:
    """nb_visits Matomo reports for the site `domain` on `day` (0 = no data, rendered [])."""
    day = _as_date(day)
    d = normalize_domain(domain)
    if _unit(d, day.isoformat(), "outage") < 0.04:
        return 0
    return round(_level(d, day, "matomo"))


def matomo_metrics(domain: str, day) -> dict | None:
    """Full VisitsSummary.get row (format_metrics=1 style) or None when no visits."""
    day = _as_date(day)
    d = normalize_domain(domain)
    visits = matomo_visits(d, day)
    if visits <= 0:
        return None
    apv = 1.5 + 2.0 * _unit(d, "apv")
    actions = max(visits, round(visits * apv * (0.9 + 0.2 * _unit(d, day.isoformat(), "a"))))
    bounce = min(visits, round(visits * (0.3 + 0.4 * _unit(d, "bounce"))))
    avg_len = int(40 + 200 * _unit(d, "len"))
    sum_len = visits * avg_len + int(_unit(d, day.isoformat(), "l") * visits * 10)
    return {
        "nb_uniq_visitors": max(1, round(visits * 0.86)),
        "nb_users": 0,
        "nb_visits": visits,
        "nb_actions": actions,
        "nb_visits_converted": 0,
        "bounce_count": bounce,
        "sum_visit_length": sum_len,
        "max_actions": max(1, min(actions, round(apv * 4))),
        "bounce_rate": f"{round(100 * bounce / visits)}%",
        "nb_actions_per_visit": round(actions / visits, 1),
        "avg_time_on_site": round(sum_len / visits),
    }


def gsc_metrics(domain: str, day) -> dict | None:
    """Final Search Console numbers for `domain` on `day` (None = no row that day)."""
    day = _as_date(day)
    d = normalize_domain(domain)
    impressions = round(_level(d, day, "gsc") * (5 + 25 * _unit(d, "impr")))
    if impressions <= 0:
        return None
    ctr_base = 0.01 + 0.05 * _unit(d, "ctr")
    clicks = round(impressions * ctr_base * (0.8 + 0.4 * _unit(d, day.isoformat(), "c")))
    position = round(4 + 30 * _unit(d, "pos") + 3 * (_unit(d, day.isoformat(), "p") - 0.5), 1)
    return {"clicks": float(clicks), "impressions": float(impressions),
            "ctr": clicks / impressions, "position": max(1.0, position)}
