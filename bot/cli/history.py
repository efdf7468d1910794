"""`paperbot history`: the days stored, newest first, and how to see one again."""

from __future__ import annotations

import argparse
from contextlib import closing
from typing import Any

from bot.cli.common import open_store, quick_db


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    history = commands.add_parser("history", parents=[common], help="list past digests (days stored)")
    history.add_argument("--days", type=int, default=30, metavar="N", help="at most this many days (default 30)")
    history.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from analysis.errors import BadInput
    from storage.history import days

    if args.days < 1:
        raise BadInput(f"--days {args.days}: give a whole number of days, 1 or more.")
    with closing(open_store(quick_db())) as store:
        rows = days(store, args.days)
    if not rows:
        print("no digests stored yet; make one with: paperbot digest")
        return 0
    for row in rows:
        best = f"best {row.best_score:>3}" if row.best_score is not None else "best   —"
        posted = f"posted to {row.posted_to} channel(s)" if row.posted_to else "not posted"
        print(f"{row.day}  {row.papers:>3} papers  {best}  {posted}")
    print("see one again with: paperbot digest --date YYYY-MM-DD (rebuilt from the database if HF is unreachable)")
    return 0
