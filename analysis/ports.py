"""What the pipeline needs from storage, as a protocol: analysis/ never imports storage/."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from analysis.models import Analysis, Paper, Score

if TYPE_CHECKING:
    from analysis.models import PaperAnswer
    from analysis.reading.papertext import PaperText


class Cache(Protocol):
    def save_papers(self, papers: list[Paper], day: str | None = None) -> None: ...

    def get_paper(self, arxiv_id: str) -> Paper | None: ...

    def cached_scores(self, ids: list[str], model: str, version: str) -> dict[str, Score]: ...

    def save_scores(self, scores: list[Score], model: str, version: str) -> None: ...

    def cached_analysis(self, arxiv_id: str, model: str, version: str) -> Analysis | None: ...

    def save_analysis(self, analysis: Analysis, model: str, version: str) -> None: ...

    def cached_text(self, arxiv_id: str) -> tuple[PaperText, dt.datetime] | None: ...

    def save_text(self, arxiv_id: str, text: PaperText) -> None: ...

    def cached_answer(self, arxiv_id: str, question: str, model: str, version: str) -> PaperAnswer | None: ...

    def save_answer(self, arxiv_id: str, question: str, model: str, version: str, answer: PaperAnswer) -> None: ...

    def recent_texts(self, limit: int = 2000) -> list[tuple[str, str, str]]: ...


class Listings(Protocol):
    """Stored arXiv announcements (storage.announcements): a past announcement is listed once."""

    def stored_announcement(self, day: str, categories: str) -> tuple[list[Paper], list[dict[str, object]]] | None: ...

    def save_announcement(self, day: str, categories: str, papers: list[Paper], replaced: list[dict[str, object]],
                          source: str) -> None: ...
