"""One parser for every way people write an arXiv id."""

from __future__ import annotations

import re

from analysis.errors import BadInput, quote

# [0-9], not \d: \d also matches full-width and Arabic-Indic digits (２６０１.１４２５６), which arXiv does not know
# and which must not be sent upstream as if they were an id
_NEW = r"[0-9]{4}\.[0-9]{4,5}"
_OLD = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/[0-9]{7}"
_VERSION = r"(?:v[0-9]+)?"
_BARE = re.compile(rf"(?P<id>{_NEW}|{_OLD}){_VERSION}", re.ASCII)
_URL = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers)/"
    rf"(?P<id>{_NEW}|{_OLD}){_VERSION}(?:\.pdf)?/?(?:[?#].*)?",
    re.ASCII,
)
USAGE = (
    "expected an arXiv id such as 2601.14256, 2601.14256v2, arXiv:2601.14256, hep-th/9901001 "
    "or an arxiv.org / huggingface.co/papers link"
)


def parse_arxiv_id(text: str) -> str:
    """The canonical, versionless id of `text`, or BadInput saying which forms are accepted."""
    raw = text.strip().strip("<>")
    candidate = raw[len("arxiv:"):] if raw.lower().startswith("arxiv:") else raw
    for pattern in (_BARE, _URL):
        match = pattern.fullmatch(candidate)
        if match and _plausible(match["id"]):
            return match["id"]
    raise BadInput(f"'{quote(raw, 60)}' is not an arXiv id: {USAGE}.")


def _plausible(arxiv_id: str) -> bool:
    """New-style ids encode YYMM and numbers have 4 digits until 2014, 5 from 2015: others cannot exist."""
    if "/" in arxiv_id:
        return True
    yymm, number = arxiv_id.split(".")
    month = int(yymm[2:])
    return 1 <= month <= 12 and len(number) == (5 if int(yymm) >= 1501 else 4)
