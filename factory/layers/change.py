"""What a layer's plan is made of: one Change per thing that differs (or does not).

A change names its layer, its kind (create / update / delete / wait / noop), the target, what is
there now (`before`), what should be (`after`) and why. `action` is the name the layer's apply
dispatches on. Plans are data: shown by `factory plan`, stored with a hash, rendered as Markdown
in Dagit, and applied by the layer that made them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from factory.hashing import json_hash

Kind = Literal["create", "update", "delete", "wait", "noop"]
KINDS: tuple[Kind, ...] = ("create", "update", "delete", "wait", "noop")
WRITES = ("create", "update", "delete")


@dataclass(frozen=True)
class Change:
    layer: str
    kind: Kind
    target: str
    reason: str
    before: str | None = None
    after: str | None = None
    action: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def writes(changes: Iterable[Change]) -> list[Change]:
    return [c for c in changes if c.kind in WRITES]


def waits(changes: Iterable[Change]) -> list[Change]:
    return [c for c in changes if c.kind == "wait"]


def is_converged(changes: Iterable[Change]) -> bool:
    """Nothing to change and nothing to wait for."""
    return all(c.kind == "noop" for c in changes)


def summary(changes: Iterable[Change]) -> dict[str, int]:
    counts = Counter(c.kind for c in changes)
    return {kind: counts.get(kind, 0) for kind in KINDS}


def plan_hash(changes: Sequence[Change]) -> str:
    return json_hash([c.as_dict() for c in changes])


def _cell(value: str | None) -> str:
    return (value or "").replace("|", "\\|").replace("\n", " ")[:120]


def markdown(changes: Sequence[Change]) -> str:
    """A Markdown table of the plan (Dagit metadata, `factory plan --markdown`)."""
    if not changes:
        return "_nothing to do_"
    lines = ["| layer | change | target | before | after | why |", "|---|---|---|---|---|---|"]
    lines += [f"| {c.layer} | {c.kind} | {_cell(c.target)} | {_cell(c.before)} | {_cell(c.after)} | {_cell(c.reason)} |"
              for c in changes]
    return "\n".join(lines)
