"""arXiv ids out of a reference export: BibTeX (Zotero, arXiv's own, Google Scholar's) or a text file of ids/URLs.

Each entry or line becomes one `Entry`: its arXiv id, or None with a label that says which entry had none,
so an import can name in one line each what it could not use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.errors import BadInput, quote
from analysis.sources.ids import parse_arxiv_id

# at a line's start, as every exporter writes them: "@alice (chat)" in a text list's comment is no entry
_ENTRY = re.compile(r"^[ \t]*@\s*(\w+)\s*[{(]", re.ASCII | re.MULTILINE)
_FIELD = re.compile(r"\s*([A-Za-z][\w-]*)\s*=\s*", re.ASCII)
_ID_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|arxiv[:.\s]\s*|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_SKIPPED = {"comment", "preamble", "string"}


@dataclass(frozen=True)
class Entry:
    label: str  # how a person finds it in their file: the BibTeX key and title, or the line
    arxiv_id: str | None


def read_entries(text: str) -> list[Entry]:
    """BibTeX when the text has an @entry, else one id or URL per line (blank lines and # comments skipped)."""
    if _ENTRY.search(text):
        return [_bib_entry(key, fields) for key, fields in parse_bibtex(text)]
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        entries.append(Entry(f"line {number} '{quote(line, 60)}'", id_in_line(line)))
    return entries


def id_in_line(line: str) -> str | None:
    """The arXiv id a line starts with, or the first one written in it ("see arXiv:2601.14256")."""
    try:
        return parse_arxiv_id(line.split()[0])
    except BadInput:
        found = _ID_IN_TEXT.search(line)
        return _checked(found[1]) if found else None


def _bib_entry(key: str, fields: dict[str, str]) -> Entry:
    title = " ".join(fields.get("title", "").replace("{", "").replace("}", "").split())
    label = f"@{key}" + (f" '{quote(title, 60)}'" if title else "")
    return Entry(label, arxiv_id_of(fields))


def arxiv_id_of(fields: dict[str, str]) -> str | None:
    """The entry's arXiv id: `eprint` (arXiv's and Zotero's export), an arXiv DOI (10.48550/arXiv.ID),
    an arxiv.org URL, or "arXiv:ID" in journal/note fields (Google Scholar's "arXiv preprint arXiv:…")."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    if fields.get("eprint") and prefix == "arxiv":
        found = _checked(fields["eprint"].strip())
        if found:
            return found
    for name in ("doi", "url", "journal", "note", "howpublished", "eprint", "publisher", "volume"):
        match = _ID_IN_TEXT.search(fields.get(name, ""))
        if match and (found := _checked(match[1])):
            return found
    return None


def _checked(text: str) -> str | None:
    try:
        return parse_arxiv_id(text)
    except BadInput:
        return None


def parse_bibtex(text: str) -> list[tuple[str, dict[str, str]]]:
    """(key, fields with lower-case names) of every entry; braces nest, quotes and bare words are values.
    Malformed entries end where the next @ starts instead of swallowing the rest of the file."""
    entries = []
    for match in _ENTRY.finditer(text):
        if match[1].lower() in _SKIPPED:
            continue
        body = _balanced(text, match.end() - 1)
        key, _, rest = body.partition(",")
        entries.append((key.strip(), _fields(rest)))
    return entries


def _balanced(text: str, start: int) -> str:
    """The text inside the bracket at `start` up to its match, or up to the next entry when unbalanced."""
    closer = "}" if text[start] == "{" else ")"
    depth = 0
    for i in range(start + 1, len(text)):
        char = text[i]
        if char == closer and depth == 0:
            return text[start + 1 : i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "@" and text[i - 1] == "\n" and _ENTRY.match(text, i):
            return text[start + 1 : i]
    return text[start + 1 :]


def _fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos = 0
    while (match := _FIELD.match(body, pos)) is not None:
        value, pos = _value(body, match.end())
        fields[match[1].lower()] = value
        comma = body.find(",", pos)
        if comma < 0:
            break
        pos = comma + 1
    return fields


def _value(body: str, pos: int) -> tuple[str, int]:
    """One field value: {nested {braces}}, "quoted", or a bare word/number; `#` concatenation is cut."""
    if pos >= len(body):
        return "", pos
    if body[pos] == "{":
        depth = 0
        for i in range(pos, len(body)):
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            if depth == 0:
                return body[pos + 1 : i], i + 1
        return body[pos + 1 :], len(body)
    if body[pos] == '"':
        end = body.find('"', pos + 1)
        end = len(body) if end < 0 else end
        return body[pos + 1 : end], end + 1
    match = re.compile(r"[^,\s}]*").match(body, pos)
    assert match is not None
    return match[0], match.end()
