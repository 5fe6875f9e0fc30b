"""Launching and listing runs through Dagster's GraphQL API (plain HTTP: the Hub and the CLI
start runs in the code location, never Dagster code in their own process).

Operators' runs carry who started them (`factory/operator`) and, when they apply a plan, its hash
(`factory/plan`): Dagit shows both on the run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import httpx

from factory.logs import redact

log = logging.getLogger(__name__)

JOB = "onboard_site_job"
LOCATION = "website_factory"
REPOSITORY = "__repository__"
PARTITION_TAG = "dagster/partition"

_LAUNCH = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on PipelineNotFoundError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on ConflictingExecutionParamsError { message }
    ... on UnauthorizedError { message }
    ... on InvalidSubsetError { message }
  }
}
"""
_RUNS = """
query Runs($filter: RunsFilter!, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs { results { runId status jobName creationTime startTime endTime assetSelection { path }
                            tags { key value } } }
    ... on PythonError { message }
  }
}
"""


class DagsterUnavailable(Exception):
    """Dagster could not be reached or refused the request; the message is safe to show."""


class DagsterGateway:
    def __init__(self, base_url: str, timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def run_url(self, run_id: str) -> str:
        return f"{self.base_url}/runs/{run_id}"

    def _query(self, query: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        try:
            response = httpx.post(f"{self.base_url}/graphql", json={"query": query, "variables": variables},
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:
            log.warning("Dagster %s failed: %s", what, type(exc).__name__)
            raise DagsterUnavailable(f"Dagster is not reachable at {self.base_url}") from None
        if response.status_code != 200:
            raise DagsterUnavailable(f"Dagster at {self.base_url} answered HTTP {response.status_code} to {what}")
        body = response.json()
        if body.get("errors"):
            raise DagsterUnavailable(f"Dagster refused {what}: {redact(str(body['errors'][0].get('message')))[:200]}")
        return body["data"]

    def launch(self, domain: str, steps: list[str] | None = None, tags: dict[str, str] | None = None) -> str:
        """Launch the onboarding job for one site partition (some of its assets, or all); return the run id."""
        return self.launch_job(JOB, {PARTITION_TAG: domain, **(tags or {})}, steps=steps)

    def launch_job(self, job: str, tags: dict[str, str], *, steps: list[str] | None = None,
                   run_config: dict[str, Any] | None = None) -> str:
        params: dict[str, Any] = {
            "selector": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "jobName": job},
            "executionMetadata": {"tags": [{"key": k, "value": str(v)} for k, v in tags.items()]},
        }
        if steps:
            params["selector"]["assetSelection"] = [{"path": [s]} for s in steps]
        if run_config:
            params["runConfigData"] = run_config
        result = self._query(_LAUNCH, {"executionParams": params}, "the run")["launchRun"]
        if result["__typename"] == "LaunchRunSuccess":
            return result["run"]["runId"]
        return self._refused(result)

    def _refused(self, result: dict[str, Any]) -> str:
        kind = result["__typename"]
        text = result.get("message") or "; ".join(e.get("message", "") for e in result.get("errors", []))
        missing = re.search(r'environment variable "([A-Z0-9_]+)" which is not set', text or "")
        if missing:
            raise DagsterUnavailable(f"Dagster cannot configure {JOB}: the environment variable {missing.group(1)} "
                                     "is not set where the Dagster code location runs")
        if kind == "PipelineNotFoundError":
            raise DagsterUnavailable(f"the Dagster deployment at {self.base_url} has no job {JOB} in location "
                                     f"{LOCATION}")
        body = redact((text or "").splitlines()[0])[:200] if text else ""
        raise DagsterUnavailable(f"Dagster refused the run ({kind}){': ' + body if body else ''}")

    def runs(self, tags: dict[str, str], limit: int) -> list[dict[str, Any]]:
        data = self._query(_RUNS, {"filter": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
                                   "limit": limit}, "the runs query")["runsOrError"]
        if data["__typename"] != "Runs":
            raise DagsterUnavailable("Dagster could not list the runs: " + str(data.get("message", ""))[:200])
        return [self._run(r) for r in data["results"]]

    def runs_for(self, domain: str, limit: int) -> list[dict[str, Any]]:
        return self.runs({PARTITION_TAG: domain}, limit)

    def _run(self, raw: dict[str, Any]) -> dict[str, Any]:
        def when(value: float | None) -> dt.datetime | None:
            return dt.datetime.fromtimestamp(value, dt.UTC) if value else None

        selection = raw.get("assetSelection")
        tags = {t["key"]: t["value"] for t in raw.get("tags") or []}
        return {
            "run_id": raw["runId"], "status": raw["status"], "job": raw["jobName"], "url": self.run_url(raw["runId"]),
            "created_at": when(raw.get("creationTime")), "started_at": when(raw.get("startTime")),
            "ended_at": when(raw.get("endTime")),
            "steps": ["/".join(k["path"]) for k in selection] if selection else None,
            "operator": tags.get("factory/operator"), "plan": tags.get("factory/plan"),
            "trigger": tags.get("factory/trigger"), "why": _why(tags),
        }


def _why(tags: dict[str, str]) -> str | None:
    """Why the platform started a run, in its tags' words: a new site's phase (its delegation, then
    the rest), what a follow-up found, or the run a relaunch stands in for."""
    if tags.get("factory/relaunch_of"):
        return f"relaunch of {tags['factory/relaunch_of']} (it died before its first step)"
    return tags.get("factory/reason") or tags.get("factory/phase")
