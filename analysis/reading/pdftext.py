"""A paper's PDF to sections: pypdf's text, numbered headings found by their order, references cut."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from typing import Any

from analysis.reading.papertext import Section, classify

log = logging.getLogger(__name__)
MAX_PAGES = 60  # appendices past this rarely matter, and a 300-page thesis must not stall a deep dive
# pypdf reads a content stream at about 3 s per MB here: a page drawing more (a huge plot, or a hostile
# file whose 60 pages share one 8 MB stream) is skipped, and the whole file stops at MAX_CONTENT
MAX_PAGE_CONTENT = 2 * 1024 * 1024
MAX_CONTENT = 12 * 1024 * 1024
# "4.3 Ablation Study", "3. Method", "IV. EXPERIMENTS": a short line, a number, a capitalised name
_NUMBERED = re.compile(r"^(?P<num>(?:\d{1,2}|[IVX]{1,5})(?:\.\d{1,2}){0,2})\.?\s{1,3}(?P<name>[A-Z][^\n]{1,70})$")
_NAMED = re.compile(r"^(Abstract|Introduction|Related Work|Background|Method|Methods|Methodology|Experiments|"
                    r"Results|Discussion|Conclusions?|Limitations|Acknowledg(?:e)?ments?)$", re.I)
_REFERENCES = re.compile(r"^\s*(References|REFERENCES|Bibliography|BIBLIOGRAPHY|Literature Cited)\s*$", re.M)
_AFTER_REFERENCES = re.compile(r"^\s*(Appendix|APPENDIX|Appendices|Supplementary Material|"
                               r"Supplementary Materials?)\b.*$", re.M)
_FIRST_ENTRY = re.compile(r"^(?P<open>\[?)1\]?\s+[A-Z]", re.M)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


class NoText(ValueError):
    """The PDF has no extractable text (a scan, or not a PDF at all)."""


def parse(content: bytes) -> list[Section]:
    from pypdf import PdfReader  # heavy: imported when a paper is read
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = _page_texts(reader.pages[:MAX_PAGES])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise NoText(f"unreadable PDF ({type(exc).__name__})") from None
    # NFKC: typeset ligatures (ﬁ, ﬂ) become letters, so quotes can be searched for in the PDF and matched
    text = without_references(unicodedata.normalize("NFKC", "\n".join(pages)))
    if len(text.strip()) < 200:
        raise NoText("the PDF has almost no text")
    return sections(text)


def _page_texts(pages: Any) -> list[str]:
    """Each page's text, skipping a page whose content streams pass MAX_PAGE_CONTENT, up to MAX_CONTENT in all."""
    texts: list[str] = []
    total = 0
    for number, page in enumerate(pages, 1):
        size = _content_size(page)
        total += size
        if total > MAX_CONTENT:
            log.info("PDF pages from %d on skipped: more than %d MB of content", number, MAX_CONTENT >> 20)
            break
        if size > MAX_PAGE_CONTENT:
            log.info("PDF page %d skipped: %d MB of content", number, size >> 20)
            continue
        texts.append(page.extract_text() or "")
    return texts


def _content_size(page: Any) -> int:
    """The page's content streams' decoded size (decoding is fast; pypdf's reading of them is not)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = [s.get_object() for s in contents] if isinstance(contents, list) else [contents]
    return sum(len(s.get_data()) for s in streams if hasattr(s, "get_data"))


def without_references(text: str) -> str:
    """The text with its reference list cut; an appendix after the references stays."""
    found = list(_REFERENCES.finditer(text))
    found = [m for m in found if m.start() > len(text) * 0.3]  # a table of contents may name them early
    start = found[0].start() if found else _numbered_list(text)
    if start is None:
        return text
    after = _AFTER_REFERENCES.search(text, start + 12)
    return text[:start] + ("\n" + text[after.start():] if after else "")


def _numbered_list(text: str) -> int | None:
    """Where an unheaded reference list starts (RevTeX: "1 D. C. Johnston, Adv. Phys. …", or "[1] …"):
    an entry 1 in the latter half of the text, with entries 2 and 3 close behind it."""
    for first in _FIRST_ENTRY.finditer(text, len(text) // 2):
        bracket = first["open"]
        follow = text[first.end() : first.end() + 1500]
        if all(re.search(rf"^{re.escape(bracket)}{n}{']' if bracket else ''}\s+\S", follow, re.M) for n in (2, 3)):
            return first.start()
    return None


def sections(text: str) -> list[Section]:
    """Split at headings whose numbers run in order (1, 2, 2.1, 3 …): a lone "2019" or "3 GPUs" is not one."""
    lines = text.splitlines()
    cuts: list[tuple[int, int, str]] = []  # (line index, level, heading)
    last_top = 0
    style = ""  # "roman" or "arabic", fixed by the first numbered heading
    for i, line in enumerate(lines):
        stripped = line.strip()
        found = _heading(stripped, last_top)
        if found is None:
            continue
        top, level = found
        this = "roman" if stripped[:1] in "IVX" and not _NAMED.match(stripped) else "arabic"
        if not _NAMED.match(stripped):
            if style and this != style:
                continue
            style = style or this
        if level == 1:
            last_top = top
        cuts.append((i, level, stripped))
    if not cuts:
        return classify([(1, "Full text", _join(lines), False)])
    raw: list[tuple[int, str, str, bool]] = []
    for n, (index, level, heading) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        body = _join(lines[index + 1 : end])
        if heading.lower() == "abstract" or heading.lower().startswith("acknowledg"):
            continue  # the abstract comes from HF or the API; thanks are not content
        raw.append((level, heading, body, heading.lower().startswith("appendix")))
    return classify(raw)


def _heading(line: str, last_top: int) -> tuple[int, int] | None:
    """(top number, level) when `line` is the next heading in order after section `last_top`."""
    if len(line) > 80:
        return None
    if _NAMED.match(line):
        return last_top, 1
    found = _NUMBERED.match(line)
    if not found or line.endswith((".", ",", ";")) or sum(c.isdigit() for c in found["name"]) > 4:
        return None
    parts = found["num"].split(".")
    top = _ROMAN.get(parts[0]) if parts[0] in _ROMAN else (int(parts[0]) if parts[0].isdigit() else None)
    if top is None:
        return None
    level = len(parts)
    if level == 1 and top == last_top + 1:
        return top, 1
    if level > 1 and top == last_top:
        return top, level
    return None


def _join(lines: list[str]) -> str:
    """Hard-wrapped lines to paragraphs: hyphenated breaks joined, blank lines kept as breaks."""
    text = "\n".join(lines)
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
