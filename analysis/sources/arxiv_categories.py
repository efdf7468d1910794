"""arXiv's category names, so that a typo in PAPERBOT_ARXIV_CATEGORIES (`cs.cv`, `cs.XX`) is refused at start
instead of silently listing nothing every day. The archives whose subject classes are listed here are checked
exactly; others (physics' many archives) by their shape only."""

from __future__ import annotations

import re


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


SUBJECTS: dict[str, frozenset[str]] = {
    "cs": _codes("AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI "
                 "OH OS PF PL RO SC SD SE SI SY"),
    "eess": _codes("AS IV SP SY"),
    "stat": _codes("AP CO ME ML OT TH"),
    "econ": _codes("EM GN TH"),
    "q-bio": _codes("BM CB GN MN NC OT PE QM SC TO"),
    "q-fin": _codes("CP EC GN MF PM PR RM ST TR"),
}
SHAPE = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")  # hep-th, astro-ph.CO, cond-mat.mes-hall, math.AG


def problem(category: str) -> str | None:
    """Why `category` is not an arXiv category, or None."""
    if not SHAPE.fullmatch(category):
        return f"'{category[:40]}' is not an arXiv category; list them like cs.CV,eess.IV"
    archive, _, subject = category.partition(".")
    known = SUBJECTS.get(archive)
    if known is not None and subject not in known:
        fixed = f"{archive}.{subject.upper()}"
        hint = f"did you mean {fixed}?" if subject.upper() in known else f"{archive} has {', '.join(sorted(known))}"
        return f"'{category[:40]}' is not an arXiv category ({hint})"
    return None
