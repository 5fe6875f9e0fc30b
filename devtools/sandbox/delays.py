"""How slow the simulated world is, in vendor seconds (multiplied by the server's time_scale).

The defaults are the real world's order of magnitude (vendor-apis.md, "Time and the real
world"): a new Cloudflare zone turns active minutes to an hour after the registrar delegates to
it; Google sees a TXT record minutes after it is published. A test that wants vendors that react
at once says so: `SandboxServer(instant=True)` (or sets the delays it needs to 0).
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields

DAY = 86400.0


@dataclass
class Delays:
    # Cloudflare's periodic check activates a zone a random delay after the registrar delegates to
    # its pair (sandbox choice: uniform in [min, max], one seeded draw per account + zone name).
    activation_min_s: float = 300.0
    activation_max_s: float = 3600.0
    # PUT /zones/{id}/activation_check: at most once per this interval per Free zone (documented:
    # once per hour), and it sees a delegation only once it is this old (registry publication).
    activation_check_interval_s: float = 3600.0
    activation_propagation_s: float = 300.0
    # Zones still pending after 28 days are deleted (documented).
    pending_zone_ttl_s: float = 28 * DAY
    # Site Verification sees a TXT record this long after it was written or its zone activated.
    txt_propagation_s: float = 300.0
    seed: int = 0

    INSTANT = ("activation_min_s", "activation_max_s", "activation_propagation_s", "txt_propagation_s")

    @classmethod
    def build(cls, instant: bool = False, **overrides) -> Delays:
        """Realistic defaults, or zero waits with `instant` (the limits stay: the activation
        check's hourly limit and the 28-day deletion are rules, not delays); explicit values win."""
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown delay settings: {sorted(unknown)}")
        delays = cls()
        if instant:
            for name in cls.INSTANT:
                setattr(delays, name, 0.0)
        for name, value in overrides.items():
            if value is not None:
                setattr(delays, name, type(getattr(delays, name))(value))
        delays.validate()
        return delays

    def validate(self) -> None:
        for f in fields(self):
            if f.name != "seed" and getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must be >= 0")
        if self.activation_max_s < self.activation_min_s:
            raise ValueError("activation_max_s must be >= activation_min_s")

    def update(self, **values) -> None:
        merged = Delays(**{**asdict(self), **{k: v for k, v in values.items() if v is not None}})
        merged.validate()
        for f in fields(self):
            setattr(self, f.name, getattr(merged, f.name))

    def describe(self) -> dict:
        return asdict(self)

    def activation_delay_s(self, account_id: str, zone_name: str) -> float:
        """This zone's delay between delegation and Cloudflare's periodic check activating it:
        the same for the same account and name in every run with the same seed."""
        if self.activation_max_s <= self.activation_min_s:
            return self.activation_min_s
        rng = random.Random(f"{self.seed}:{account_id}:{zone_name}")
        return rng.uniform(self.activation_min_s, self.activation_max_s)
