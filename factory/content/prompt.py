"""The editable prompt template (prompts/*.md in the repo) and its version.

The version is the template's name plus a hash of its text, so any edit to the file is a new
version without anyone remembering to bump a number; it is recorded with each generation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).with_name("prompts")
SYSTEM_MESSAGE = "You are a careful website copywriter. Answer only with JSON that matches the given schema."


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    text: str

    @property
    def version(self) -> str:
        return f"{self.name}@{hashlib.sha256(self.text.encode()).hexdigest()[:12]}"

    def render(self, *, brand: str, domain: str) -> str:
        # str.replace, not str.format: braces in the template or the brand stay literal.
        return self.text.replace("{brand}", brand).replace("{domain}", domain)


def load_prompt(name: str = "site_plan", directory: Path | None = None) -> PromptTemplate:
    path = (directory or PROMPTS_DIR) / f"{name}.md"
    return PromptTemplate(name=name, text=path.read_text(encoding="utf-8"))
