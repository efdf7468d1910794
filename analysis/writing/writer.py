"""The Writer seam: deep dives and answers by the LLM, or, without one, the one line saying it needs one.

Chosen once with the ranker, where the Engine gets its LLM (`writer_for`); callers never ask whether
there is an LLM."""

from __future__ import annotations

import asyncio
from typing import Protocol

from analysis.errors import BadInput
from analysis.models import Analysis, Paper, PaperAnswer
from analysis.ports import Cache
from analysis.profile import Profile
from analysis.reading.fulltext import FullTexts
from analysis.writing.ask import ask, checked_question
from analysis.writing.deepdive import cached_dive, deep_dive, dives_progress
from analysis.writing.llm import LLM

NEEDS_LLM = "Answering questions needs an LLM: set LLM_MODEL (and LLM_API_KEY)."


class Writer(Protocol):
    def dives_progress(self, papers: list[Paper], profile: Profile) -> str | None: ...

    def dive_progress(self, paper: Paper, profile: Profile) -> str: ...

    async def dive(self, paper: Paper, profile: Profile, texts: FullTexts | None, budget: int) -> Analysis: ...

    async def answer(self, paper: Paper, question: str, texts: FullTexts | None, budget: int) -> PaperAnswer:
        """The answer, or a PaperbotError whose message is the one line to show."""
        ...

    @property
    def answers(self) -> bool:
        """Whether `answer` reads the paper (for the progress line), or says at once that it cannot."""
        ...


async def dives(writer: Writer, papers: list[Paper], profile: Profile, texts: FullTexts | None,
                budget: int) -> dict[str, Analysis]:
    results = await asyncio.gather(*(writer.dive(p, profile, texts, budget) for p in papers))
    return {a.arxiv_id: a for a in results}


class LLMWriter:
    def __init__(self, llm: LLM, cache: Cache) -> None:
        self.llm, self.cache = llm, cache

    answers = True

    def dives_progress(self, papers: list[Paper], profile: Profile) -> str | None:
        return dives_progress(papers, profile=profile, llm=self.llm, cache=self.cache)

    def dive_progress(self, paper: Paper, profile: Profile) -> str:
        if cached_dive(paper, profile=profile, llm=self.llm, cache=self.cache) is not None:
            return f"deep dive of {paper.arxiv_id} cached (0 LLM calls)"
        return f"writing the deep dive of {paper.arxiv_id} with {self.llm.config.deep_model} (1 LLM call)"

    async def dive(self, paper: Paper, profile: Profile, texts: FullTexts | None, budget: int) -> Analysis:
        return await deep_dive(paper, profile=profile, llm=self.llm, cache=self.cache, texts=texts, budget=budget)

    async def answer(self, paper: Paper, question: str, texts: FullTexts | None, budget: int) -> PaperAnswer:
        return await ask(paper, question, llm=self.llm, cache=self.cache, texts=texts, budget=budget)


class NoLLMWriter:
    answers = False

    def dives_progress(self, papers: list[Paper], profile: Profile) -> str | None:
        return None

    def dive_progress(self, paper: Paper, profile: Profile) -> str:
        return "without an LLM: showing the abstract"

    async def dive(self, paper: Paper, profile: Profile, texts: FullTexts | None, budget: int) -> Analysis:
        return Analysis(arxiv_id=paper.arxiv_id, unavailable=profile.say("no_llm"))

    async def answer(self, paper: Paper, question: str, texts: FullTexts | None, budget: int) -> PaperAnswer:
        checked_question(question)  # a bad question is named first, as with an LLM
        raise BadInput(NEEDS_LLM)


def writer_for(llm: LLM | None, cache: Cache) -> Writer:
    return NoLLMWriter() if llm is None else LLMWriter(llm, cache)
