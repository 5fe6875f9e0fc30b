"""Google's token endpoint through google-auth against the simulator: an endpoint that is down is
a retryable error (the site waits and retries), a refused refresh token is the operator's to fix."""

from __future__ import annotations

import google.auth.exceptions
import google.auth.transport.requests
import pytest
from google.oauth2.credentials import Credentials

from devtools.sandbox.google import CLIENT_ID, CLIENT_SECRET
from factory.vendors.google import classify


def _refresh(sandbox, refresh_token: str) -> google.auth.exceptions.RefreshError:
    creds = Credentials(None, refresh_token=refresh_token, token_uri=f"{sandbox.url}/google/token",
                        client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with pytest.raises(google.auth.exceptions.RefreshError) as caught:
        creds.refresh(google.auth.transport.requests.Request())
    return caught.value


def test_a_token_endpoint_that_is_down_is_retried_not_blamed_on_the_account(sandbox) -> None:
    sandbox.set_faults("google", rate_5xx=1.0, seed=3)
    error = classify(_refresh(sandbox, "sandbox-refresh-fine-abcdef"))
    assert error.retryable and "refresh token was refused" not in str(error)


def test_a_revoked_refresh_token_needs_the_operator(sandbox) -> None:
    error = classify(_refresh(sandbox, "revoked-refresh-abcdef"))
    assert not error.retryable
    assert "re-authorise the account" in str(error)
