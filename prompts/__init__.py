"""Prompt templates as files, loaded by name; each has a version that enters the cache key.

A template is a Markdown file with `$placeholders` (string.Template). Its version is a hash of the
rendered text, so editing a template, or changing the persona, keywords or language it is filled
with, misses the cache instead of serving answers made for another prompt.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from string import Template


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def version(self) -> str:
        return f"{self.name}-{hashlib.sha256(self.text.encode()).hexdigest()[:12]}"


@functools.lru_cache(maxsize=32)  # a handful of templates
def template(name: str) -> str:
    """The template file's text, read once per process: prompts are rendered several times per paper."""
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")


def render(name: str, **values: str) -> Prompt:
    """The template `name` with `values` filled in; a missing value is a KeyError, not a silent gap."""
    return Prompt(name, Template(template(name)).substitute(values).strip())
