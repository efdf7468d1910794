"""Papers' full texts (zlib-compressed JSON) and cached answers to questions about them."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from analysis.models import PaperAnswer
    from analysis.reading.papertext import PaperText


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TextTables:
    db: sqlite_utils.Database

    def cached_text(self, arxiv_id: str) -> tuple[PaperText, dt.datetime] | None:
        from analysis.reading.papertext import PaperText

        row = self.db.execute("select body, fetched_at from paper_texts where arxiv_id = ?", [arxiv_id]).fetchone()
        if row is None:
            return None
        body, at = row
        data = json.loads(zlib.decompress(body)) if body else {"source": "abstract"}
        return PaperText.from_json(data), dt.datetime.fromisoformat(at)

    def save_text(self, arxiv_id: str, text: PaperText) -> None:
        raw = json.dumps(text.to_json(), ensure_ascii=False).encode()
        self.db.table("paper_texts").upsert({
            "arxiv_id": arxiv_id, "source": text.source, "chars": text.chars,
            "body": zlib.compress(raw, 6) if text.sections else None, "fetched_at": _now(),
        }, pk="arxiv_id")

    def cached_answer(self, arxiv_id: str, question: str, model: str, version: str) -> PaperAnswer | None:
        from analysis.models import PaperAnswer

        row = self.db.execute("select body from answers where arxiv_id = ? and question = ? and model = ? and "
                              "prompt_version = ?", [arxiv_id, question, model, version]).fetchone()
        return PaperAnswer.model_validate_json(row[0]) if row else None

    def save_answer(self, arxiv_id: str, question: str, model: str, version: str, answer: PaperAnswer) -> None:
        self.db.table("answers").upsert({
            "arxiv_id": arxiv_id, "question": question, "model": model, "prompt_version": version,
            "body": answer.model_dump_json(), "created_at": _now(),
        }, pk=("arxiv_id", "question", "model", "prompt_version"))
