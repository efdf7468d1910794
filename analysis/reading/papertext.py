"""A paper's full text as sections, and the capped, delimited form of it that a prompt carries.

The budget goes to the introduction, method and experiments first, then the conclusion, then the
rest; within one tier every section gets a fair share, so a long method cannot starve the results.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

from analysis.models import Paper
from analysis.models import TextSource as Source

Kind = Literal["intro", "method", "experiments", "conclusion", "related", "appendix", "other"]
TIER: dict[str, int] = {"intro": 1, "method": 1, "experiments": 1, "conclusion": 2, "other": 3, "related": 4,
                        "appendix": 5}
_MIN_SHARE = 60  # tokens: a section that would get less than this is left out instead of shown as a stub

_KINDS: list[tuple[Kind, re.Pattern[str]]] = [
    ("appendix", re.compile(r"^(appendix|appendices|supplementary)", re.I)),
    ("related", re.compile(r"related work|prior work|background|literature", re.I)),
    ("intro", re.compile(r"introduction|motivation", re.I)),
    ("experiments", re.compile(r"experiment|result|evaluation|ablation|benchmark|comparison|empirical|"
                               r"implementation detail|setup|quantitative|qualitative|performance", re.I)),
    ("conclusion", re.compile(r"conclu|discussion|limitation|future work|broader impact|summary", re.I)),
    ("method", re.compile(r"method|approach|model|architecture|framework|proposed|formulation|algorithm|"
                          r"design|preliminar|overview|pipeline|training|our ", re.I)),
]


@dataclass
class Section:
    heading: str  # as the paper numbers it: "4.3 Ablation study"
    text: str
    kind: Kind = "other"


@dataclass
class PaperText:
    """What we could read of a paper. `source` says where it came from; "abstract" means no full text."""

    source: Source
    sections: list[Section] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.sections)

    def to_json(self) -> dict[str, object]:
        return {"source": self.source,
                "sections": [{"heading": s.heading, "text": s.text, "kind": s.kind} for s in self.sections]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PaperText:
        sections = data.get("sections") or []
        assert isinstance(sections, list)
        return cls(source=data["source"],  # type: ignore[arg-type]
                   sections=[Section(str(s["heading"]), str(s["text"]), s.get("kind", "other")) for s in sections])


def classify(sections: list[tuple[int, str, str, bool]]) -> list[Section]:
    """Sections from (level, heading, text, is_appendix) in document order, each given a kind.

    Subsections take their top-level section's kind; an unnamed top-level section between the
    introduction and the experiments ("3 Hypernetwork INR") is the method."""
    kinds: list[Kind | None] = []
    for level, heading, _, appendix in sections:
        kinds.append("appendix" if appendix else (_kind_of(heading) if level <= 1 else None))
    seen_intro = False
    top: Kind = "other"
    out: list[Section] = []
    later_experiments = [False] * (len(kinds) + 1)  # from the end in one pass: any(kinds[i:]) each is quadratic
    for i in range(len(kinds) - 1, -1, -1):
        later_experiments[i] = later_experiments[i + 1] or kinds[i] == "experiments"
    for i, (level, heading, text, _) in enumerate(sections):
        kind = kinds[i]
        if level <= 1 or kind == "appendix":
            if kind is None:
                kind = "method" if seen_intro and later_experiments[i] else "other"
            top = kind
            seen_intro = seen_intro or kind == "intro"
        out.append(Section(heading, text, top))
    return out


def _kind_of(heading: str) -> Kind | None:
    name = re.sub(r"^[\dA-Z]+(\.\d+)*\.?\s+", "", heading.strip())
    for kind, pattern in _KINDS:
        if pattern.search(name):
            return kind
    return None


def estimate_tokens(text: str) -> int:
    """About four characters a token for Latin script, one a token for CJK: close enough to budget by."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return wide + (len(text) - wide + 3) // 4


