"""Runs one layer for one site through the step state machine.

    outcome = run_layer(ctx, dns, site)

observe → plan → apply, then ONE transition of the step: succeed (with what the layer found to
record on the site), wait (what for, since when, when to look again, with backoff and a
deadline) or fail (the reason, for the operator). Batched layers (content, build, deploy) use
`StepRun` directly: start every site, do the batch's work, then finish each site.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from factory.clients import Clients
from factory.config import Settings
from factory.layers.change import Change, markdown, summary, writes
from factory.logs import redact, site_context
from factory.quality.runner import QualityRunError
from factory.store import Site, SiteStep, Store
from factory.vendors.retry import VendorError

log = logging.getLogger(__name__)

# How long a waiting step waits between looks (seconds, at real time): about 1, 2, 5, 15 and
# 60 minutes, then hourly; scaled by FACTORY_RATE_TIME_SCALE in tests. After the deadline the
# step fails with what it saw last.
WAIT_SCHEDULE_S = (60, 120, 300, 900, 3600)
WAIT_DEADLINE = dt.timedelta(hours=72)
# A vendor error that may pass (5xx, 429, a dropped connection) outlasting the vendor client's
# retries and the run's retry policy does not fail the step: it waits for another attempt, which
# the follow-up sensor runs on the same backoff, until this deadline; then it fails.
RETRY_WAIT = "another attempt after an error that may pass"
RETRY_DEADLINE = dt.timedelta(hours=24)


@dataclass
class Applied:
    """What applying a plan left: site fields to record, and what the layer still waits for."""

    record: dict[str, Any] = field(default_factory=dict)
    waiting_for: str | None = None  # stable words: the wait keeps its start while they stay the same
    seen: str | None = None  # what the outside world showed this time (for the operator)
    facts: dict[str, Any] = field(default_factory=dict)  # for Dagit's metadata
    message: str | None = None  # one line for the site's history
    # When the outside world is worth looking at again, if the layer knows better than the backoff
    # (real time, already scaled: e.g. when Cloudflare's activation check can see a delegation).
    look_again_in: dt.timedelta | None = None
    # When what the step waits for is expected to hold (e.g. a record propagated): while that is
    # ahead, the next look is then, whatever the backoff says; after it, the backoff goes on.
    look_at: dt.datetime | None = None


@dataclass(frozen=True)
class LayerContext:
    """What a layer may use: settings, the store (read-only for layers) and the vendor clients."""

    settings: Settings
    store: Store
    clients: Clients


class Layer(Protocol):
    LAYER: str
    STEP: str

    def desired(self, site: Site, settings: Settings) -> Any: ...

    def observe(self, ctx: LayerContext, site: Site, desired: Any) -> Any: ...

    def plan(self, desired: Any, observed: Any) -> list[Change]: ...

    def apply(self, ctx: LayerContext, site: Site, desired: Any, observed: Any, changes: list[Change]) -> Applied: ...


@dataclass
class StepOutcome:
    domain: str
    step: str
    state: str  # succeeded | waiting
    changes: list[Change]
    applied: Applied
    recorded: SiteStep | None = None  # the step's row when waiting (since, next check, deadline)

    @property
    def waiting(self) -> bool:
        return self.state == "waiting"

    def metadata(self) -> dict[str, Any]:
        """For MaterializeResult: the plan applied, as a table, and what happened."""
        data: dict[str, Any] = {"state": self.state, **{f"plan_{k}": v for k, v in summary(self.changes).items()},
                                **self.applied.facts}
        if self.waiting and self.recorded is not None:
            data["waiting_for"] = self.recorded.waiting_for or ""
            data["waiting_since"] = _stamp(self.recorded.waiting_since)
            data["next_check_at"] = _stamp(self.recorded.next_check_at)
            if self.applied.seen:
                data["seen"] = self.applied.seen
        data["plan"] = markdown(self.changes)
        return data


@dataclass
class BatchResult:
    """A batched layer's result: each site either finished (succeeded or waiting) or failed."""

    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    failures: dict[str, StepFailed] = field(default_factory=dict)


class StepFailed(RuntimeError):
    """A step failed for one site; the reason is already on the site's row."""

    def __init__(self, domain: str, step: str, message: str, retryable: bool):
        super().__init__(f"{step} for {domain}: {message}")
        self.domain, self.step, self.message, self.retryable = domain, step, message, retryable


