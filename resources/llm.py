"""The OpenAI (or OpenAI-compatible) model that writes site content."""

from __future__ import annotations

import dagster as dg
import openai


class LlmResource(dg.ConfigurableResource):
    """base_url: empty for api.openai.com; the sandbox's /openai/v1 in tests and demos.

    The SDK retries 408/409/429/5xx with backoff and honours Retry-After (max_retries times).
    """

    api_key: str
    base_url: str = ""
    model: str = "gpt-4o-mini"
    max_retries: int = 3
    timeout_s: float = 120.0

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(api_key=self.api_key, base_url=self.base_url or None,
                             max_retries=self.max_retries, timeout=self.timeout_s)
