"""Text from outside (titles, abstracts, reasons, model answers) made safe to put in Markdown.

Everything renders as the text it is: no raw HTML, no link or emphasis it did not ask for, and no
table cell or line broken by `|` or a newline. Model text keeps the inline `**bold**` and `` `code` ``
the deep-dive schema allows; code spans are literal in CommonMark, so they are left as they are.
"""

from __future__ import annotations

import re

# ASCII punctuation that CommonMark/GFM may read as markup inside a line; a backslash makes each literal
# `_` inside a word (LLM_MODEL, snake_case) cannot open emphasis in CommonMark, so it stays readable there
_ACTIVE = re.compile(r"([\\`*\[\]{}|~#!$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_ACTIVE_KEEP_BOLD = re.compile(r"([\\\[\]{}|~#!$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def one_line(text: str) -> str:
    return " ".join(text.split())


def _entities(text: str) -> str:
    # `&` first, so the entities made here are not escaped again
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_text(text: str) -> str:
    """Plain outside text on one line: every Markdown and HTML character shown as itself."""
    return _ACTIVE.sub(r"\\\1", _entities(one_line(text)))


def md_model(text: str) -> str:
    """Model text on one line: `**bold**` and `` `code` `` kept, anything else shown as itself."""
    parts = _CODE_SPAN.split(one_line(text))
    return "".join(part if i % 2 else _ACTIVE_KEEP_BOLD.sub(r"\\\1", _entities(part))
                   for i, part in enumerate(parts))
