"""`factory`: the operator's command line."""

from factory.cli.app import app

__all__ = ["app"]
