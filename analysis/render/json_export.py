"""`paperbot digest --format json`: the digest as data (papers, scores, reasons, analyses), best first."""

from __future__ import annotations

import json
from typing import Any

from analysis.models import Digest, DigestItem


def as_json(digest: Digest) -> str:
    chosen = {item.paper.arxiv_id for item in digest.selected()}
    data = {
        "title": digest.title,
        "date": digest.date.isoformat(),
        "threshold": digest.threshold,
        "max_deep_dives": digest.max_deep_dives,
        "scored_by": digest.scored_by,
        "ranked_by": digest.ranked_by,
        "notes": digest.notes,
        "hf_count": digest.hf_count,
        "arxiv_count": digest.arxiv_count,
        "papers": [_paper(rank, item, item.paper.arxiv_id in chosen) for rank, item in enumerate(digest.items, 1)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _paper(rank: int, item: DigestItem, selected: bool) -> dict[str, Any]:
    analysis = item.analysis
    return {
        "rank": rank,
        **item.paper.model_dump(mode="json"),
        "url": item.paper.url,
        "score": item.score.score,
        "reason": item.score.reason,
        "scored_by": item.score.method,
        "llm_scored": item.llm_scored,  # false for a paper the narrowing kept from the LLM
        "selected": selected,
        "deep_dive": analysis.deep_dive.model_dump(mode="json") if analysis and analysis.deep_dive else None,
        "analysis_unavailable": analysis.unavailable if analysis else None,
        # what the dive read ("abstract": the Markdown's first line says （基于摘要）)
        "deep_dive_read": (("abstract" if analysis.basis_note else "full_text")
                           if analysis and analysis.deep_dive else None),
    }
