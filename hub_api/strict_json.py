"""Request bodies are read as strict JSON: UTF-8, no unpaired surrogates, bounded nesting.

Python's JSON parser accepts `"\\ud800"` (half of a UTF-16 pair, not a character), NaN and
duplicate keys; such text then fails deep inside (argon2, Postgres) as a 500. Here it is a 422
that says what is wrong, before any route sees it. Every router uses `StrictJsonRoute`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

MAX_DEPTH = 32  # the deepest request body of the API is 3


def _refuse(message: str) -> json.JSONDecodeError:
    # FastAPI turns a JSONDecodeError into a 422 (type json_invalid) carrying this message.
    return json.JSONDecodeError(message, "", 0)


def _no_constants(name: str) -> Any:
    raise _refuse(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _refuse(f"the key {twice[:40]!r} is given twice in one object")
    return result


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _refuse(f"a string holds U+{ord(text[exc.start]):04X}, an unpaired UTF-16 surrogate, which "
                          "is not a character") from None


def parse(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise _refuse(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise _refuse(f"the JSON is nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
