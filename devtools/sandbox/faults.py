"""Seeded random fault injection per vendor.

The decision is taken *before* the request reaches a simulator, so a faulted
request never mutates state (a client that retries is always safe).
Kinds: "429" (with Retry-After), "5xx" (503), "timeout" (hold the connection
`timeout_hold_s` real seconds, then close without answering), "drop" (close
the socket without any response), "malformed" (200 with a truncated body).
"""
from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass

VENDORS = ("cloudflare", "namecheap", "matomo", "google", "openai")
KINDS = ("429", "5xx", "timeout", "drop", "malformed")


@dataclass
class FaultConfig:
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_timeout: float = 0.0
    rate_drop: float = 0.0
    rate_malformed: float = 0.0
    seed: int | None = None
    retry_after_s: float = 1.0      # vendor seconds (time-scaled) sent on injected 429s
    timeout_hold_s: float = 5.0     # real seconds a "timeout" holds the connection

    def active(self) -> bool:
        return any((self.rate_429, self.rate_5xx, self.rate_timeout, self.rate_drop, self.rate_malformed))


class FaultInjector:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.configs: dict[str, FaultConfig] = {v: FaultConfig() for v in VENDORS}
            self.rngs: dict[str, random.Random] = {v: random.Random(0) for v in VENDORS}
            self.injected: dict[str, dict[str, int]] = {v: {k: 0 for k in KINDS} for v in VENDORS}

    def set(self, vendor: str = "all", **kwargs) -> dict:
        targets = VENDORS if vendor == "all" else (vendor,)
        for t in targets:
            if t not in VENDORS:
                raise ValueError(f"unknown vendor {vendor!r}; expected one of {VENDORS + ('all',)}")
        fields = set(FaultConfig.__dataclass_fields__)
        bad = set(kwargs) - fields
        if bad:
            raise ValueError(f"unknown fault settings: {sorted(bad)}")
        with self._lock:
            for i, t in enumerate(targets):
                cfg = FaultConfig(**kwargs)
                self.configs[t] = cfg
                # each vendor gets its own stream derived from the seed, so
                # traffic to one vendor does not shift another's faults
                seed = cfg.seed if cfg.seed is not None else random.randrange(2**31)
                self.rngs[t] = random.Random(f"{seed}:{t}")
        return self.describe()

    def describe(self) -> dict:
        with self._lock:
            return {v: asdict(c) for v, c in self.configs.items()}

    def decide(self, vendor: str) -> tuple[str | None, FaultConfig]:
        with self._lock:
            cfg = self.configs.get(vendor)
            if cfg is None or not cfg.active():
                return None, cfg or FaultConfig()
            r = self.rngs[vendor].random()
            acc = 0.0
            for kind, rate in (("429", cfg.rate_429), ("5xx", cfg.rate_5xx), ("timeout", cfg.rate_timeout),
                               ("drop", cfg.rate_drop), ("malformed", cfg.rate_malformed)):
                acc += rate
                if r < acc:
                    self.injected[vendor][kind] += 1
                    return kind, cfg
            return None, cfg
