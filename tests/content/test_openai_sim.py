"""The sandbox's OpenAI simulator through the official SDK (httpx2 transport, real socket)."""

from __future__ import annotations

import json

import openai
import pytest

from factory.content.schema import SITE_PLAN_SCHEMA, parse_site_plan, response_format
from devtools.sandbox import SandboxServer, settings


@pytest.fixture()
def sim(sandbox: SandboxServer):
    sandbox.openai.reset()
    sandbox.clear_faults()
    yield sandbox
    sandbox.openai.reset()
    sandbox.clear_faults()


def _client(sb: SandboxServer, **kw) -> openai.OpenAI:
    env = settings(sb.url)
    return openai.OpenAI(base_url=env["OPENAI_BASE_URL"], api_key=kw.pop("api_key", env["OPENAI_API_KEY"]),
                         max_retries=kw.pop("max_retries", 0), timeout=10, **kw)


PROMPT = [{"role": "user", "content": "Brand name: Acme\nDomain: acme.com"}]


def test_chat_structured_output_is_deterministic_with_usage_and_headers(sim):
    client = _client(sim)
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=PROMPT,
                                                           response_format=response_format())
    completion = raw.parse()
    assert raw.headers["x-ratelimit-limit-requests"] and raw.headers["x-ratelimit-remaining-requests"]
    assert completion.usage.total_tokens > 0 and completion.choices[0].finish_reason == "stop"
    plan = parse_site_plan(completion.choices[0].message.content)
    again = client.chat.completions.create(model="gpt-4o-mini", messages=PROMPT, response_format=response_format())
    assert again.choices[0].message.content == completion.choices[0].message.content
    assert "Acme" in plan.pages[0].title


def test_responses_api_structured_output(sim):
    response = _client(sim).responses.create(
        model="gpt-4o-mini", input=PROMPT,
        text={"format": {"type": "json_schema", "name": "site_plan", "schema": SITE_PLAN_SCHEMA, "strict": True}})
    assert parse_site_plan(response.output_text).tagline


def test_schema_breaking_mode_and_other_schemas(sim):
    sim.openai.set_output("schema_break", count=1)
    client = _client(sim)
    broken = client.chat.completions.create(model="m", messages=PROMPT, response_format=response_format())
    assert "unexpected_field" in json.loads(broken.choices[0].message.content)
    schema = {"type": "object", "additionalProperties": False, "required": ["n", "tags"],
              "properties": {"n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "other", "strict": True, "schema": schema}}
    value = json.loads(client.chat.completions.create(model="m", messages=PROMPT, response_format=fmt)
                       .choices[0].message.content)
    assert isinstance(value["n"], int) and isinstance(value["tags"], list)


def test_errors_rate_limits_and_retries(sim):
    with pytest.raises(openai.AuthenticationError):
        _client(sim, api_key="sk-wrong").models.list()
    sim.set_faults("openai", rate_429=1.0, retry_after_s=0.05)
    with pytest.raises(openai.RateLimitError) as info:
        _client(sim).chat.completions.create(model="m", messages=PROMPT)
    assert info.value.code == "rate_limit_exceeded"
    sim.set_faults("openai", rate_5xx=1.0)
    with pytest.raises(openai.InternalServerError):
        _client(sim).chat.completions.create(model="m", messages=PROMPT)
    sim.clear_faults()
    sim.openai.set_output("error_5xx", count=1)  # one 500, then the SDK's retry succeeds
    ok = _client(sim, max_retries=2).chat.completions.create(model="m", messages=PROMPT)
    assert ok.choices[0].message.content
