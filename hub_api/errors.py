"""Every error as JSON `{"detail": ...}` with the right status; never a stack trace or a secret."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from factory.config import SettingsError
from factory.logs import redact
from factory.secrets import SecretKeyError
from factory.store import Conflict, InvalidInput, NotFound
from factory.vendors.retry import VendorError
from hub_api.auth import AuthError
from factory.orchestrator import DagsterUnavailable

log = logging.getLogger("hub_api.errors")


class ImportRejectedError(Exception):
    """A CSV import refused as a whole; carries the per-row errors."""

    def __init__(self, detail: str, errors: list[dict]):
        super().__init__(detail)
        self.detail, self.errors = detail, errors


def _request_id(request: Request) -> str:
    return request.scope.get("state", {}).get("request_id", "-")


def _json(status: int, detail: object, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _message(error: dict) -> str:
    if error.get("type") == "json_invalid":
        # The parser's words (hub_api.strict_json's, or json's "Expecting value"): never the input.
        reason = (error.get("ctx") or {}).get("error")
        return f"the body is not valid JSON: {reason}" if reason else "the body is not valid JSON"
    return str(error.get("msg", "invalid"))


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            # FastAPI's word for a body that is not UTF-8 JSON: a validation error like any other.
            return JSONResponse({"detail": [{"loc": ["body"], "msg": "the body is not valid UTF-8 JSON",
                                             "type": "json_invalid"}]}, status_code=422)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such path: {request.url.path[:200]}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on this path"
        return _json(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own shape (loc, msg, type), minus `input` and `ctx`: inputs may be secrets.
        errors = [{"loc": list(e.get("loc", ())), "msg": redact(_message(e)),
                   "type": str(e.get("type", "value_error"))} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if exc.retry_after is not None:
            headers = {"Retry-After": str(exc.retry_after)}
        return _json(exc.status_code, str(exc), headers)

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput) -> JSONResponse:
        return _json(400, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _json(404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return _json(409, str(exc))

    @app.exception_handler(ImportRejectedError)
    async def import_rejected(request: Request, exc: ImportRejectedError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, "errors": exc.errors}, status_code=400)

    @app.exception_handler(DagsterUnavailable)
    async def dagster_unavailable(request: Request, exc: DagsterUnavailable) -> JSONResponse:
        return _json(503, str(exc))

    @app.exception_handler(psycopg.OperationalError)
    async def database_unavailable(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        log.error("database unavailable (request %s): %s", _request_id(request), type(exc).__name__)
        return _json(503, "the database is not reachable; try again shortly")

    @app.exception_handler(psycopg.errors.UndefinedTable)
    @app.exception_handler(psycopg.errors.UndefinedColumn)
    async def schema_out_of_date(request: Request, exc: psycopg.Error) -> JSONResponse:
        # A new database, or code newer than its schema: the administrator's fix, not the caller's.
        log.error("database schema missing or out of date (request %s): %s", _request_id(request),
                  str(exc).splitlines()[0])
        return _json(503, "the database's schema is missing or out of date; an administrator must run "
                          "`factory db upgrade`")

    @app.exception_handler(psycopg.DataError)
    async def unstorable_value(request: Request, exc: psycopg.DataError) -> JSONResponse:
        # e.g. a NUL character or an out-of-range number that passed validation: the caller's data.
        return _json(400, "a value in the request cannot be stored or searched (e.g. a NUL character "
                          "or a number out of range)")

    @app.exception_handler(VendorError)
    async def vendor_error(request: Request, exc: VendorError) -> JSONResponse:
        # A vendor answered badly or not at all: its message (never a credential) for the operator.
        return _json(502, str(exc))

    @app.exception_handler(SettingsError)
    async def settings_error(request: Request, exc: SettingsError) -> JSONResponse:
        return _json(503, str(exc))

    @app.exception_handler(SecretKeyError)
    async def secret_key_error(request: Request, exc: SecretKeyError) -> JSONResponse:
        log.error("secret key problem (request %s): %s", _request_id(request), exc)
        return _json(500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the (redacting) log; the caller gets the request id to quote.
        log.error("unhandled error (request %s) on %s", _request_id(request), request.url.path,
                  exc_info=(type(exc), exc, None))
        return _json(500, f"internal error; quote request id {_request_id(request)} to the administrator")
