"""The values that flow through the pipeline: papers, scores, deep dives and the digest."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ScoreMethod = Literal["llm", "keyword"]


class _Model(BaseModel):
    # build validators on first use: `paperbot channel list` imports these models but never uses them
    model_config = ConfigDict(defer_build=True)


class Paper(_Model):
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str] = Field(default_factory=list)
    published: str | None = None
    upvotes: int = 0
    source: Literal["hf", "arxiv"] = "hf"
    github: str | None = None
    ai_summary: str | None = None  # HF's one-paragraph summary, shown where there is no deep dive
    thumbnail: str | None = None  # HF's social card of the paper, shown with its deep dive

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


class Score(_Model):
    arxiv_id: str
    score: int = Field(ge=0, le=100)
    reason: str = ""
    method: ScoreMethod = "llm"


class DeepDive(_Model):
    """The `deep_dive` schema of the SPEC, as the LLM returns it."""

    key_contribution: str
    methodology: list[str]
    takeaways: list[str]
    limitations: list[str]


class Analysis(_Model):
    """A deep dive, or the reason there is none (no LLM, LLM failed, budget spent)."""

    arxiv_id: str
    deep_dive: DeepDive | None = None
    unavailable: str | None = None
    model: str | None = None
    basis_note: str | None = None  # first line of the body when the dive could only read the abstract


class DigestItem(_Model):
    paper: Paper
    score: Score
    analysis: Analysis | None = None
    votes: int = 0


class Digest(_Model):
    """One day's scanned papers, best first, with whatever deep dives were made."""

    title: str
    date: dt.date
    items: list[DigestItem]
    threshold: int
    max_deep_dives: int
    scored_by: ScoreMethod = "llm"
    notes: list[str] = Field(default_factory=list)

    def selected(self, threshold: int | None = None) -> list[DigestItem]:
        """Papers at or above the threshold, best first, at most `max_deep_dives`."""
        bar = self.threshold if threshold is None else threshold
        chosen = [item for item in self.items if item.score.score >= bar]
        return chosen[: self.max_deep_dives]

    def with_threshold(self, threshold: int) -> Digest:
        return self.model_copy(update={"threshold": threshold})

    def position(self, arxiv_id: str) -> int | None:
        for index, item in enumerate(self.items):
            if item.paper.arxiv_id == arxiv_id:
                return index
        return None
