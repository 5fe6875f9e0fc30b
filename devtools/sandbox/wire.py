"""Tiny request/response types shared by the simulators.

The simulators are plain functions of (Request) -> Response so they can be
driven by the socket server and inspected without any web framework.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str  # raw path (still percent-encoded), without query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    client_ip: str = "127.0.0.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def q(self, name: str, default: str | None = None) -> str | None:
        vals = self.query.get(name)
        return vals[-1] if vals else default

    def json(self):
        if not self.body:
            return {}
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        """Query string merged with an urlencoded body (POST wins) — how
        Namecheap, Matomo and the OAuth endpoint read their parameters."""
        merged = {k: list(v) for k, v in self.query.items()}
        ctype = (self.header("content-type") or "").lower()
        if self.body and ("x-www-form-urlencoded" in ctype or not ctype):
            for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items():
                merged[k] = v
        return merged

    def form_ci(self, name: str) -> str | None:
        """One form/query parameter, its name matched case-insensitively."""
        try:
            return first_ci(self.form(), name)
        except UnicodeDecodeError:
            return None

    def body_summary(self, limit: int = 300) -> str:
        text = self.body[:limit].decode("utf-8", "replace")
        return text + ("…" if len(self.body) > limit else "")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(obj).encode("utf-8"), "application/json; charset=utf-8", dict(headers or {}))


def first(form: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    vals = form.get(name)
    return vals[-1] if vals else default


def first_ci(form: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    """Case-insensitive parameter lookup (Namecheap ignores parameter case)."""
    low = name.lower()
    for k, v in form.items():
        if k.lower() == low and v:
            return v[-1]
    return default
