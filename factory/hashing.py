"""Stable hashes of JSON-like values (content, build inputs): equal values hash equal."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def json_hash(value: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace): equal values hash equal."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()
