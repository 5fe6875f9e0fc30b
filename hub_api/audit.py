"""Every operator action through the Hub (and the UI, which uses it) lands in the audit log:
who, when, what (the route's operation), on what (its path parameters), the plan's hash, and the
result. Reads are not actions; sign-in attempts are counted by the sign-in limiter instead."""

from __future__ import annotations

import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
ACTIONS = {"POST", "PUT", "PATCH", "DELETE"}
NOT_AUDITED = {"/api/auth/token"}


class Audit:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ACTIONS or not scope["path"].startswith("/api/") \
                or scope["path"] in NOT_AUDITED:
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            await anyio.to_thread.run_sync(self._record, scope, status["code"])

    @staticmethod
    def _record(scope: Scope, code: int) -> None:
        state = scope.get("state") or {}
        operator = state.get("operator")
        if operator is None:  # refused before sign-in was checked (401): no operator to name
            return
        route = scope.get("route")
        params = {k: str(v) for k, v in (scope.get("path_params") or {}).items()}
        headers = dict(scope.get("headers") or [])
        surface = "ui" if headers.get(b"x-factory-client", b"") == b"ui" else "hub"
        result = "ok" if code < 400 else "refused" if code < 500 else "failed"
        try:
            scope["app"].state.store.audit.record(
                operator, surface, getattr(route, "operation_id", None) or f"{scope['method']} {scope['path']}",
                target=", ".join(params.values()) or None, plan_hash=params.get("plan_hash") or state.get("plan_hash"),
                result=result, detail={"status": code, "request_id": state.get("request_id"),
                                       "route": getattr(route, "path", scope["path"])})
        except Exception as exc:  # noqa: BLE001 - the action happened; say the audit row is missing
            log.error("audit log write failed (request %s): %s", state.get("request_id"), type(exc).__name__)
