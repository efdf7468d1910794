"""`paperbot`: the command line. Heavy imports wait until a command needs them, so --help is instant."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from bot.taste_cli import add_parser as add_taste_parser

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.defaults import ChannelDefaults
    from storage.store import Store

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperbot", description="Scores the day's Hugging Face Daily Papers for your team and posts a digest.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    digest = commands.add_parser("digest", help="build the day's digest and print the Markdown report")
    digest.add_argument("--date", help="HF list of this date, YYYY-MM-DD (default: the latest complete day)")
    digest.add_argument("--from-file", type=Path, help="read a saved daily_papers JSON instead of HF")
    digest.add_argument("--out", type=Path, help="write the report here instead of stdout")
    digest.add_argument("--post", action="store_true", help="also post it to every subscribed channel")

    deepdive = commands.add_parser("deepdive", help="print the deep dive of any paper in Markdown")
    deepdive.add_argument("arxiv_id", help="2601.14256, arXiv:2601.14256v2, an arxiv.org or HF link, hep-th/9901001")

    channel = commands.add_parser("channel", help="subscribe, list or remove chat channels")
    actions = channel.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="subscribe a Slack channel or Telegram chat")
    add.add_argument("platform", choices=["slack", "telegram"])
    add.add_argument("channel_id")
    add.add_argument("--threshold", type=int, help="score at or above which papers get a deep dive")
    add.add_argument("--time", help="morning post time, HH:MM")
    add.add_argument("--tz", help="IANA time zone, e.g. Asia/Shanghai")
    add.add_argument("--keywords", help="this channel's own interests, comma-separated (default: PAPERBOT_KEYWORDS)")
    add.add_argument("--quiet-empty", action="store_true",
                     help="post nothing on days without papers (default: a short note)")
    actions.add_parser("list", help="list subscribed channels")
    remove = actions.add_parser("remove", help="unsubscribe a channel")
    remove.add_argument("platform", choices=["slack", "telegram"])
    remove.add_argument("channel_id")

    add_taste_parser(commands)
    commands.add_parser("serve", help="run the scheduler, the chat adapters and /healthz")
    commands.add_parser("usage", help="show LLM calls, tokens and cost, today and in total")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from analysis.errors import PaperbotError
    from bot import logs

    level = logs.logging.INFO if args.verbose else logs.logging.WARNING
    logs.setup(level, ours=logs.logging.INFO if args.command == "serve" else None)
    try:
        return run(args)
    except PaperbotError as exc:
        print(f"paperbot: {logs.redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("paperbot: interrupted", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    from storage.store import Store

    if args.command == "taste":
        from bot.taste_cli import taste_command

        return taste_command(args)
    if args.command in ("channel", "usage"):  # quick: no pydantic, asyncio or pipeline to import
        from bot.defaults import channel_defaults

        defaults = channel_defaults()
        with closing(Store(defaults.db)) as quick:
            return channel_command(args, defaults, quick) if args.command == "channel" else usage_command(quick)
    from bot.config import load_settings

    settings = load_settings()
    store = Store(settings.db)
    try:
        import asyncio

        if args.command == "serve":
            from bot.serve import serve

            return asyncio.run(serve(settings, store))
        if args.command == "deepdive":
            return asyncio.run(deepdive_command(args, settings, store))
        return asyncio.run(digest_command(args, settings, store))
    finally:
        store.close()


def progress(message: str) -> None:
    print(f"paperbot: {message}", file=sys.stderr, flush=True)


async def digest_command(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from analysis import hf
    from analysis.errors import BadInput
    from analysis.pipeline import fetch_day, latest_day
    from analysis.render.markdown import report
    from bot.engine import open_engine

    day = _parse_date(args.date) if args.date else None
    async with open_engine(settings, store, progress) as engine:
        if args.from_file:
            papers = hf.load_daily_file(args.from_file)
            found = DATE.search(args.from_file.name)
            day = day or (dt.date.fromisoformat(found[0]) if found else dt.date.today())
        elif day is not None:
            papers = await fetch_day(engine, day)
        else:
            day, papers = await latest_day(engine, dt.datetime.now(dt.UTC).date())
        if not papers and not args.post:
            raise BadInput(f"Hugging Face lists no papers for {day}; try another --date.")
        from bot.views import DEFAULT, build_views

        views = await build_views(engine, store, day, papers, store.channels() if args.post else [])
        text = report(views[DEFAULT])
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            progress(f"report written to {args.out}")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        if args.post:
            from bot.adapters import post_everywhere

            results = await post_everywhere(settings, store, engine, views)
            for line in results:
                progress(line)
    return 0


async def deepdive_command(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    from analysis.pipeline import analyse, find_paper
    from analysis.render.markdown import deep_dive_page
    from bot.engine import open_engine

    async with open_engine(settings, store, progress) as engine:
        paper = await find_paper(engine, args.arxiv_id)
        analysis = await analyse(engine, paper)
    sys.stdout.write(deep_dive_page(paper, analysis))
    return 0


def channel_command(args: argparse.Namespace, defaults: ChannelDefaults, store: Store) -> int:
    from bot.channels import subscribe_cli

    if args.action == "list":
        rows = store.channels()
        if not rows:
            print("no channels subscribed; add one with: paperbot channel add slack C0123ABC")
        for c in rows:
            topic = f"  in topic {c.topic}" if c.topic else ""
            interests = f"  interests {', '.join(c.keywords)}" if c.keywords else ""
            print(f"{c.platform:<9} {c.channel_id:<16} threshold {c.threshold:>3}  at {c.post_time} {c.timezone}"
                  + topic + interests)
        return 0
    if args.action == "remove":
        if not store.deactivate_channel(args.platform, args.channel_id):
            from analysis.errors import BadInput

            raise BadInput(f"{args.platform} channel {args.channel_id} is not subscribed; see: paperbot channel list")
        print(f"unsubscribed {args.platform} {args.channel_id}")
        return 0
    channel = subscribe_cli(store, defaults, args.platform, args.channel_id, threshold=args.threshold,
                            time=args.time, zone=args.tz, empty_note=False if args.quiet_empty else None)
    if args.keywords is not None:
        from bot.taste_commands import parse_keywords

        words = parse_keywords(args.keywords)
        channel = store.update_channel(channel.platform, channel.channel_id,
                                       keywords=", ".join(words) if words else None) or channel
    interests = f", interests {', '.join(channel.keywords)}" if channel.keywords else ""
    print(f"subscribed {channel.platform} {channel.channel_id}: threshold {channel.threshold}, "
          f"posts at {channel.post_time} {channel.timezone}{interests}")
    return 0


def usage_command(store: Store) -> int:
    from storage.store import today

    for label, day in (("today", today()), ("all time", None)):
        rows = store.usage_by_kind(day)
        total = sum(float(r["cost_usd"] or 0) for r in rows)  # type: ignore[arg-type,misc]
        print(f"{label}: ${total:.4f}")
        for r in rows:
            print(f"  {r['kind']:<10} {r['calls']:>5} calls  {r['prompt_tokens']:>9} in  "
                  f"{r['completion_tokens']:>8} out  ${float(r['cost_usd'] or 0):.4f}")  # type: ignore[arg-type]
    return 0


def _parse_date(text: str) -> dt.date:
    from analysis.errors import BadInput

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--date '{text}' is not a date; use YYYY-MM-DD, e.g. 2026-01-23.") from None


if __name__ == "__main__":
    sys.exit(main())
