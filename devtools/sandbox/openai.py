"""OpenAI-compatible simulator (vendor-apis.md §7): /openai/v1/chat/completions, /responses, /models.

Structured output is honoured: for a `json_schema` response format the answer is deterministic
JSON valid against the request's schema (a realistic site plan for the `site_plan` schema, a
generic instance for any other). Every answer carries `usage` and `x-ratelimit-*` headers; a
per-key request budget answers 429 `rate_limit_exceeded` with Retry-After when spent.
Site plans differ per site (copywriter.py: a niche, pages and sentences drawn from the prompt's
hash). Tests steer the output with `OpenAISim.set_output(mode, count=None, source=None)`:
  "valid" (default), "schema_break" (JSON that violates the schema), "not_json" (cut-off text),
  "refusal" (a refusal message), "error_5xx" (HTTP 500 from the simulator itself),
  "near_copy" (the plan written for the domain `source`, under this prompt's brand and domain,
  with a few words changed: a near-duplicate for the fleet's similarity check).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid

import jsonschema

from .copywriter import near_copy, write_plan
from .wire import Request, Response, json_response

API_KEY = "sandbox-openai-key"
REQUESTS_PER_MINUTE = 500
TOKENS_PER_MINUTE = 2_000_000
OUTPUT_MODES = ("valid", "schema_break", "not_json", "refusal", "error_5xx", "near_copy")


def error(status: int, message: str, type_: str, code: str | None, headers: dict | None = None) -> Response:
    return json_response({"error": {"message": message, "type": type_, "param": None, "code": code}},
                         status, headers)


def fault_response(kind: str, retry_after_s: float) -> Response:
    """Injected faults in OpenAI's wire format (used by the sandbox fault injector)."""
    if kind == "429":
        return error(429, "Rate limit reached for requests (sandbox fault injection). Please try again later.",
                     "requests", "rate_limit_exceeded",
                     {"retry-after": str(max(1, round(retry_after_s))),
                      "retry-after-ms": str(int(retry_after_s * 1000))})
    return error(500, "The server had an error while processing your request (sandbox fault injection).",
                 "server_error", None)


