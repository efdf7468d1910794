"""`paperbot digest`: the day's digest as a Markdown report (or JSON), optionally posted to every channel."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import check_out, open_store, parse_date, settings_for

if TYPE_CHECKING:
    from analysis.engine import Engine
    from analysis.models import Digest, Paper
    from analysis.sources.pool import Pool
    from bot.cli.progress import Progress
    from bot.config import Settings
    from storage.store import Store


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    digest = commands.add_parser("digest", parents=[common],
                                 help="build the day's digest and print the Markdown report")
    digest.add_argument("--date", help="HF's list and arXiv's announcement of this date, YYYY-MM-DD (default: the "
                                       "latest complete day and the latest announcement)")
    digest.add_argument("--from-file", type=Path, help="read a saved daily_papers JSON instead of HF")
    digest.add_argument("--out", type=Path, help="write the report here instead of stdout")
    digest.add_argument("--format", choices=["markdown", "json"], default="markdown",
                        help="markdown (the report, default) or json (papers, scores, reasons, analyses)")
    digest.add_argument("--post", action="store_true", help="also post it to every subscribed channel")
    digest.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.cli.progress import Progress
    from bot.config import CHAT, SCHEDULE, SERVE_ONLY

    # everything a person can get wrong is checked before the first network call or LLM spend
    out = check_out(args.out) if args.out else None
    day = parse_date(args.date) if args.date else None
    papers: list[Paper] | None = None
    if args.from_file:
        papers, day = _from_file(args.from_file, day)
    settings = settings_for(SERVE_ONLY + SCHEDULE + (() if args.post else CHAT))
    store = open_store(settings.db)
    try:
        with Progress() as progress:
            posted = asyncio.run(_digest(args, settings, store, progress, day, papers, out))
    finally:
        store.close()
    return 0 if posted else 1


def _from_file(path: Path, day: dt.date | None) -> tuple[list[Paper], dt.date]:
    """The file's papers and its day: the day HF listed them, else --date; never silently today."""
    from analysis.errors import BadInput
    from analysis.sources.daily_file import read_daily_file

    papers, listed = read_daily_file(path)
    if listed and day and listed != day:
        raise BadInput(f"--date {day} but --from-file {path} lists the papers of {listed}; drop --date "
                       "or pass the file of that day.")
    if listed is None and day is None:
        raise BadInput(f"--from-file {path} does not say which day it lists (no submittedOnDailyAt); "
                       "add --date YYYY-MM-DD.")
    return papers, listed or day  # type: ignore[return-value]


async def _digest(args: argparse.Namespace, settings: Settings, store: Store, progress: Progress,
                  day: dt.date | None, papers: list[Paper] | None, out: Path | None) -> bool:
    """Print the report (and post it with --post); False when a channel failed or was skipped."""
    from analysis.errors import BadInput
    from bot.engine import open_engine
    from bot.shared.views import DEFAULT, build_views

    async with open_engine(settings, store, progress, llm_later=True) as engine:
        pool, rebuilt = await _fetch(engine, store, day, papers, progress)
        await engine.ready()
        if not pool.papers and not args.post:
            where = "Hugging Face and arXiv list" if engine.arxiv_categories else "Hugging Face lists"
            if day is None:  # the latest day was looked for: say which days were tried
                from analysis.sources.pool import LOOKBACK

                first = pool.day - dt.timedelta(days=LOOKBACK)
                raise BadInput(f"{where} no papers for any day from {first} to {pool.day}; pass --date with a day "
                               "that has papers (https://huggingface.co/papers lists them).")
            raise BadInput(f"{where} no papers for {pool.day}; try another --date.")
        # every channel its own keywords and taste, one pipeline run per distinct view; the report is the default's
        # and lists the whole pool, while a channel is posted only the papers it was not shown before
        views = await build_views(engine, store, pool.day, pool, [])
        if args.post:
            from bot.shared.morning import Morning, channel_digests

            views.update(await channel_digests(engine, store, Morning(pool, {}), store.channels()))
        digest = views[DEFAULT]
        if rebuilt:
            for view in {id(v): v for v in views.values()}.values():
                view.notes.append(engine.profile.say("rebuilt"))
        progress.close()  # the spinner stops before the report is printed
        _write(digest, args.format, out)
        if args.post:
            from bot.adapters import post_everywhere
            from bot.logs import redact
            from bot.shared.posting import not_posted

            lines = await post_everywhere(settings, store, engine, views)
            for line in lines:
                progress(redact(line))  # they quote the platforms' errors
            return not any(not_posted(line) for line in lines)
    return True


async def _fetch(engine: Engine, store: Store, day: dt.date | None, papers: list[Paper] | None,
                 progress: Progress) -> tuple[Pool, bool]:
    """The day's pool (a saved file replaces HF, not the followed arXiv categories); with nothing reachable,
    a day already stored is rebuilt from the database instead."""
    from analysis.errors import SourceError
    from analysis.sources.pool import Pool, fetch_pool, latest_pool
    from storage.history import stored_day

    if day is None:
        return await latest_pool(engine, dt.datetime.now(dt.UTC)), False
    try:
        return await fetch_pool(engine, day, papers), False
    except SourceError as exc:
        stored = stored_day(store, day.isoformat())
        if not stored:
            raise
        progress(f"{str(exc).split(';')[0]}; rebuilding {day} from the {len(stored)} papers stored in the database")
        return Pool.of(day, stored), True


def _write(digest: Digest, fmt: str, out: Path | None) -> None:
    from analysis.errors import BadInput

    if fmt == "json":
        from analysis.render.json_export import as_json

        text = as_json(digest)
    else:
        from analysis.render.markdown import report

        text = report(digest)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"--out {out} cannot be written ({exc.strerror}); choose another path.") from None
    print(f"paperbot: report written to {out}", file=sys.stderr)
