"""The per-site step state machine, one for all seven per-site assets.

    start ──▶ succeed
      │  ├──▶ wait(reason, next check) ──▶ start (a later look) ...
      │  └──▶ fail(reason)

Each transition is ONE transaction that updates the step's status column on `sites` (the spec's
vocabulary), the step's own row in `site_steps` (state, what it waits for and since when, when
it looks next, its own last error) and appends a `site_events` row. `sites.error_message` stays
the latest error of any step (the spec's column, with `error_step` naming the step); when that
step succeeds, the latest error of another step that is still failing takes its place, so one
step's error never hides another's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.rows import class_row, dict_row

from factory.store.database import Database
from factory.store.errors import InvalidInput, NotFound
from factory.store.models import SiteStep
from factory.store.sites import SITE_FIELDS

MAX_MESSAGE = 2000


@dataclass(frozen=True)
class StepSpec:
    """A step and the `sites` status column it drives (None: the step has no column of its own)."""

    name: str
    column: str | None = None
    running: str | None = None
    done: str | None = None
    waiting: str | None = None


STEPS: dict[str, StepSpec] = {s.name: s for s in (
    StepSpec("dns_zone", "status_dns", running="pending", done="active", waiting="pending"),
    StepSpec("hosting_site", "status_hosting", running="pending", done="active", waiting="pending"),
    StepSpec("matomo_site"),
    StepSpec("gsc_property", "gsc_verification_status", running="pending", done="verified", waiting="pending"),
    StepSpec("site_content", "status_content", running="generating", done="generated", waiting="pending"),
    StepSpec("site_build"),
    StepSpec("site_deployment", "status_deployment", running="deploying", done="deployed", waiting="pending"),
    # Decommissioning, onboarding in reverse: no status column of their own.
    StepSpec("decommission_offline"), StepSpec("decommission_hosting"), StepSpec("decommission_matomo"),
    StepSpec("decommission_search_console"), StepSpec("decommission_dns"), StepSpec("decommission_content"),
)}

_STEP_COLUMNS = ("site_id, step, state, since, waiting_for, waiting_since, next_check_at, deadline_at, checks,"
                 " last_error, last_error_at")


def spec(step: str) -> StepSpec:
    try:
        return STEPS[step]
    except KeyError:
        raise InvalidInput(f"{step!r} is not a step ({', '.join(STEPS)})") from None


def _message(text: str | None) -> str:
    return (text or "failed without a message").strip()[:MAX_MESSAGE]


class Steps:
    def __init__(self, db: Database):
        self.db = db

    # -- transitions --------------------------------------------------------------------------
    def start(self, site_id: uuid.UUID, step: str) -> None:
        """The step is running (what it waited for, and since when, is kept for the next look)."""
        s = spec(step)
        self._transition(site_id, s, "running", status=s.running, upsert="""
            insert into public.site_steps (site_id, step, state) values (%(site)s, %(step)s, 'running')
            on conflict (site_id, step) do update set state = 'running', since = now(), updated_at = now()""")

    def succeed(self, site_id: uuid.UUID, step: str, message: str | None = None,
                record: dict[str, Any] | None = None) -> None:
        """Done; `record` holds site fields the step found (written in the same transaction)."""
        s = spec(step)
        self._transition(site_id, s, "succeeded", status=s.done, message=message, clears_error=True,
                         record=record, upsert="""
            insert into public.site_steps (site_id, step, state) values (%(site)s, %(step)s, 'succeeded')
            on conflict (site_id, step) do update set state = 'succeeded', since = now(), updated_at = now(),
                waiting_for = null, waiting_since = null, next_check_at = null, deadline_at = null, checks = 0,
                last_error = null, last_error_at = null""")

    def wait(self, site_id: uuid.UUID, step: str, reason: str, next_check_at: dt.datetime, *,
             deadline: dt.timedelta | None = None, seen: str | None = None,
             record: dict[str, Any] | None = None, error: bool = False) -> SiteStep:
        """The step waits for the outside world: `reason` says for what (keep it stable: the wait
        keeps its start while the reason stays the same), `seen` what it saw this time; it looks
        again at `next_check_at`; its deadline is `deadline` after the wait began. `error`: what
        was seen is an error (it becomes the step's and the site's latest error). Returns the
        step as recorded."""
        s = spec(step)
        message = _message(f"{reason} ({seen})" if seen else reason)
        params = {"reason": _message(reason), "next": next_check_at,
                  "deadline": deadline.total_seconds() if deadline is not None else None,
                  "last_error": _message(seen) if error else None}
        self._transition(site_id, s, "waiting", status=s.waiting, message=message, extra=params, record=record,
                         sets_error=error, upsert="""
            insert into public.site_steps (site_id, step, state, waiting_for, waiting_since, next_check_at,
                                           deadline_at, checks, last_error, last_error_at)
            values (%(site)s, %(step)s, 'waiting', %(reason)s, now(), %(next)s,
                    now() + make_interval(secs => %(deadline)s), 1, %(last_error)s,
                    case when %(last_error)s::text is null then null else now() end)
            on conflict (site_id, step) do update set state = 'waiting', since = now(), updated_at = now(),
                last_error = coalesce(excluded.last_error, site_steps.last_error),
                last_error_at = coalesce(excluded.last_error_at, site_steps.last_error_at),
                waiting_since = case when site_steps.waiting_for = excluded.waiting_for
                                     then coalesce(site_steps.waiting_since, now()) else now() end,
                deadline_at = case when site_steps.waiting_for = excluded.waiting_for
                                   then coalesce(site_steps.deadline_at, excluded.deadline_at)
                                   else excluded.deadline_at end,
                checks = case when site_steps.waiting_for = excluded.waiting_for
                              then site_steps.checks + 1 else 1 end,
                waiting_for = excluded.waiting_for, next_check_at = excluded.next_check_at""")
        return self.get(site_id, step)

    def fail(self, site_id: uuid.UUID, step: str, message: str) -> None:
        s = spec(step)
        text = _message(message)
        self._transition(site_id, s, "failed", status="failed" if s.column else None, message=text,
                         extra={"error": text}, sets_error=True, upsert="""
            insert into public.site_steps (site_id, step, state, last_error, last_error_at)
            values (%(site)s, %(step)s, 'failed', %(error)s, now())
            on conflict (site_id, step) do update set state = 'failed', since = now(), updated_at = now(),
                waiting_for = null, waiting_since = null, next_check_at = null, deadline_at = null, checks = 0,
                last_error = excluded.last_error, last_error_at = excluded.last_error_at""")

    def _transition(self, site_id: uuid.UUID, s: StepSpec, state: str, *, status: str | None, upsert: str,
                    message: str | None = None, extra: dict[str, Any] | None = None,
                    sets_error: bool = False, clears_error: bool = False,
                    record: dict[str, Any] | None = None) -> None:
        params = {"site": site_id, "step": s.name, "status": status, "error": message, **(extra or {})}
        assignments: list[sql.Composable] = []
        for name, value in (record or {}).items():
            if name not in SITE_FIELDS:
                raise InvalidInput(f"a step cannot record {name!r}")
            params[f"record_{name}"] = value
            assignments.append(sql.SQL("{} = %({})s").format(sql.Identifier(name), sql.SQL("record_" + name)))
        if s.column and status:
            assignments.append(sql.SQL("{} = %(status)s").format(sql.Identifier(s.column)))
        if sets_error:
            assignments.append(sql.SQL("error_message = %(error)s, error_step = %(step)s"))
        if clears_error:
            # The latest error of another step that still has one takes this step's place.
            assignments.append(sql.SQL("""
                error_message = case when error_step = %(step)s then (select last_error from public.site_steps o
                    where o.site_id = sites.id and o.step <> %(step)s and o.last_error is not null
                    order by o.last_error_at desc limit 1) else error_message end,
                error_step = case when error_step = %(step)s then (select step from public.site_steps o
                    where o.site_id = sites.id and o.step <> %(step)s and o.last_error is not null
                    order by o.last_error_at desc limit 1) else error_step end"""))
        with self.db.connection() as conn:
            conn.execute(upsert, params)
            if assignments:
                update = sql.SQL("update public.sites set {} where id = %(site)s").format(
                    sql.SQL(", ").join(assignments))
                if conn.execute(update, params).rowcount == 0:
                    raise NotFound(f"no site {site_id}")
            conn.execute("insert into public.site_events (site_id, step, status, message)"
                         " values (%(site)s, %(step)s, %(event)s, %(error)s)", {**params, "event": status or state})

    # -- reading ------------------------------------------------------------------------------
    def get(self, site_id: uuid.UUID, step: str) -> SiteStep | None:
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(SiteStep)).execute(
                f"select {_STEP_COLUMNS} from public.site_steps where site_id = %s and step = %s",
                (site_id, step)).fetchone()

    def of_sites(self, site_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[SiteStep]]:
        """Every recorded step of these sites, in the steps' order."""
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=class_row(SiteStep)).execute(
                f"select {_STEP_COLUMNS} from public.site_steps where site_id = any(%s)", (list(site_ids),)).fetchall()
        order = list(STEPS)
        found: dict[uuid.UUID, list[SiteStep]] = {i: [] for i in site_ids}
        for row in sorted(rows, key=lambda r: order.index(r.step) if r.step in order else len(order)):
            found.setdefault(row.site_id, []).append(row)
        return found

    def waiting(self, *, due_before: dt.datetime | None = None, limit: int = 1000) -> list[tuple[str, SiteStep]]:
        """(domain, step) of waiting steps, soonest check first; with `due_before`, only those due."""
        query = (f"select s.domain, {', '.join('t.' + c.strip() for c in _STEP_COLUMNS.split(','))}"
                 " from public.site_steps t join public.sites s on s.id = t.site_id where t.state = 'waiting'")
        params: list[Any] = []
        if due_before is not None:
            query += " and t.next_check_at <= %s"
            params.append(due_before)
        with self.db.connection() as conn:
            rows = conn.execute(query + " order by t.next_check_at limit %s", [*params, limit]).fetchall()
        return [(r[0], SiteStep(*r[1:])) for r in rows]

    def events(self, site_id: uuid.UUID, limit: int = 100) -> list[dict[str, Any]]:
        with self.db.connection() as conn:
            return conn.cursor(row_factory=dict_row).execute(
                "select at, step, status, message from public.site_events where site_id = %s"
                " order by id desc limit %s", (site_id, limit)).fetchall()
