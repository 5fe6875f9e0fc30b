"""Scaled time: every vendor window/block/delay is multiplied by `time_scale`.

time_scale=0.01 makes Cloudflare's 300 s window last 3 real seconds. All
durations the simulators hand back to clients (Retry-After) are in *real*
seconds, i.e. already scaled, so a client that simply obeys them works.
"""
from __future__ import annotations

import time
from datetime import UTC, date, datetime


class Clock:
    def __init__(self, time_scale: float = 1.0):
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self.today_override: date | None = None

    def now(self) -> float:
        """Monotonic real seconds (use with scaled durations)."""
        return time.monotonic()

    def wall(self) -> float:
        """Real epoch seconds: for moments kept in persisted state (a zone's delegation,
        activation, a record's creation), which must survive a restart."""
        return time.time()

    def elapsed(self, since: float | None) -> float | None:
        """Vendor seconds elapsed since the wall moment `since` (None stays None)."""
        return None if since is None else (self.wall() - since) / self.time_scale

    def scaled(self, vendor_seconds: float) -> float:
        """Real seconds corresponding to a vendor-documented duration."""
        return vendor_seconds * self.time_scale

    def today(self) -> date:
        return self.today_override or datetime.now(UTC).date()


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_at(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
