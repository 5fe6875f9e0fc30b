"""Property-based run over the whole OpenAPI document (Schemathesis): no 5xx, and every response
matches its documented status, content type and schema; schema-breaking requests are refused.
Authenticated, bounded (a dozen examples per operation and mode) to stay fast.

Unencodable strings are on: Schemathesis leaves lone UTF-16 surrogates out (they cannot be
encoded as UTF-8), but JSON carries them as escapes ("\ud800") and any client may send them.
So every string in a generated body may get one inserted, and bodies go on the wire with
non-ASCII escaped, as `json.dumps` writes them; each operation with a body must have been sent
at least one such body.

Driven through Hypothesis directly: schemathesis's pytest plugin does not run under pytest 9 yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport import register_serializer
from schemathesis.transport.requests import json_serializer

from factory.store import Store
from hub_api.auth import issue_local_token
from hub_api.main import create_app
from tests.conftest import APP_TABLES
from tests.hub_api.conftest import HUB_TABLES, FakeDagster, hub_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The document itself, read once at collection (building the app touches no database).
_DOC = create_app(hub_settings("postgresql://unused@127.0.0.1:1/unused"), store=Store("postgresql://unused")).openapi()
CASES = [
    pytest.param(method.upper(), path, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, ops in _DOC["paths"].items() for method, op in ops.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # Negative data needs something to break: parameters or a body.
    if mode == GenerationMode.POSITIVE or op.get("parameters") or op.get("requestBody")
]
LONE_SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\udcff"])
unencodable = {"bodies": 0}  # bodies with a lone surrogate sent during one operation's run


def _with_surrogates(value: object) -> st.SearchStrategy:
    """`value`, or `value` with a lone surrogate inserted into any of its strings."""
    if isinstance(value, str):
        inserted = st.tuples(st.integers(0, len(value)), LONE_SURROGATES).map(
            lambda at: value[:at[0]] + at[1] + value[at[0]:])
        return st.one_of(st.just(value), inserted)
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: _with_surrogates(v) for k, v in value.items()})
    if isinstance(value, list):
        return st.tuples(*(_with_surrogates(v) for v in value)).map(list)
    return st.just(value)


def _json_with_escapes(ctx, value) -> dict:
    serialized = json_serializer(ctx, value)  # Schemathesis's own, for bytes and binary bodies
    if "json" not in serialized:
        return serialized
    try:
        data = json.dumps(serialized["json"]).encode("ascii")  # ensure_ascii: "\ud800" as an escape
    except TypeError:  # something only Schemathesis's transport knows how to send
        return serialized
    if _has_surrogate(serialized["json"]):
        unencodable["bodies"] += 1
    return {"data": data}


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


@pytest.fixture(scope="module")
def fuzzed(pg_url: str) -> Iterator[tuple[object, dict[str, str], object]]:
    """One app and data set for the whole module (Schemathesis only adds to it)."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("set factory.maintenance = 'on'")
        conn.execute("truncate " + ", ".join(f"public.{t}" for t in (*APP_TABLES, *HUB_TABLES)) + " cascade")
    store = Store(pg_url)
    app = create_app(hub_settings(pg_url), store=store, dagster=FakeDagster())
    operator = store.operators.add("fuzz@example.com", "$argon2id$not-used")
    token = issue_local_token(app.state.settings, operator.id, operator.email, version=1).access_token
    auth = {"Authorization": "Bearer " + token}
    with TestClient(app) as client:
        client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "cf@example.com", "account_nickname": "CF_1", "api_token": "t" * 24})
        client.post("/api/sites", headers=auth, json={"domain": "example.com", "cloudflare_account": "CF_1"})
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)

    @schema.hook
    def flatmap_body(context, body):  # the hook's name is what Schemathesis looks up
        return _with_surrogates(body)

    register_serializer(_json_with_escapes, "application/json", "text/json")
    yield app, auth, schema
    register_serializer(json_serializer, "application/json", "text/json")  # Schemathesis's own again
    store.close()


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_operation_conforms_to_its_schema(fuzzed, method: str, path: str, mode: GenerationMode) -> None:
    _, auth, schema = fuzzed
    operation = schema[path][method]
    checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        case.call_and_validate(headers=auth, checks=checks)

    unencodable["bodies"] = 0
    run()
    if _DOC["paths"][path][method.lower()].get("requestBody") and mode == GenerationMode.POSITIVE:
        assert unencodable["bodies"] > 0, "no body with a lone surrogate was sent"

