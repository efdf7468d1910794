"""Deep dives: one call per paper, all papers at once, cached by paper, model, prompt version and text source.

The paper's full text (analysis.reading.fulltext) goes in as delimited data, capped to a token budget; a dive
that only had the abstract says so in the first line of its body."""

from __future__ import annotations

import logging
from typing import Any

from analysis.errors import BudgetExceeded, LLMError
from analysis.models import Analysis, DeepDive, Paper
from analysis.ports import Cache
from analysis.profile import Profile
from analysis.reading.fulltext import FullTexts
from analysis.reading.papertext import PaperText, Source, document
from analysis.writing.llm import LLM, strict_object
from prompts import Prompt, render

log = logging.getLogger(__name__)

SCHEMA_NAME = "deep_dive"
_LIST = {"type": "array", "items": {"type": "string"}}
DEFAULT_BUDGET = 12_000  # PAPERBOT_FULLTEXT_TOKENS
SCHEMA = strict_object({
    "key_contribution": {"type": "string"},
    "methodology": _LIST,
    "takeaways": _LIST,
    "limitations": _LIST,
})


def _prompt(profile: Profile) -> Prompt:
    return render("deep_dive_system", persona=profile.persona, keywords=", ".join(profile.keywords),
                  language=profile.language)


def _version(prompt: Prompt, source: Source) -> str:
    # the text a dive read is part of its key: a dive from the abstract is redone once the full text is there
    return f"{prompt.version}:{source}"


def cached_dive(paper: Paper, *, profile: Profile, llm: LLM, cache: Cache) -> Analysis | None:
    """The stored dive of this paper by this model and prompt, from whichever text it read."""
    prompt = _prompt(profile)
    for source in ("html", "pdf", "abstract"):
        found = cache.cached_analysis(paper.arxiv_id, llm.config.deep_model, _version(prompt, source))
        if found is not None:
            return found
    return None


def dives_progress(papers: list[Paper], *, profile: Profile, llm: LLM, cache: Cache) -> str | None:
    """What the deep dives about to be made will cost, truthfully: cached ones cost no call."""
    if not papers:
        return None
    todo = sum(1 for p in papers if cached_dive(p, profile=profile, llm=llm, cache=cache) is None)
    if not todo:
        return f"{len(papers)} deep dive(s) cached (0 LLM calls)"
    return f"writing {todo} deep dive(s) with {llm.config.deep_model} ({len(papers) - todo} cached)"


async def deep_dive(paper: Paper, *, profile: Profile, llm: LLM, cache: Cache,
                    texts: FullTexts | None = None, budget: int = DEFAULT_BUDGET) -> Analysis:
    """The paper's analysis; never raises for an LLM failure, it says so in the Analysis instead.

    Without `texts` (no fetcher) the dive reads the abstract alone. Without an LLM there is no dive: the
    Writer (analysis.writing.writer) says so instead of calling this."""
    prompt = _prompt(profile)
    model = llm.config.deep_model
    text = await texts.get(paper) if texts is not None else PaperText("abstract")
    full = text.source != "abstract" and bool(text.sections)
    version = _version(prompt, text.source if full else "abstract")
    cached = cache.cached_analysis(paper.arxiv_id, model, version)
    if cached is not None:
        return cached
    user = document(paper, text, budget)  # the authors are outside text too: inside <paper>, escaped
    try:
        dive, used = await llm.ask(
            kind="deep_dive_fulltext" if full else "deep_dive", model=model, schema_name=SCHEMA_NAME, schema=SCHEMA,
            messages=[{"role": "system", "content": prompt.text}, {"role": "user", "content": user}],
            validate=_validate,
        )
    except LLMError as exc:
        if not exc.repeat:  # the same failure for the next paper is not news
            log.warning("deep dive of %s failed: %s", paper.arxiv_id, exc)
        return Analysis(arxiv_id=paper.arxiv_id, unavailable=profile.say("llm_failed", why=_why(exc)))
    analysis = Analysis(arxiv_id=paper.arxiv_id, deep_dive=dive, model=used,
                        basis_note=None if full else profile.say("abstract_only"))
    cache.save_analysis(analysis, model, version)
    return analysis


def _validate(data: Any) -> DeepDive:
    dive = DeepDive.model_validate(data)
    if not dive.key_contribution.strip():
        raise ValueError("empty key_contribution")
    return dive


def _why(exc: LLMError) -> str:
    return "LLM_DAILY_BUDGET_USD" if isinstance(exc, BudgetExceeded) else "LLM unavailable"
