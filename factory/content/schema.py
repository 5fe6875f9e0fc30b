"""The site plan the model must return: one JSON schema, sent to the model (structured outputs)
and enforced again here, so output that does not match fails clearly instead of half-publishing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import jsonschema

SCHEMA_NAME = "site_plan"
HOME_SLUG = "home"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

# Only keywords OpenAI's strict mode accepts (type/properties/required/additionalProperties/pattern/
# min+maxItems); length limits are checked in _semantic_errors below.
SITE_PLAN_SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["tagline", "pages"],
    "properties": {
        "tagline": {"type": "string", "description": "One short line under the brand name."},
        "pages": {
            "type": "array",
            "minItems": 3,
            "maxItems": 8,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["slug", "title", "nav_label", "seo_description", "body_markdown"],
                "properties": {
                    "slug": {"type": "string", "pattern": SLUG_PATTERN},
                    "title": {"type": "string"},
                    "nav_label": {"type": "string"},
                    "seo_description": {"type": "string"},
                    "body_markdown": {"type": "string"},
                },
            },
        },
    },
}

_LIMITS = {"tagline": (3, 160), "title": (2, 120), "nav_label": (1, 40), "seo_description": (20, 200),
           "body_markdown": (40, 40_000), "slug": (1, 60)}


class ContentSchemaError(ValueError):
    """The model's output is not a valid site plan; the message says where and why."""


@dataclass(frozen=True)
class PlannedPage:
    slug: str
    title: str
    nav_label: str
    seo_description: str
    body: str
    nav_order: int


@dataclass(frozen=True)
class SitePlan:
    tagline: str
    pages: tuple[PlannedPage, ...]

    def as_dict(self) -> dict:
        return {"tagline": self.tagline, "pages": [p.__dict__ for p in self.pages]}


def response_format() -> dict:
    """The Chat Completions `response_format` for structured output."""
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": SITE_PLAN_SCHEMA}}


def _where(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _semantic_errors(data: dict) -> list[str]:
    errors = []
    text = {"tagline": data["tagline"]}
    for i, page in enumerate(data["pages"]):
        text.update({f"pages.{i}.{k}": v for k, v in page.items()})
    for where, value in text.items():
        low, high = _LIMITS[where.rsplit(".", 1)[-1]]
        if not low <= len(value.strip()) <= high:
            errors.append(f"{where}: length {len(value.strip())} is outside {low}..{high}")
    slugs = [p["slug"] for p in data["pages"]]
    if slugs and slugs[0] != HOME_SLUG:
        errors.append(f"pages.0.slug: the first page must be {HOME_SLUG!r}, not {slugs[0]!r}")
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        errors.append(f"pages: duplicate slugs {', '.join(duplicates)}")
    return errors


def parse_site_plan(raw: str | None) -> SitePlan:
    """Parse and validate the model's JSON text; raise ContentSchemaError on any mismatch."""
    if not raw:
        raise ContentSchemaError("the model returned no content")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ContentSchemaError(f"the model's output is not JSON ({exc.msg} at character {exc.pos})") from None
    validator = jsonschema.Draft202012Validator(SITE_PLAN_SCHEMA)
    problems = [f"{_where(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]
    if not problems:
        problems = _semantic_errors(data)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise ContentSchemaError(f"the model's output does not match the {SCHEMA_NAME} schema: {shown}")
    pages = tuple(
        PlannedPage(slug=p["slug"], title=p["title"].strip(), nav_label=p["nav_label"].strip(),
                    seo_description=p["seo_description"].strip(), body=p["body_markdown"].strip(), nav_order=i)
        for i, p in enumerate(data["pages"])
    )
    return SitePlan(tagline=data["tagline"].strip(), pages=pages)


def is_valid_slug(slug: str) -> bool:
    return bool(re.fullmatch(SLUG_PATTERN, slug)) and len(slug) <= 60
