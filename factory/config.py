"""Settings read from the environment (and `.env` if present), in one place.

Every setting is documented in `.env.example`. Nothing here holds a secret longer than needed.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """Where local state lives (embedded Postgres, generated keys, logs): FACTORY_HOME or ./.factory."""
    return Path(os.environ.get("FACTORY_HOME") or PROJECT_ROOT / ".factory")


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default
