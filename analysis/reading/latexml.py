"""arXiv's HTML papers (LaTeXML output) to sections: headings, paragraphs, captions and table cells.

Left out: the reference list, footnotes, navigation and arXiv's page chrome, author blocks, LaTeXML's
error marks, and MathML (a formula becomes its short TeX `alttext`, a long one "[equation]").
"""

from __future__ import annotations

import re
from typing import Any

from analysis.reading.papertext import Section, classify

_NOISE = ("ltx_bibliography", "ltx_biblist", "ltx_note", "ltx_page_navbar", "ltx_page_header", "ltx_page_footer",
          "ltx_authors", "ltx_dates", "ltx_ERROR", "ltx_TOC", "ltx_classification", "ltx_acknowledgements",
          "ltx_pagination", "ltx_page_logo", "ltx_role_affiliation", "ltx_role_email", "ltx_keywords")
_NOISE_TAGS = ("nav", "header", "footer", "script", "style", "noscript", "button", "svg", "img", "form")
_SECTIONS = ("ltx_section", "ltx_subsection", "ltx_subsubsection", "ltx_appendix", "ltx_chapter")
_BREAK = "\ue000"  # marks a paragraph end while text is gathered, since the HTML's own newlines are just spaces
_MAX_TEX = 80
_THANKS = re.compile(r"^(?:[\dA-Z]+\s+)?acknowledg", re.I)
_MAX_ROWS = 40
MAX_SECTIONS = 1000  # a paper has well under 200: a page with 60,000 is no paper, and is not read to its end
MAX_ELEMENTS = 2_000_000  # MathML is verbose, but a page past this is not a paper we can read in time


class NotAPaper(ValueError):
    """The page has no LaTeXML article in it (an arXiv "no HTML for this paper" page, say)."""


def parse(content: bytes) -> list[Section]:
    """The article's sections in document order; NotAPaper when the page holds no article."""
    import lxml.html  # heavy: imported when a paper is read, never on `paperbot --help`

    try:
        root = lxml.html.document_fromstring(content)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise NotAPaper(f"unreadable HTML ({exc})") from None
    found = root.xpath("//article[contains(concat(' ', @class, ' '), ' ltx_document ')]")
    article = found[0] if found else None
    if article is None:
        raise NotAPaper("no LaTeXML article in the page")
    if any(n >= MAX_ELEMENTS for n, _ in enumerate(article.iter())):
        raise NotAPaper(f"the article has more than {MAX_ELEMENTS} elements")
    _drop_noise(article)
    _flatten_math(article)
    _mark_tables(article)
    raw: list[tuple[int, str, str, bool]] = []
    for element in article.iter("section", "div"):
        if len(raw) >= MAX_SECTIONS:
            raise NotAPaper(f"the article has more than {MAX_SECTIONS} sections")
        classes = _classes(element)
        if not classes & set(_SECTIONS):
            continue
        heading = _heading(element)
        text = _own_text(element)
        if _THANKS.search(heading):
            continue
        if heading or text:
            level = _level(element)
            raw.append((level, heading or "(untitled)", text, "ltx_appendix" in classes or _in_appendix(element)))
    if not raw:
        raise NotAPaper("the article has no sections")
    return [s for s in classify(raw) if s.text or s.heading]


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _drop_noise(article: Any) -> None:
    doomed = [e for e in article.iter() if isinstance(e.tag, str) and
              (e.tag in _NOISE_TAGS or _classes(e) & set(_NOISE))]
    for element in doomed:
        _replace(element, "")
    title = article.xpath(".//*[contains(@class, 'ltx_title_document')]")
    for element in title:
        _replace(element, "")
    for element in list(article.xpath(".//*[contains(@class, 'ltx_abstract')]")):
        _replace(element, "")  # HF and the arXiv API give the abstract already


def _replace(element: Any, text: str) -> None:
    """Put `text` where `element` was, keeping the text that followed it (its tail).

    The element stays, emptied and without its classes: moving its tail onto the previous sibling
    instead copies that sibling's ever longer tail once per element, quadratic over 100,000 <nav>s."""
    element.clear(keep_tail=True)
    element.text = text or None
    if element.tag == "math":
        element.tag = "span"  # a math element left behind would be flattened again


def _flatten_math(article: Any) -> None:
    for math in list(article.iter("math")):
        tex = " ".join((math.get("alttext") or "").split())
        display = math.get("display") == "block"
        shown = f"${tex}$" if tex and len(tex) <= _MAX_TEX else ("[equation]" if display or tex else "")
        _replace(math, f" {shown} " if display else shown)
    for equation in article.xpath(".//table[contains(@class, 'ltx_equation')]"):
        equation.tail = _BREAK + (equation.tail or "")


def _mark_tables(article: Any) -> None:
    """Table rows become lines with cells joined by ' | '; very long tables keep their first rows."""
    for table in article.xpath(".//table[contains(@class, 'ltx_tabular')]"):
        rows = table.xpath(".//tr")
        for n, row in enumerate(rows):
            if n >= _MAX_ROWS:
                row.getparent().remove(row)
                continue
            cells = row.xpath("./td|./th")
            for cell in cells[:-1]:
                cell.tail = " | " + (cell.tail or "")
            row.tail = _BREAK + (row.tail or "")
    for caption in article.xpath(".//figcaption"):
        caption.tail = _BREAK + (caption.tail or "")
        caption.text = _BREAK + (caption.text or "")
    for para in article.xpath(".//p|.//*[contains(@class, 'ltx_para')]|.//li|.//*[contains(@class, 'ltx_item')]"):
        para.tail = _BREAK + (para.tail or "")


def _heading(section: Any) -> str:
    for child in section:
        if isinstance(child.tag, str) and child.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return _clean("".join(child.itertext())).replace(_BREAK, " ").strip()
    return ""


def _own_text(section: Any) -> str:
    """The section's text without its heading and without its subsections (they are sections of their own)."""
    pieces: list[str] = []
    for child in section:
        if not isinstance(child.tag, str) or child.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            continue
        if child.tag in ("section", "div") and _classes(child) & set(_SECTIONS):
            continue
        pieces.append("".join(child.itertext()))
        pieces.append(_BREAK)
    paragraphs = [_clean(p) for p in "".join(pieces).split(_BREAK)]
    return "\n".join(p for p in paragraphs if p)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return re.sub(r"\s+([,.;:)])", r"\1", text)


def _level(section: Any) -> int:
    depth = 0
    parent = section.getparent()
    while parent is not None:
        if parent.tag in ("section", "div") and _classes(parent) & set(_SECTIONS):
            depth += 1
        parent = parent.getparent()
    return depth + 1


def _in_appendix(section: Any) -> bool:
    parent = section.getparent()
    while parent is not None:
        if "ltx_appendix" in _classes(parent):
            return True
        parent = parent.getparent()
    return False
