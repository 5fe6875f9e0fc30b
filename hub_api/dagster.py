"""Launching and listing onboarding runs through Dagster's GraphQL API."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from factory.logs import redact

log = logging.getLogger(__name__)

JOB = "onboard_site_job"
LOCATION = "website_factory"
REPOSITORY = "__repository__"
PARTITION_TAG = "dagster/partition"
PARTITION_SET_TAG = "dagster/partition_set"

_RUNS_QUERY = """
query RunsForSite($filter: RunsFilter!, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs {
      results { runId status jobName creationTime startTime endTime assetSelection { path } }
    }
    ... on PythonError { message }
  }
}
"""


class DagsterUnavailable(Exception):
    """Dagster could not be reached or refused the request; the message is safe to show."""


class DagsterGateway:
    def __init__(self, base_url: str, timeout: int = 15):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def run_url(self, run_id: str) -> str:
        return f"{self.base_url}/runs/{run_id}"

    def _client(self) -> DagsterGraphQLClient:
        parts = urlsplit(self.base_url)
        return DagsterGraphQLClient(
            parts.hostname or "127.0.0.1", port_number=parts.port, use_https=parts.scheme == "https",
            path_prefix=parts.path.rstrip("/"), timeout=self.timeout,
        )

    def launch(self, domain: str, step: str | None) -> str:
        """Submit onboard_site_job for one site partition (one asset, or all of them); return the run id."""
        try:
            return self._client().submit_job_execution(
                JOB, repository_location_name=LOCATION, repository_name=REPOSITORY,
                tags={PARTITION_TAG: domain}, asset_selection=[step] if step else None,
            )
        except DagsterGraphQLClientError as exc:
            raise DagsterUnavailable(self._explain(exc)) from None
        except Exception as exc:  # requests/gql transport errors
            log.warning("Dagster launch failed: %s", type(exc).__name__)
            raise DagsterUnavailable(f"Dagster at {self.base_url} did not accept the run") from None

    def runs_for(self, domain: str, limit: int) -> list[dict[str, Any]]:
        try:
            data = self._client()._execute(
                _RUNS_QUERY, {"filter": {"tags": [{"key": PARTITION_TAG, "value": domain}]}, "limit": limit}
            )
        except DagsterGraphQLClientError as exc:
            raise DagsterUnavailable(self._explain(exc)) from None
        except Exception as exc:
            log.warning("Dagster runs query failed: %s", type(exc).__name__)
            raise DagsterUnavailable(f"Dagster at {self.base_url} did not answer the runs query") from None
        result = data["runsOrError"]
        if result["__typename"] != "Runs":
            raise DagsterUnavailable("Dagster could not list the runs: " + str(result.get("message", ""))[:200])
        return [self._run(r) for r in result["results"]]

    def _run(self, raw: dict[str, Any]) -> dict[str, Any]:
        def when(value: float | None) -> dt.datetime | None:
            return dt.datetime.fromtimestamp(value, dt.UTC) if value else None

        selection = raw.get("assetSelection")
        return {
            "run_id": raw["runId"], "status": raw["status"], "job": raw["jobName"], "url": self.run_url(raw["runId"]),
            "created_at": when(raw.get("creationTime")), "started_at": when(raw.get("startTime")),
            "ended_at": when(raw.get("endTime")),
            "steps": ["/".join(k["path"]) for k in selection] if selection else None,
        }

    def _explain(self, exc: DagsterGraphQLClientError) -> str:
        # The client's messages can embed whole queries; keep only the kind and the first line.
        kind = exc.args[0] if exc.args else "error"
        cause = exc.__cause__
        while cause is not None and not isinstance(cause, (ConnectionError, requests.exceptions.ConnectionError)):
            cause = cause.__cause__ or cause.__context__
        if "connecting to url" in str(kind) or cause is not None:
            return f"Dagster is not reachable at {self.base_url}"
        text = str(exc.args[1]) if len(exc.args) > 1 and exc.args[1] else ""
        missing = re.search(r'environment variable "([A-Z0-9_]+)" which is not set', text)
        if missing:
            return (f"Dagster cannot configure {JOB}: the environment variable {missing.group(1)} is not set "
                    "where the Dagster code location runs")
        body = redact(text.splitlines()[0])[:200] if text else ""
        if kind == "JobNotFoundError":
            return f"the Dagster deployment at {self.base_url} has no job {JOB} in location {LOCATION}"
        return f"Dagster refused the run ({str(kind).splitlines()[0][:80]}){': ' + body if body else ''}"
