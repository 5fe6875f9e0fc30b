"""What every resource shares: the error body, pages, and the error responses of a route."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field

from factory.text import UnsafeText, check_name

T = TypeVar("T")


def _shown_as_typed(what: str) -> AfterValidator:
    """Refuse text that hides or reorders itself (bidi overrides, zero-width, BOM, C1): 422."""
    def check(value: str | None) -> str | None:
        try:
            return check_name(value, what)
        except UnsafeText as exc:
            raise ValueError(str(exc)) from None

    return AfterValidator(check)


# Names people read in the CLI, the UI and Dagit (factory.text decides what they may hold).
BrandName = Annotated[str, _shown_as_typed("brand name")]
Nickname = Annotated[str, _shown_as_typed("account nickname")]
Email = Annotated[str, _shown_as_typed("email")]


class ErrorMessage(BaseModel):
    detail: str = Field(description="What went wrong, in words an operator understands.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items match the filters, over all pages.")
    limit: int
    offset: int


_DESCRIPTIONS = {
    400: "Refused by the product's rules (e.g. an invalid domain)",
    401: "Missing, invalid or expired token",
    403: "The token's account does not have the operator role",
    404: "Not found",
    409: "Conflicts with the current state (already exists, or still in use)",
    413: "The request body is too large",
    429: "Too many failed sign-ins; see Retry-After",
    500: "Internal error (details are in the server log under the request id)",
    502: "A vendor (Cloudflare, Namecheap, ...) refused the request or could not be reached",
    503: "A service the request needs (database, Dagster) is unavailable",
}
# Every authenticated route can answer these; 422 (validation) is documented by FastAPI itself.
AUTHED = (401, 403, 500, 503)


def errors(*codes: int, authed: bool = True) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status with the ErrorMessage body."""
    wanted = sorted(set(codes) | (set(AUTHED) if authed else {500, 503}))
    return {code: {"model": ErrorMessage, "description": _DESCRIPTIONS[code]} for code in wanted}