def fit(sections: list[Section], budget: int) -> tuple[list[Section], list[str]]:
    """The sections shortened to fit `budget` tokens, in document order, and the headings left out."""
    sizes = [estimate_tokens(s.heading) + estimate_tokens(s.text) + 8 for s in sections]
    share = [0] * len(sections)
    left = budget
    for tier in sorted({TIER[s.kind] for s in sections}):
        members = [i for i, s in enumerate(sections) if TIER[s.kind] == tier]
        left = _water_fill(members, sizes, share, left)
        if left <= 0:
            break
    kept: list[Section] = []
    dropped: list[str] = []
    for i, section in enumerate(sections):
        if share[i] >= sizes[i]:
            kept.append(section)
        elif share[i] >= _MIN_SHARE:
            kept.append(Section(section.heading, _cut(section.text, share[i] - estimate_tokens(section.heading) - 8),
                                section.kind))
        else:
            dropped.append(section.heading)
    return kept, dropped


def _water_fill(members: list[int], sizes: list[int], share: list[int], left: int) -> int:
    """Give each member min(its size, an equal share of what is left), passing unused shares on."""
    todo = sorted(members, key=lambda i: sizes[i])
    for n, i in enumerate(todo):  # smallest first, walked by index: popping the head each time is quadratic
        if left <= 0:
            break
        share[i] = min(sizes[i], left // (len(todo) - n))
        left -= share[i]
    return left


def _cut(text: str, tokens: int) -> str:
    """The text's start within `tokens` (as estimate_tokens counts them), ended at a sentence or word, marked […]."""
    limit = _chars_within(text, max(0, tokens))
    if limit >= len(text):
        return text
    head = text[:limit]
    stop = max(head.rfind(". "), head.rfind("。"), head.rfind("\n"))
    if stop > limit // 2:
        head = head[: stop + 1]
    else:
        space = head.rfind(" ")
        head = head[:space] if space > limit // 2 else head
    return head.rstrip() + " […]"


def _chars_within(text: str, tokens: int) -> int:
    """How many leading characters of `text` estimate_tokens counts as at most `tokens`: a Chinese
    paper gets a quarter of the characters an English one does, not four per token of either."""
    wide = narrow = 0
    for i, char in enumerate(text):
        if ord(char) > 0x2E80:
            wide += 1
        else:
            narrow += 1
        if wide + (narrow + 3) // 4 > tokens:
            return i
    return len(text)


def document(paper: Paper, text: PaperText | None, budget: int) -> str:
    """The paper as delimited data for a prompt: every piece escaped, so nothing in it can close a tag."""
    title = html.escape(paper.title, quote=False)
    abstract = html.escape(paper.abstract, quote=False)
    authors = html.escape(authors_line(paper), quote=False)
    head = (f'<paper id="{html.escape(paper.arxiv_id)}">\n<title>{title}</title>\n<authors>{authors}</authors>\n'
            f"<abstract>{abstract}</abstract>")
    if text is None or text.source == "abstract" or not text.sections:
        return head + "\n</paper>"
    room = budget - estimate_tokens(head) - 20
    kept, dropped = fit(text.sections, room)
    parts = [head, f'<fulltext source="{text.source}">']
    for section in kept:
        parts.append(f'<section title="{html.escape(section.heading, quote=True)}">\n'
                     f"{html.escape(section.text, quote=False)}\n</section>")
    if dropped:
        parts.append(f"<omitted>{html.escape('; '.join(dropped), quote=False)}</omitted>")
    parts += ["</fulltext>", "</paper>"]
    return "\n".join(parts)


def authors_line(paper: Paper, most: int = 8) -> str:
    """The first `most` authors, "et al." for the rest; "unknown" when the source named none."""
    named = ", ".join(paper.authors[:most]) + (" et al." if len(paper.authors) > most else "")
    return named or "unknown"


def plain(text: PaperText | None, paper: Paper) -> str:
    """Everything the model could have quoted from, for checking its quotes."""
    pieces = [paper.title, paper.abstract, *(f"{s.heading}\n{s.text}" for s in (text.sections if text else []))]
    return "\n".join(pieces)
