"""Papers and what the LLM made of them: the day's papers, their scores and analyses (the cache, keyed by model
and prompt version)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlite_utils

from storage import paper_rows
from storage.usage import now, today

if TYPE_CHECKING:  # imported where used: `paperbot channel …` opens the Store without paying for pydantic
    from analysis.models import Analysis, Paper, Score


def paper_from_row(row: dict[str, Any]) -> Paper:
    """A `papers` row as a Paper; `source` is "hf", "arxiv" or "hf,arxiv", which Paper reads into `sources`."""
    from analysis.models import Paper

    return Paper.model_validate({
        "arxiv_id": row["arxiv_id"], "title": row["title"], "abstract": row["abstract"] or "",
        "authors": json.loads(row["authors"] or "[]"), "published": row["published"],
        "upvotes": row["upvotes"] or 0, "source": row["source"] or "hf", "github": row["github"],
        "categories": json.loads(row.get("categories") or "[]"), "ai_summary": row.get("ai_summary"),
        "thumbnail": row.get("thumbnail")})


class PaperTables:
    db: sqlite_utils.Database

    def save_papers(self, papers: list[Paper], day: str | None = None) -> None:
        rows = [{
            "arxiv_id": p.arxiv_id, "title": p.title, "abstract": p.abstract, "authors": json.dumps(p.authors),
            "published": p.published, "upvotes": p.upvotes, "source": ",".join(p.sources), "github": p.github,
            "categories": json.dumps(p.categories), "ai_summary": p.ai_summary, "thumbnail": p.thumbnail,
            "first_seen": day or today(),
        } for p in papers]
        if not rows:
            return
        with self.db.conn:
            # insert-then-update keeps first_seen of papers we had: it says which day first listed them
            old = paper_rows.existing(self.db, [p.arxiv_id for p in papers])
            self.db.table("papers").insert_all(rows, pk="arxiv_id", ignore=True)
            self.db.table("papers").upsert_all(
                [paper_rows.merged(old.get(str(r["arxiv_id"])), {k: v for k, v in r.items() if k != "first_seen"})
                 for r in rows], pk="arxiv_id")
            if day:
                self.db.table("day_papers").upsert_all(
                    [{"day": day, "arxiv_id": p.arxiv_id, "rank": i} for i, p in enumerate(papers)],
                    pk=("day", "arxiv_id"),
                )

    def get_paper(self, arxiv_id: str) -> Paper | None:
        rows = list(self.db.table("papers").rows_where("arxiv_id = ?", [arxiv_id]))
        return paper_from_row(rows[0]) if rows else None

    def cached_scores(self, ids: list[str], model: str, version: str) -> dict[str, Score]:
        from analysis.models import Score

        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = self.db.table("scores").rows_where(
            f"model = ? and prompt_version = ? and arxiv_id in ({marks})", [model, version, *ids]
        )
        return {r["arxiv_id"]: Score(arxiv_id=r["arxiv_id"], score=r["score"], reason=r["reason"] or "")
                for r in rows}

    def save_scores(self, scores: list[Score], model: str, version: str) -> None:
        if scores:
            self.db.table("scores").upsert_all([{
                "arxiv_id": s.arxiv_id, "model": model, "prompt_version": version, "score": s.score,
                "reason": s.reason, "created_at": now(),
            } for s in scores], pk=("arxiv_id", "model", "prompt_version"))

    def cached_analysis(self, arxiv_id: str, model: str, version: str) -> Analysis | None:
        from analysis.models import Analysis

        rows = list(self.db.table("analyses").rows_where(
            "arxiv_id = ? and model = ? and prompt_version = ?", [arxiv_id, model, version]))
        return Analysis.model_validate_json(rows[0]["body"]) if rows else None

    def save_analysis(self, analysis: Analysis, model: str, version: str) -> None:
        self.db.table("analyses").upsert({
            "arxiv_id": analysis.arxiv_id, "model": model, "prompt_version": version,
            "body": analysis.model_dump_json(), "used_model": analysis.model, "created_at": now(),
        }, pk=("arxiv_id", "model", "prompt_version"))