class OpenAISim:
    def __init__(self, requests_per_minute: int = REQUESTS_PER_MINUTE):
        self.rpm = requests_per_minute
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.windows: dict[str, tuple[float, int]] = {}
            self.mode = "valid"
            self.mode_count: int | None = None
            self.source: str | None = None
            self.completions = 0
            self.plans: dict[str, tuple[str, dict]] = {}  # domain -> (brand, the plan last written for it)

    def dump(self) -> dict:
        return {"completions": self.completions, "mode": self.mode, "count": self.mode_count, "source": self.source}

    def set_output(self, mode: str = "valid", count: int | None = None, source: str | None = None) -> None:
        """Make the next `count` answers (all, if None) use `mode`; then back to valid.
        "near_copy" needs `source`: the domain whose plan is copied."""
        if mode not in OUTPUT_MODES:
            raise ValueError(f"unknown output mode {mode!r}; expected one of {OUTPUT_MODES}")
        if (mode == "near_copy") != bool(source):
            raise ValueError("source (a domain) is required for near_copy and only for it")
        with self._lock:
            self.mode, self.mode_count, self.source = mode, count, source

    def _take_mode(self) -> tuple[str, str | None]:
        with self._lock:
            mode, source = self.mode, self.source
            if self.mode_count is not None:
                self.mode_count -= 1
                if self.mode_count <= 0:
                    self.mode, self.mode_count, self.source = "valid", None, None
            return mode, source

    # ---- rate limit (fixed one-minute window per key) ----------------------------------------
    def _budget(self, key: str) -> tuple[bool, dict[str, str]]:
        now = time.monotonic()
        with self._lock:
            start, used = self.windows.get(key, (now, 0))
            if now - start >= 60:
                start, used = now, 0
            allowed = used < self.rpm
            if allowed:
                used += 1
            self.windows[key] = (start, used)
        reset = max(0.0, 60 - (now - start))
        headers = {
            "x-ratelimit-limit-requests": str(self.rpm),
            "x-ratelimit-remaining-requests": str(max(0, self.rpm - used)),
            "x-ratelimit-reset-requests": f"{reset:.0f}s",
            "x-ratelimit-limit-tokens": str(TOKENS_PER_MINUTE),
            "x-ratelimit-remaining-tokens": str(TOKENS_PER_MINUTE),
            "x-ratelimit-reset-tokens": "0s",
            "x-request-id": "req_" + uuid.uuid4().hex[:24],
        }
        if not allowed:
            headers["retry-after"] = str(max(1, round(reset)))
        return allowed, headers

    # ---- routing ---------------------------------------------------------------------------
    def handle(self, req: Request, rest: list[str]) -> Response:
        """`rest` is the path after /openai (e.g. ["v1", "chat", "completions"])."""
        auth = req.header("authorization") or ""
        key = auth[7:] if auth.lower().startswith("bearer ") else ""
        if key != API_KEY:
            return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        allowed, headers = self._budget(key)
        if not allowed:
            return error(429, f"Rate limit reached for requests per min (RPM): Limit {self.rpm}, Used {self.rpm}, "
                         "Requested 1. Please try again later.", "requests", "rate_limit_exceeded", headers)
        route = "/".join(rest)
        if req.method == "GET" and route == "v1/models":
            return json_response({"object": "list", "data": [
                {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"}]}, 200, headers)
        if req.method != "POST" or route not in ("v1/chat/completions", "v1/responses"):
            return error(404, f"Invalid URL ({req.method} /{route})", "invalid_request_error", None, headers)
        try:
            body = req.json()
        except (ValueError, UnicodeDecodeError):
            return error(400, "We could not parse the JSON body of your request.", "invalid_request_error", None,
                         headers)
        if not isinstance(body, dict) or not body.get("model"):
            return error(400, "you must provide a model parameter", "invalid_request_error", None, headers)
        mode, source = self._take_mode()
        if mode == "error_5xx":
            return error(500, "The server had an error while processing your request.", "server_error", None, headers)
        if route == "v1/chat/completions":
            return self._chat(body, mode, source, headers)
        return self._responses(body, mode, source, headers)

    # ---- endpoints -----------------------------------------------------------------------
    def _chat(self, body: dict, mode: str, source: str | None, headers: dict) -> Response:
        messages = body.get("messages") or []
        prompt = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        rf = body.get("response_format") or {}
        schema = rf.get("json_schema", {}).get("schema") if rf.get("type") == "json_schema" else None
        name = rf.get("json_schema", {}).get("name", "") if schema else ""
        content, refusal = self._answer(prompt, schema, name, mode, source)
        self.completions += 1
        usage = _usage(prompt, content or refusal or "")
        return json_response({
            "id": "chatcmpl-" + uuid.uuid4().hex[:24], "object": "chat.completion", "created": int(time.time()),
            "model": body["model"], "system_fingerprint": "fp_sandbox",
            "choices": [{"index": 0, "logprobs": None,
                         "finish_reason": "length" if mode == "not_json" else "stop",
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        }, 200, headers)

    def _responses(self, body: dict, mode: str, source: str | None, headers: dict) -> Response:
        inp = body.get("input")
        if isinstance(inp, list):
            prompt = "\n".join(str(m.get("content", "")) for m in inp if isinstance(m, dict))
        else:
            prompt = str(inp or "")
        prompt = (str(body.get("instructions") or "") + "\n" + prompt).strip()
        fmt = (body.get("text") or {}).get("format") or {}
        schema = fmt.get("schema") if fmt.get("type") == "json_schema" else None
        content, refusal = self._answer(prompt, schema, fmt.get("name", ""), mode, source)
        self.completions += 1
        usage = _usage(prompt, content or refusal or "")
        part = ({"type": "refusal", "refusal": refusal} if refusal
                else {"type": "output_text", "text": content, "annotations": []})
        return json_response({
            "id": "resp_" + uuid.uuid4().hex[:24], "object": "response", "created_at": int(time.time()),
            "status": "incomplete" if mode == "not_json" else "completed", "model": body["model"],
            "output": [{"type": "message", "id": "msg_" + uuid.uuid4().hex[:24], "status": "completed",
                        "role": "assistant", "content": [part]}],
            "usage": {"input_tokens": usage[0], "output_tokens": usage[1], "total_tokens": sum(usage)},
        }, 200, headers)

    # ---- content ---------------------------------------------------------------------------
    def _answer(self, prompt: str, schema: dict | None, name: str, mode: str,
                source: str | None = None) -> tuple[str | None, str | None]:
        if mode == "refusal":
            return None, "I'm sorry, but I can't help with that request."
        seed = hashlib.sha256(prompt.encode()).digest()
        if schema is None:
            text = "This is a deterministic answer from the OpenAI sandbox."
        else:
            value = self._site_plan(prompt, seed, source if mode == "near_copy" else None) \
                if name == "site_plan" else None
            if value is None or not _valid(value, schema):
                value = instance_for(schema, seed)
            if mode == "schema_break":
                value = _break(value)
            text = json.dumps(value, ensure_ascii=False)
        if mode == "not_json":
            return text[: max(1, len(text) // 2)], None
        return text, None


    def _site_plan(self, prompt: str, seed: bytes, source: str | None) -> dict:
        brand, domain = _brand_and_domain(prompt)
        if source is None:
            plan = site_plan(prompt, seed)
        else:
            with self._lock:
                known = self.plans.get(source)
            if known is None:  # never generated here: write the source's plan as it would have been
                known = (_brand_for(source), site_plan(f"Brand name: {_brand_for(source)}\nDomain: {source}",
                                                       hashlib.sha256(source.encode()).digest()))
            plan = near_copy(known[1], source_brand=known[0], source_domain=source, brand=brand, domain=domain)
        with self._lock:
            self.plans[domain] = (brand, plan)
        return plan


def _brand_for(domain: str) -> str:
    return domain.split(".")[0].replace("-", " ").title()


def _brand_and_domain(prompt: str) -> tuple[str, str]:
    return (_field(prompt, "Brand name") or _field(prompt, "Brand") or "Example Brand",
            _field(prompt, "Domain") or "example.com")


def _usage(prompt: str, completion: str) -> tuple[int, int]:
    return max(1, len(prompt) // 4), max(1, len(completion) // 4)


def _valid(value, schema: dict) -> bool:
    try:
        jsonschema.validate(value, schema)
        return True
    except (jsonschema.ValidationError, jsonschema.SchemaError):
        return False


def _break(value):
    """Schema-breaking output: wrong type at the top and a required property missing."""
    if isinstance(value, dict) and value:
        broken = dict(value)
        first = next(iter(broken))
        broken.pop(first)
        for k, v in list(broken.items()):
            broken[k] = "oops" if not isinstance(v, str) else 42
        broken["unexpected_field"] = True
        return broken
    return {"unexpected_field": True}


def _field(prompt: str, label: str) -> str | None:
    m = re.search(rf"^\s*{label}\s*:\s*(.+?)\s*$", prompt, re.IGNORECASE | re.MULTILINE)
    return m.group(1) if m else None


def site_plan(prompt: str, seed: bytes) -> dict:
    """A realistic, deterministic site plan for the brand/domain named in the prompt (varies per site)."""
    brand, domain = _brand_and_domain(prompt)
    return write_plan(brand, domain, seed)


def instance_for(schema: dict, seed: bytes, path: str = "x"):
    """A deterministic instance of (the strict-mode subset of) a JSON schema."""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return instance_for(schema["anyOf"][0], seed, path)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {k: instance_for(v, seed, f"{path}-{k}") for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        n = max(schema.get("minItems", 1), 1)
        return [instance_for(schema.get("items") or {}, seed, f"{path}-{i}") for i in range(n)]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    text = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "value"
    return text + "-" + seed.hex()[:6]
