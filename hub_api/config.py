"""The Hub reads the one settings model (factory.config); in production it refuses to start
while any setting is missing or invalid."""

from __future__ import annotations

from factory.config import Settings, load_settings

__all__ = ["Settings", "get_settings"]


def get_settings() -> Settings:
    return load_settings(complete=True)
