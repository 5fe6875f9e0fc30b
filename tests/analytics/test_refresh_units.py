"""Plain functions: Matomo response shapes, chunking, and the sandbox's `columns` filter."""

from __future__ import annotations

import datetime as dt

from factory.analytics.matomo import day_chunks, parse_visits
from devtools.sandbox.clock import Clock
from devtools.sandbox.matomo import MatomoSim
from devtools.sandbox.traffic import matomo_visits


def test_parse_multi_site_multi_date_shape():
    body = {"1": {"2024-05-01": {"nb_visits": 12}, "2024-05-02": []}, "2": [], "5": {"2024-05-01": {"nb_visits": "3"}}}
    frame = parse_visits(body)
    assert sorted(map(tuple, frame.itertuples(index=False))) == [
        (1, dt.date(2024, 5, 1), 12), (1, dt.date(2024, 5, 2), 0), (5, dt.date(2024, 5, 1), 3)]
    assert parse_visits([]).empty  # no sites at all: PHP's empty array


def test_day_chunks_split_only_when_too_large():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    assert day_chunks(start, end, n_sites=200) == [(start, end)]
    chunks = day_chunks(start, end, n_sites=200, max_cells=200 * 30)
    assert len(chunks) == 3 and chunks[0] == (start, dt.date(2026, 1, 30)) and chunks[-1][1] == end
    assert all((b - a).days + 1 <= 30 for a, b in chunks)


def test_sandbox_visits_summary_all_sites_columns():
    clock = Clock()
    clock.today_override = dt.date(2026, 5, 20)
    sim = MatomoSim(clock)
    for d in ("a.com", "b.com"):
        sim.add_site({"siteName": [d], "urls[0]": [f"https://{d}"]})
    body = sim.call({"method": ["VisitsSummary.get"], "idSite": ["all"], "period": ["day"],
                     "date": ["2026-05-18,2026-05-21"], "columns": ["nb_visits"]})
    assert set(body) == {"1", "2"}
    assert list(body["1"]) == ["2026-05-18", "2026-05-19", "2026-05-20", "2026-05-21"]
    assert body["1"]["2026-05-21"] == []  # after the server's today
    for day in ("2026-05-18", "2026-05-19", "2026-05-20"):
        v = matomo_visits("a.com", day)
        assert body["1"][day] == ({"nb_visits": v} if v else [])
