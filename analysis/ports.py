"""What the pipeline needs from storage, as a protocol: analysis/ never imports storage/."""

from __future__ import annotations

from typing import Protocol

from analysis.models import Analysis, Paper, Score


class Cache(Protocol):
    def save_papers(self, papers: list[Paper], day: str | None = None) -> None: ...

    def get_paper(self, arxiv_id: str) -> Paper | None: ...

    def cached_scores(self, ids: list[str], model: str, version: str) -> dict[str, Score]: ...

    def save_scores(self, scores: list[Score], model: str, version: str) -> None: ...

    def cached_analysis(self, arxiv_id: str, model: str, version: str) -> Analysis | None: ...

    def save_analysis(self, analysis: Analysis, model: str, version: str) -> None: ...
