"""The layers point down only (../shared/design/architecture.md): plain code never imports
Dagster or the Dagster layer, vendor clients know nothing of the store or the layers, and the
product never imports the dev-only tools."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGSTER_LAYER = ("dagster", "dagster_graphql", "resources", "factory_assets", "sensors", "schedules", "definitions")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(*folders: str, exclude: tuple[str, ...] = ()) -> list[Path]:
    paths = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    return sorted(p for p in paths if not any(p.relative_to(ROOT).as_posix().startswith(e) for e in exclude))


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in paths:
        for name in sorted(imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                bad.append(f"{where} imports {name}")
    return bad


RULES = [
    ("plain code (factory/, but the CLI) never imports Dagster or the Dagster layer",
     modules("factory", exclude=("factory/cli/",)), DAGSTER_LAYER + ("hub_api", "devtools")),
    ("vendor clients know nothing of the store, the layers or the wiring above them",
     modules("factory/vendors"), ("factory.store", "factory.layers", "factory.clients", "factory.content",
                                  "factory.analytics")),
    ("the store knows nothing of vendors or layers",
     modules("factory/store"), ("factory.vendors", "factory.layers", "factory.clients", "factory.content")),
    ("resources only build plain objects: no assets, sensors, schedules or the Hub",
     modules("resources"), ("factory_assets", "sensors", "schedules", "definitions", "hub_api", "devtools")),
    ("the product never imports the dev-only tools",
     modules("factory", "factory_assets", "resources", "sensors", "schedules", "hub_api"), ("devtools",)),
    ("the Hub does not run Dagster code in its process",
     modules("hub_api"), ("dagster", "resources", "factory_assets", "sensors", "schedules", "definitions")),
]


@pytest.mark.parametrize(("rule", "paths", "forbidden"), RULES, ids=[r[0][:40] for r in RULES])
def test_layers_point_down(rule: str, paths: list[Path], forbidden: tuple[str, ...]) -> None:
    assert paths, f"no modules found for: {rule}"
    assert offenders(paths, forbidden) == [], rule


def test_the_check_catches_a_violation(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import dagster as dg\nfrom resources.factory import FactoryResource\nimport factory.store\n")
    assert offenders([bad], DAGSTER_LAYER) == ["bad.py imports dagster", "bad.py imports resources.factory"]
