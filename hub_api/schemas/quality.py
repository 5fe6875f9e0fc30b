"""Site quality: themes, the Lighthouse gate's verdict, previews and near-duplicate pairs."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from hub_api.schemas.runs import RunLaunched


class ThemeOption(BaseModel):
    name: str
    description: str
    variations: list[str]


class ThemeChoice(BaseModel):
    name: str
    variation: str


class FailedAudit(BaseModel):
    id: str
    title: str
    score: float
    categories: list[str]
    path: str = Field(description="The page (URL path) the audit failed on.")
    display: str = ""
    items: list[str] = Field(default_factory=list, description="Up to three offending elements or URLs.")


class QualityVerdictOut(BaseModel):
    build_hash: str
    passed: bool = Field(description="Every category at or above its threshold: the build may be deployed.")
    scores: dict[str, int] = Field(description="0-100 per Lighthouse category: the site's lowest page.")
    thresholds: dict[str, int]
    failed_audits: list[FailedAudit] = Field(description="The failing audits of the categories below threshold.")
    audits: list[FailedAudit] = Field(description="Every weighted audit below 0.9, on any page.")
    errors: list[str] = Field(description="Pages Lighthouse could not audit.")
    message: str | None = Field(description="Why the build was not deployed (null when it passed).")
    pages: dict[str, dict[str, int]] = Field(description="URL path -> category -> score.")
    preview: bool = Field(description="A home-page screenshot of this build is at /api/sites/{site}/preview.")
    checked_at: dt.datetime


class DuplicatePairOut(BaseModel):
    a: str
    b: str
    jaccard: float = Field(description="The whole sites' Jaccard on word shingles.")
    max_page_jaccard: float = Field(description="The most similar pair of pages.")
    pages: list[dict[str, str | float]] = Field(description="Page pairs at or above the threshold: slug_a, slug_b, "
                                                            "jaccard; most similar first.")
    found_at: dt.datetime | None = None


class SiteQualityOut(BaseModel):
    domain: str
    theme: ThemeChoice = Field(description="The theme the site is built with.")
    theme_chosen: bool = Field(description="Chosen by an operator (false: picked from the domain).")
    lang: str
    quality: QualityVerdictOut | None = Field(description="The latest build's gate verdict; null before one.")
    duplicates: list[DuplicatePairOut]


class ThemeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    theme: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[a-z]+(/[a-z]+)?$",
                              description="A theme name ('ledger') or 'name/variation'; null: back to the one "
                                          "picked from the domain.")
    variation: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[a-z]+$")
    rebuild: bool = Field(True, description="Launch a run of site_build and site_deployment for this site only.")


class ThemeUpdated(BaseModel):
    domain: str
    theme: ThemeChoice
    theme_chosen: bool
    run: RunLaunched | None = Field(description="The rebuild of this site (null when not asked for or Dagster "
                                                "was unreachable).")
    note: str | None = None
