"""The Hub API's OpenAPI schema as a committed file, `ui/openapi.json`: the UI's types are generated
from it (openapi-typescript, in the UI's own build), so the UI cannot drift from the API.

    scripts/ui schema                      # after changing the API: rewrite ui/openapi.json (+ the UI's types)
    python -m hub_api.openapi              # the same, Python side only
    python -m hub_api.openapi --check      # exit 1, naming what changed, if ui/openapi.json is stale
    python -m hub_api.openapi --out -      # print it

No server and no database: the app is built with default settings (no environment, no .env, so
the output is the same on every machine) and asked for its schema. Keys are sorted and the file
ends with a newline, so a change to the API is a small, stable diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = PROJECT_ROOT / "ui" / "openapi.json"
REGENERATE = "scripts/ui schema"


def current_schema() -> dict[str, Any]:
    """The schema the app serves at /api/openapi.json, built without reading the environment."""
    from hub_api.config import Settings
    from hub_api.main import create_app

    # model_construct: the declared defaults only (no env, no .env): the schema must not vary by machine.
    # No UI mount either (its routes are not in the schema; this only keeps the log quiet).
    return create_app(Settings.model_construct(ui_dist=Path("/nonexistent/ui/dist"))).openapi()


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drift(committed: str, current: str) -> list[str]:
    """What differs, in API terms (paths and named schemas), e.g. "endpoint added: GET /api/sites/{site}/dns"."""
    if committed == current:
        return []
    if not committed:
        return ["the file does not exist yet"]
    try:
        old = json.loads(committed)
    except ValueError:
        return ["the file is not JSON (a merge conflict?)"]
    new = json.loads(current)
    found = []
    old_ops, new_ops = _operations(old), _operations(new)
    for kind, names_old, names_new in (("endpoint", old_ops, new_ops),
                                       ("schema", _schemas(old), _schemas(new))):
        for name in sorted(names_new.keys() - names_old.keys()):
            found.append(f"{kind} added: {name}")
        for name in sorted(names_old.keys() - names_new.keys()):
            found.append(f"{kind} removed: {name}")
        for name in sorted(names_old.keys() & names_new.keys()):
            if names_old[name] != names_new[name]:
                detail = _fields_changed(names_old[name], names_new[name]) if kind == "schema" else ""
                found.append(f"{kind} changed: {name}{detail}")
    if _rest(old) != _rest(new):
        found.append("info, security schemes or other top-level parts changed")
    return found or ["formatting only (the file was not written by this command)"]


def stale_message(problems: list[str], path: Path = SCHEMA_FILE) -> str:
    shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
    return (f"{_display(path)} is out of date with the Hub API:\n  " + "\n  ".join(shown)
            + f"\nRun `{REGENERATE}` and commit {_display(path)} (the UI's types are generated from it).")


def _operations(schema: dict[str, Any]) -> dict[str, Any]:
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    return {f"{method.upper()} {path}": op for path, item in schema.get("paths", {}).items()
            for method, op in item.items() if method in methods}


def _schemas(schema: dict[str, Any]) -> dict[str, Any]:
    return schema.get("components", {}).get("schemas", {})


def _fields_changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    """' (added x; changed y)' for an object schema's properties, or '' when something else changed."""
    before, after = old.get("properties", {}), new.get("properties", {})
    parts = [(word, sorted(names)) for word, names in (
        ("added", after.keys() - before.keys()), ("removed", before.keys() - after.keys()),
        ("changed", {k for k in before.keys() & after.keys() if before[k] != after[k]}),
        ("now required", set(new.get("required", [])) - set(old.get("required", []))),
        ("now optional", set(old.get("required", [])) - set(new.get("required", []))))]
    text = "; ".join(f"{word} {', '.join(names)}" for word, names in parts if names)
    return f" ({text})" if text else ""


def _rest(schema: dict[str, Any]) -> dict[str, Any]:
    components = {k: v for k, v in schema.get("components", {}).items() if k != "schemas"}
    return {**{k: v for k, v in schema.items() if k not in ("paths", "components")}, "components": components}


def _display(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_api.openapi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(SCHEMA_FILE), help="the file to write ('-' prints it); default: ui/openapi.json")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(current_schema())
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.out).resolve()
    committed = path.read_text(encoding="utf-8") if path.is_file() else ""
    if args.check:
        problems = drift(committed, text)
        if problems:
            print(stale_message(problems, path), file=sys.stderr)
            return 1
        print(f"{_display(path)} is up to date", file=sys.stderr)
        return 0
    if committed == text:
        print(f"{_display(path)} is up to date", file=sys.stderr)
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {_display(path)}: " + "; ".join(drift(committed, text)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
