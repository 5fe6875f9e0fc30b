"""The OpenAI (or OpenAI-compatible) model that writes site content, through the shared budget.

The SDK's own retries are off: every attempt goes through our caller, so it is counted against
the per-key budget and retried by the same rules as every other vendor (Retry-After honoured).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import RetryPolicy, VendorError

if TYPE_CHECKING:
    import openai

VENDOR = "openai"


def openai_budget(per_minute: int):
    return budget(VENDOR, (per_minute, 60.0, 0.5))


def classify(exc: Exception) -> VendorError | None:
    import openai  # loaded by the call that raised

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return VendorError(VENDOR, f"could not reach the OpenAI API ({type(exc).__name__})", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        # Only the vendor's own message; never the request (it carries the key in headers).
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        code = error.get("code") if isinstance(error, dict) else None
        message = (error.get("message") if isinstance(error, dict) else None) or exc.message
        status = exc.status_code
        retry_after = exc.response.headers.get("retry-after") if exc.response is not None else None
        retryable = status in (408, 409) or status >= 500 or (status == 429 and code != "insufficient_quota")
        return VendorError(VENDOR, f"OpenAI returned HTTP {status}: {message}", retryable=retryable, code=code,
                           status=status, retry_after=float(retry_after) if retry_after else None)
    return None


class LlmClient:
    def __init__(self, sdk: openai.OpenAI, model: str, call: VendorCaller):
        self.sdk = sdk
        self.model = model
        self._call = call

    def chat(self, messages: list[dict[str, str]], **options: Any) -> Any:
        return self._call(lambda: self.sdk.chat.completions.create(model=self.model, messages=messages, **options),
                          "chat completion")


def sdk(api_key: str, base_url: str | None, timeout_s: float = 120.0) -> openai.OpenAI:
    # Imported when a client is made: the SDK costs every process that loads the code location
    # (each run) most of a second, and only the content step writes with it.
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url or None, max_retries=0, timeout=timeout_s)


def standalone(api_key: str, base_url: str | None, model: str, *, max_attempts: int = 3) -> LlmClient:
    """A client outside the fleet's shared budget (one-off tools, tests, benchmarks), still retried
    by the same rules."""
    return LlmClient(sdk(api_key, base_url), model, VendorCaller(None, None, api_key,
                                                                 RetryPolicy(max_attempts=max_attempts), classify))
