"""`paperbot usage`: LLM calls, tokens and cost, today and in total, or per day."""

from __future__ import annotations

import argparse
from contextlib import closing
from typing import Any

from bot.cli.common import open_store, quick_db


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    usage = commands.add_parser("usage", parents=[common], help="show LLM calls, tokens and cost, today and in total")
    usage.add_argument("--days", type=int, metavar="N", help="one line per day for the last N days")
    usage.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from analysis.errors import BadInput

    if args.days is not None and args.days < 1:
        raise BadInput(f"--days {args.days}: give a whole number of days, 1 or more.")
    with closing(open_store(quick_db())) as store:
        if args.days is not None:
            return _per_day(store, args.days)
        return _totals(store)


def _totals(store: Any) -> int:
    from storage.history import unpriced
    from storage.store import today

    for label, day in (("today", today()), ("all time", None)):
        rows = store.usage_by_kind(day)
        total = sum(float(r["cost_usd"] or 0) for r in rows)
        print(f"{label}: ${total:.4f}")
        width = max((len(str(r["kind"])) for r in rows), default=0)
        for r in rows:
            print(f"  {r['kind']:<{width}} {r['calls']:>5} calls  {r['prompt_tokens']:>9} in  "
                  f"{r['completion_tokens']:>8} out  ${float(r['cost_usd'] or 0):.4f}")
    _say_unpriced(unpriced(store))
    return 0


def _say_unpriced(calls: dict[str, int]) -> None:
    """A cost of $0 that only means 'unknown' must say so."""
    if calls:
        models = ", ".join(f"{model} ({count} calls)" for model, count in calls.items())
        print(f"cost unknown for {models}: litellm has no price for them; set LLM_PRICE_IN and LLM_PRICE_OUT "
              "(USD per million tokens) to count them")


def _per_day(store: Any, days_back: int) -> int:
    from storage.history import unpriced, usage_per_day

    rows = usage_per_day(store, days_back)
    if not rows:
        print(f"no LLM calls in the last {days_back} day(s)")
    for r in rows:
        failed = f"  ({r.failed} failed)" if r.failed else ""
        print(f"{r.day}  {r.calls:>5} calls  {r.prompt_tokens:>9} in  {r.completion_tokens:>8} out  "
              f"${r.cost_usd:.4f}{failed}")
    _say_unpriced(unpriced(store))
    return 0
