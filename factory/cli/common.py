"""What every command shares: the store, one-line errors, secret prompts."""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from factory.backup import BackupError
from factory.config import SettingsError, load_settings
from factory.secrets import SecretKeyError
from factory.store import Store, StoreError
from factory.text import check_name, for_terminal
from factory.vendors.retry import VendorError

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def store() -> Store:
    return Store()


@functools.cache
def context():
    """Settings (complete, in production), the store and the vendor clients, for commands that
    talk to vendors."""
    from factory.clients import Clients
    from factory.layers.runner import LayerContext

    settings = load_settings(complete=True)
    return LayerContext(settings, store(), Clients(settings, store()))


def operator() -> str:
    """Who acts from the CLI: FACTORY_OPERATOR, else the OS user (as cli:<user>)."""
    return os.environ.get("FACTORY_OPERATOR") or f"cli:{getpass.getuser()}"


def audit(action: str, *, target: str | None = None, plan_hash: str | None = None, result: str = "ok",
          detail: dict | None = None) -> None:
    """One audit_log row for an operator action taken through the CLI."""
    store().audit.record(operator(), "cli", action, target=target, plan_hash=plan_hash, result=result, detail=detail)


def shown(value: object) -> str:
    """Text as it may be printed: controls, invisible and bidi characters escaped (\\u202e)."""
    return for_terminal("" if value is None else value)


def say(message: str, err: bool = False) -> None:
    """Print one message whose parts may come from operators or the database."""
    typer.echo(shown(message), err=err)


def names(**values: str | None) -> None:
    """Refuse names that would not print as typed (see factory.text); e.g. names(nickname=...)."""
    for what, value in values.items():
        check_name(value, what.replace("_", " "))


def fail(message: str, code: int = 1) -> None:
    say(f"error: {message}", err=True)
    raise typer.Exit(code)


def friendly_errors(func: F) -> F:
    """Turn expected failures into one line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (StoreError, SecretKeyError, SettingsError, VendorError, BackupError, ValueError) as exc:
            # One line (a settings error lists each problem on a line of its own).
            fail(" ".join(line.strip() for line in str(exc).splitlines()))
        except Exception as exc:  # a database that is down, etc.: still one line
            import psycopg

            if isinstance(exc, psycopg.OperationalError):
                fail(f"cannot reach the database: {str(exc).splitlines()[0]}")
            if isinstance(exc, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn)):
                # A new database, or one older than this code: the fix is the same either way.
                fail(f"the database's schema is missing or out of date ({str(exc).splitlines()[0]}); "
                     "run `factory db upgrade`")
            raise

    return wrapper  # type: ignore[return-value]


def read_secret(env_name: str, prompt: str) -> str:
    """A secret from the environment or a hidden prompt; never from argv."""
    value = os.environ.get(env_name)
    if value:
        return value
    if not sys.stdin.isatty():
        fail(f"set {env_name} or run in a terminal to be prompted (secrets are never taken from the command line)")
    return typer.prompt(prompt, hide_input=True)
