"""The values that flow through the pipeline: papers, scores, deep dives and the digest."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ScoreMethod = Literal["llm", "keyword"]
TextSource = Literal["html", "pdf", "abstract"]  # what a dive or an answer read of the paper
SourceName = Literal["hf", "arxiv"]


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
    sources: list[SourceName] = Field(default_factory=lambda: list[SourceName](["hf"]))  # all that listed it
    github: str | None = None
    categories: list[str] = Field(default_factory=list)  # arXiv's, primary first
    listed_in: list[str] = Field(default_factory=list)  # the followed categories whose listing had it today
    ai_summary: str | None = None  # HF's one-paragraph summary, shown where there is no deep dive
    thumbnail: str | None = None  # HF's social card of the paper, shown with its deep dive

    @model_validator(mode="before")
    @classmethod
    def _one_source(cls, data: Any) -> Any:
        # `source="arxiv"` (or the store's "hf,arxiv") is how a single source was given before `sources`
        if isinstance(data, dict) and "source" in data and "sources" not in data:
            data = {**data, "sources": [s for s in str(data.pop("source") or "hf").split(",") if s]}
        return data

    @property
    def source(self) -> SourceName:
        """The main source: HF when it listed the paper (its fields won the merge), else arXiv."""
        return "hf" if "hf" in self.sources else "arxiv"

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
    # left out by the narrowing before the LLM: its score is the cheap (no-LLM) ranking's, and it is
    # never selected for a deep dive on that score alone
    narrowed_out: bool = False
    followed: list[str] = Field(default_factory=list)  # the channel's followed authors who wrote it (👤)
    # marked 👎 "not for us" by the channel the digest is for: listed with its score, never selected
    set_aside: bool = False

    @property
    def llm_scored(self) -> bool:
        return self.score.method == "llm" and not self.narrowed_out


class LikedUpdate(_Model):
    """A new version of a paper the channel liked, announced today: worth one line in the quick view."""

    arxiv_id: str
    version: int
    title: str
    comment: str | None = None  # arXiv's comment on the version ("Accepted to CVPR 2026", "code released")

    def line(self) -> str:
        said = f" — {self.comment}" if self.comment else ""
        return f"🔁 v{self.version} of a paper you liked: {self.title} ({self.arxiv_id}){said}"


class Digest(_Model):
    """One day's scanned papers, best first, with whatever deep dives were made."""

    title: str
    date: dt.date
    items: list[DigestItem]
    threshold: int
    max_deep_dives: int
    scored_by: ScoreMethod = "llm"
    notes: list[str] = Field(default_factory=list)
    ranked_by: str | None = None  # "按团队口味排序（N 篇喜欢的论文）" when the team's taste ranked a no-LLM day
    top_n: int = 0  # most papers the chat quick view lists; 0 = all
    hf_count: int | None = None  # papers of the pool HF listed (None: counts unknown, the seed's form)
    arxiv_count: int | None = None  # papers only arXiv listed (None: no arXiv categories followed)
    # arXiv's announcements in the pool; [] on a day arXiv did not announce, None when arXiv could not be had
    announcements: list[dt.date] | None = None
    updates: list[LikedUpdate] = Field(default_factory=list)  # new versions of papers the channel liked

    def selected(self, threshold: int | None = None) -> list[DigestItem]:
        """Papers at or above the threshold, best first, at most `max_deep_dives`."""
        bar = self.threshold if threshold is None else threshold
        chosen = [item for item in self.items
                  if item.score.score >= bar and not item.narrowed_out and not item.set_aside]
        return chosen[: self.max_deep_dives]

    def qualifying(self, threshold: int | None = None) -> int:
        """Papers at or above the threshold, before `max_deep_dives` cuts them."""
        bar = self.threshold if threshold is None else threshold
        return sum(1 for item in self.items if item.score.score >= bar and not item.narrowed_out and not item.set_aside)

    def followed(self) -> list[DigestItem]:
        """Papers by the channel's followed authors, best first."""
        return [item for item in self.items if item.followed]

    def quick_items(self) -> list[DigestItem]:
        """What the chat quick view lists: the best `top_n`, and never fewer than the selected ones or the
        followed authors' papers."""
        if not self.top_n:
            return list(self.items)
        chosen = {id(item) for item in [*self.selected(), *self.followed()]}
        last = max((i for i, item in enumerate(self.items) if id(item) in chosen), default=-1)
        return self.items[: max(self.top_n, last + 1)]

    def source_counts(self) -> str:
        """`HF 27 + arXiv 103` for the summary line; the seed's `HF Top n` without an arXiv part."""
        if self.arxiv_count is None:
            return f"HF Top {len(self.items) if self.hf_count is None else self.hf_count}"
        if self.announcements is None:
            return f"HF {self.hf_count or 0} + arXiv {self.arxiv_count}"
        if not self.announcements:
            return f"HF {self.hf_count or 0} + arXiv 今日无公告"
        named = "/".join(f"{day:%m-%d}" for day in self.announcements)
        return f"HF {self.hf_count or 0} + arXiv {named} 公告 {self.arxiv_count}"

    def with_threshold(self, threshold: int) -> Digest:
        return self.model_copy(update={"threshold": threshold})

    def position(self, arxiv_id: str) -> int | None:
        for index, item in enumerate(self.items):
            if item.paper.arxiv_id == arxiv_id:
                return index
        return None


class PaperAnswer(_Model):
    """The `paper_answer` schema, plus what the answer was read from."""

    answer: str
    quotes: list[str] = Field(default_factory=list)
    source: TextSource = "abstract"
    model: str | None = None
