"""Ask the model for a site plan (structured output) and check it against the schema."""

from __future__ import annotations

from dataclasses import dataclass

from factory.content.prompt import SYSTEM_MESSAGE, PromptTemplate
from factory.content.schema import SitePlan, parse_site_plan, response_format
from factory.hashing import json_hash
from factory.vendors.openai import LlmClient


class GenerationError(RuntimeError):
    """The model could not produce a usable plan (API error, refusal, truncation, bad output)."""


@dataclass(frozen=True)
class GeneratedContent:
    plan: SitePlan
    model: str
    prompt_version: str
    content_hash: str
    prompt_tokens: int
    completion_tokens: int
    request_id: str | None


DIFFER_INSTRUCTION = (
    "\n\nAnother website in the same network already published text very close to what this site had "
    "(a near-duplicate). Write every page of this site in your own words, with a different structure, "
    "different examples and different headings. Do not reuse these passages of the other site:\n\n{passages}")


def generate_site_plan(llm: LlmClient, template: PromptTemplate, *, brand: str, domain: str,
                       differ_from: str | None = None) -> GeneratedContent:
    """One structured-output completion (vendor errors arrive as VendorError, already retried).
    `differ_from`: passages of another site this one must not resemble (a flagged near-duplicate)."""
    prompt = template.render(brand=brand, domain=domain)
    if differ_from:
        prompt += DIFFER_INSTRUCTION.format(passages=differ_from)
    messages = [
        {"role": "system", "content": SYSTEM_MESSAGE},
        {"role": "user", "content": prompt},
    ]
    completion = llm.chat(messages, response_format=response_format(), temperature=0.7)
    choice = completion.choices[0]
    if choice.message.refusal:
        raise GenerationError(f"the model refused: {choice.message.refusal[:300]}")
    if choice.finish_reason == "length":
        raise GenerationError("the model's output was cut off (finish_reason=length)")
    plan = parse_site_plan(choice.message.content)
    usage = completion.usage
    return GeneratedContent(
        plan=plan, model=completion.model or llm.model, prompt_version=template.version,
        content_hash=json_hash(plan.as_dict()),
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        request_id=getattr(completion, "_request_id", None),
    )
