"""LLM usage: every call's tokens and cost, per day and kind (`paperbot usage`, /status, the daily budget)."""

from __future__ import annotations

import datetime as dt

import sqlite_utils


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


class UsageTables:
    db: sqlite_utils.Database

    def record_usage(self, *, kind: str, model: str, prompt_tokens: int, completion_tokens: int,
                     cost_usd: float, ok: bool) -> None:
        self.db.table("llm_usage").insert({
            "at": now(), "day": today(), "kind": kind, "model": model, "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "cost_usd": cost_usd, "ok": int(ok),
        })

    def spent_today(self) -> float:
        row = self.db.execute("select coalesce(sum(cost_usd), 0) from llm_usage where day = ?",
                              [today()]).fetchone()
        return float(row[0])

    def usage_by_kind(self, day: str | None = None) -> list[dict[str, object]]:
        """Calls, tokens and cost per kind of call, for one day or for all time."""
        where, params = ("where day = ?", [day]) if day else ("", [])
        sql = (
            "select kind, count(*) as calls, sum(prompt_tokens) as prompt_tokens, "
            "sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost_usd "
            f"from llm_usage {where} group by kind order by kind"
        )
        return [dict(zip(["kind", "calls", "prompt_tokens", "completion_tokens", "cost_usd"], row, strict=True))
                for row in self.db.execute(sql, params).fetchall()]
