"""Looking back: the days stored, a stored day's papers, the latest stored score, LLM spend per day.

Read-only queries on the Store's database, for `paperbot history`, `usage --days` and rebuilding a day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.models import Paper, Score
    from storage.store import Store


@dataclass(frozen=True)
class StoredDay:
    day: str
    papers: int
    best_score: int | None  # the best LLM score stored for any of its papers, under any model
    posted_to: int  # channels whose digest of that day was posted


def days(store: Store, limit: int = 30) -> list[StoredDay]:
    """The latest `limit` days whose list was stored, newest first."""
    rows = store.db.execute(
        "select d.day, count(*), (select max(s.score) from scores s join day_papers x on x.arxiv_id = s.arxiv_id "
        "where x.day = d.day), (select count(*) from posts p where p.day = d.day and p.status = 'posted') "
        "from day_papers d group by d.day order by d.day desc limit ?", [limit]).fetchall()
    return [StoredDay(day=r[0], papers=int(r[1]), best_score=r[2], posted_to=int(r[3])) for r in rows]


def stored_day(store: Store, day: str) -> list[Paper]:
    """The papers stored for `day`, in the order of the day's pool (HF's list first)."""
    from storage.store import paper_from_row

    cursor = store.db.execute("select p.* from day_papers d join papers p on p.arxiv_id = d.arxiv_id "
                              "where d.day = ? order by d.rank", [day])
    names = [c[0] for c in cursor.description]
    return [paper_from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def latest_score(store: Store, arxiv_id: str) -> Score | None:
    """The most recent LLM score stored for the paper, whichever model gave it."""
    from analysis.models import Score

    row = store.db.execute("select score, reason from scores where arxiv_id = ? order by created_at desc limit 1",
                           [arxiv_id]).fetchone()
    return Score(arxiv_id=arxiv_id, score=row[0], reason=row[1] or "") if row else None


@dataclass(frozen=True)
class DayUsage:
    day: str
    calls: int
    failed: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


def usage_per_day(store: Store, days_back: int) -> list[DayUsage]:
    """LLM calls, tokens and cost of each of the last `days_back` days that had any, newest first."""
    rows = store.db.execute(
        "select day, count(*), sum(1 - ok), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
        "coalesce(sum(cost_usd), 0) from llm_usage where day >= date('now', ?) group by day order by day desc",
        [f"-{max(days_back - 1, 0)} days"]).fetchall()
    return [DayUsage(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]), float(r[5])) for r in rows]


def unpriced(store: Store, day: str | None = None) -> dict[str, int]:
    """Calls per model that used tokens but cost $0: litellm had no price for the model, so the cost shown
    (and LLM_DAILY_BUDGET_USD) leaves them out."""
    where = "and day = ?" if day else ""
    rows = store.db.execute(
        "select model, count(*) from llm_usage where ok = 1 and coalesce(cost_usd, 0) = 0 and "
        f"coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0) > 0 {where} group by model order by model",
        [day] if day else []).fetchall()
    return {str(model): int(count) for model, count in rows}