def _stamp(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def next_check_at(checks: int, time_scale: float, now: dt.datetime | None = None) -> dt.datetime:
    """When to look again after `checks` looks at the same wait (1-based)."""
    delay = WAIT_SCHEDULE_S[min(max(checks, 1), len(WAIT_SCHEDULE_S)) - 1]
    return (now or dt.datetime.now(dt.UTC)) + dt.timedelta(seconds=delay * time_scale)


def failure_message(exc: BaseException) -> str:
    return redact(str(exc)) or type(exc).__name__


class StepRun:
    """One site's step: started on creation; finish with `done`, or `failed` on an error."""

    def __init__(self, ctx: LayerContext, step: str, site: Site):
        self.ctx, self.step, self.site = ctx, step, site
        ctx.store.steps.start(site.id, step)

    def done(self, changes: list[Change], applied: Applied) -> StepOutcome:
        steps, site = self.ctx.store.steps, self.site
        if applied.waiting_for is None:
            steps.succeed(site.id, self.step, message=applied.message or _describe(changes), record=applied.record)
            log.info("%s done: %s", self.step, _describe(changes))
            return StepOutcome(site.domain, self.step, "succeeded", changes, applied)
        scale = self.ctx.settings.rate_time_scale
        look = self._next_look(applied.waiting_for)
        if applied.look_again_in is not None:
            look = min(look, dt.datetime.now(dt.UTC) + applied.look_again_in)
        if applied.look_at is not None and applied.look_at > dt.datetime.now(dt.UTC):
            look = applied.look_at
        recorded = steps.wait(site.id, self.step, applied.waiting_for, look,
                              deadline=WAIT_DEADLINE * scale, seen=applied.seen, record=applied.record)
        if recorded.deadline_at is not None and recorded.deadline_at <= dt.datetime.now(dt.UTC):
            hours = WAIT_DEADLINE.total_seconds() * scale / 3600
            raise self.failed(RuntimeError(
                f"gave up after {hours:g} h waiting for {applied.waiting_for}"
                + (f": {applied.seen}" if applied.seen else "")))
        log.info("%s waits for %s (%s)", self.step, applied.waiting_for, applied.seen or "")
        return StepOutcome(site.domain, self.step, "waiting", changes, applied, recorded)

    def failed(self, exc: BaseException) -> StepFailed:
        """Record the failure; return the exception to raise. An error that may pass (a vendor's
        5xx or limit, a quality gate too slow on a loaded machine) is a wait for another attempt
        instead, until RETRY_DEADLINE."""
        steps, message = self.ctx.store.steps, failure_message(exc)
        retryable = isinstance(exc, (VendorError, QualityRunError)) and exc.retryable
        if retryable:
            recorded = steps.wait(self.site.id, self.step, RETRY_WAIT, self._next_look(RETRY_WAIT),
                                  deadline=RETRY_DEADLINE * self.ctx.settings.rate_time_scale, seen=message,
                                  error=True)
            if recorded.deadline_at is None or recorded.deadline_at > dt.datetime.now(dt.UTC):
                log.warning("%s failed, will try again: %s", self.step, message)
                return StepFailed(self.site.domain, self.step, message, retryable)
            message = gave_up_after_errors(message, self.ctx.settings.rate_time_scale)
        log.error("%s failed: %s", self.step, message)
        steps.fail(self.site.id, self.step, message)
        return StepFailed(self.site.domain, self.step, message, retryable)

    def _next_look(self, waiting_for: str) -> dt.datetime:
        """When to look next: the backoff continues while the step waits for the same thing."""
        previous = self.ctx.store.steps.get(self.site.id, self.step)
        checks = previous.checks + 1 if previous is not None and previous.waiting_for == waiting_for else 1
        return next_check_at(checks, self.ctx.settings.rate_time_scale)


def gave_up_after_errors(last_error: str | None, time_scale: float) -> str:
    hours = RETRY_DEADLINE.total_seconds() * time_scale / 3600
    return f"gave up after {hours:g} h of errors that may pass; the last: {last_error or 'unknown'}"


def _describe(changes: list[Change]) -> str:
    done = writes(changes)
    if not done:
        return "nothing to change"
    return "; ".join(f"{c.kind} {c.target}" for c in done)[:500]


def run_step(ctx: LayerContext, step: str, site: Site, work: Callable[[], tuple[list[Change], Applied]]) -> StepOutcome:
    """Start the step, do `work` (plan and apply), finish it; raises StepFailed (recorded)."""
    with site_context(site_id=site.id, domain=site.domain):
        run = StepRun(ctx, step, site)
        try:
            changes, applied = work()
        except Exception as exc:
            raise run.failed(exc) from None
        return run.done(changes, applied)


def run_layer(ctx: LayerContext, layer: Layer, site: Site) -> StepOutcome:
    """observe → plan → apply for one site, recorded through the step state machine."""
    def work() -> tuple[list[Change], Applied]:
        desired = layer.desired(site, ctx.settings)
        observed = layer.observe(ctx, site, desired)
        changes = layer.plan(desired, observed)
        return changes, layer.apply(ctx, site, desired, observed, changes)

    return run_step(ctx, layer.STEP, site, work)


def plan_layer(ctx: LayerContext, layer: Layer, site: Site) -> list[Change]:
    """The changes the next materialization would make: observe and plan, read-only."""
    desired = layer.desired(site, ctx.settings)
    return layer.plan(desired, layer.observe(ctx, site, desired))
