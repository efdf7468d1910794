"""`paperbot taste add|import|list|remove|stats [--channel PLATFORM:ID]`: the papers a team likes, and those
it marked 👎 "not for us" (`add --not`, `remove --not`).

`list`, `remove` and `stats` only touch the database and start fast; `add` and `import` resolve every paper
through the store, Hugging Face and arXiv, and name in one line each what they could not resolve."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import open_store, quick_db, settings_for

if TYPE_CHECKING:
    from analysis.engine import Engine
    from analysis.sources.bibtex import Entry
    from bot.config import Settings
    from storage.store import Store

CHANNEL_HELP = "slack:C0123ABCD or telegram:-100…; without it, the default taste every channel uses"
CONCURRENCY = 4  # papers looked up at once: HF and arXiv both limit their rate


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    taste = commands.add_parser("taste", parents=[common],
                                help="papers the team likes: they rank the day, with or without an LLM")
    actions = taste.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="add papers to a taste")
    add.add_argument("ids", nargs="+", metavar="ARXIV_ID", help="2601.14256, an arxiv.org or HF link, …")
    imported = actions.add_parser("import", parents=[common],
                                  help="add the papers of a BibTeX export or a text file of ids/URLs")
    imported.add_argument("file", type=Path, help="a .bib (Zotero, arXiv eprint fields) or one id/URL a line")
    actions.add_parser("list", parents=[common], help="the papers of a taste, with their vote counts, and the 👎 ones")
    remove = actions.add_parser("remove", parents=[common], help="take papers added by hand out of a taste")
    remove.add_argument("ids", nargs="+", metavar="ARXIV_ID")
    for action in (add, remove):
        action.add_argument("--not", dest="negative", action="store_true",
                            help='the papers are "not for us" (👎): never deep-dived, the taste\'s negatives')
    stats = actions.add_parser("stats", parents=[common],
                               help="how well the ranking served a channel's 👍 and 👎 over the last 30 days")
    for action in (add, imported, actions.choices["list"], remove, stats):
        action.add_argument("--channel", metavar="PLATFORM:ID", help=CHANNEL_HELP)
    taste.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.adapters import channel_ids
    from bot.shared.tastes import parse_scope

    scope = parse_scope(args.channel, channel_ids())
    if args.action == "stats":
        with closing(open_store(quick_db())) as store:
            return taste_stats(store, scope)
    if args.action in ("list", "remove"):  # quick: no pydantic, no network
        with closing(open_store(quick_db())) as store:
            if args.action == "list":
                return list_taste(store, scope)
            if args.negative:
                return unmark(store, scope, args.ids)
            return remove_taste(store, scope, args.ids)
    from analysis.sources.bibtex import Entry, id_in_line, read_entries
    from bot.config import CHAT, DIGEST_ONLY, SCHEDULE, SERVE_ONLY

    if args.action == "import":
        entries = read_entries(_read(args.file))
    else:
        entries = [Entry(f"'{text}'", id_in_line(text)) for text in args.ids]
    import asyncio

    settings = settings_for(SERVE_ONLY + SCHEDULE + CHAT + DIGEST_ONLY)
    # looking papers up needs Hugging Face and arXiv, never the LLM
    settings = settings.model_copy(update={"llm_model": None})
    with closing(open_store(settings.db)) as store:
        return asyncio.run(add_taste(settings, store, scope, entries, negative=getattr(args, "negative", False)))


def _read(path: Path) -> str:
    from analysis.errors import BadInput

    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}; give the path of a .bib or text file.") from None


async def add_taste(settings: Settings, store: Store, scope: tuple[str, str], entries: list[Entry], *,
                    negative: bool = False) -> int:
    from analysis.errors import BadInput
    from bot.engine import open_engine
    from bot.shared.tastes import describe, taste_of

    if not entries:
        raise BadInput("no papers given: pass arXiv ids, or a .bib or text file with one id/URL a line.")
    if scope != ("", "") and store.get_channel(*scope) is None:
        print(f"paperbot: note: {scope[0]}:{scope[1]} is not subscribed; its taste is kept for when it is "
              f"(paperbot channel add {scope[0]} {scope[1]})", file=sys.stderr)
    async with open_engine(settings, store) as engine:
        found = await resolve(engine, entries)
    ids = list(dict.fromkeys(found))
    if negative:
        marked = store.add_marks(scope, ids)
        print(f"marked {marked} paper(s) not for us in {describe(scope)} ({len(ids) - marked} already marked): "
              "they are its negatives and never get a deep dive there.")
        return 0 if ids else 1
    added = store.add_taste(scope, ids)
    total = len(taste_of(store, scope))
    print(f"added {added} paper(s) to {describe(scope)} ({len(ids) - added} already in it); it holds {total} "
          f"paper(s){'' if total >= 5 else ' — from 5 on it ranks days without an LLM'}.")
    return 0 if ids or not entries else 1


async def resolve(engine: Engine, entries: list[Entry]) -> list[str]:
    """Ids of the entries' papers found in the store, on HF or on arXiv, in the entries' order; one line on
    stderr for each entry that has no arXiv id or whose paper none of them knows."""
    import asyncio

    from analysis.errors import PaperbotError
    from analysis.pipeline import find_paper

    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(entry: Entry) -> str | None:
        if entry.arxiv_id is None:
            _unresolved(f"{entry.label}: no arXiv id found (an id like 2601.14256, an arxiv.org URL, an arXiv DOI "
                        "or a BibTeX eprint field)")
            return None
        try:
            async with gate:
                return (await find_paper(engine, entry.arxiv_id)).arxiv_id
        except PaperbotError as exc:
            _unresolved(f"{entry.label}: {exc}")
            return None

    return [i for i in await asyncio.gather(*(one(e) for e in entries)) if i]


def _unresolved(line: str) -> None:
    print(f"paperbot: not added: {line}", file=sys.stderr)


def list_taste(store: Store, scope: tuple[str, str]) -> int:
    from bot.shared.tastes import describe

    rows, marked = store.taste_rows(scope), store.mark_rows(scope)
    if not rows:
        print(f"{describe(scope)} is empty; add papers with: paperbot taste add [--channel …] 2601.14256")
    else:
        voted = sum(1 for r in rows if r.votes)
        print(f"{describe(scope)}: {len(rows)} paper(s), {voted} voted up, {len(rows) - voted} added only")
        for r in rows:
            how = f"👍 {r.votes}" if r.votes else "added"
            print(f"  {r.arxiv_id:<16} {how:<7} {' '.join(r.title.split())[:100]}")
    if marked:
        print(f'not for us (👎): {len(marked)} paper(s), never deep-dived there; the taste\'s negatives')
        for m in marked:
            how = f"👎 {m.marks}" if m.marks else "marked"
            print(f"  {m.arxiv_id:<16} {how:<7} {' '.join(m.title.split())[:100]}")
    return 0


def unmark(store: Store, scope: tuple[str, str], texts: list[str]) -> int:
    from analysis.sources.ids import parse_arxiv_id
    from bot.shared.tastes import describe

    ids = [parse_arxiv_id(t) for t in texts]
    cleared = store.clear_marks(scope, ids)
    for arxiv_id in ids:
        if arxiv_id not in cleared:
            print(f"paperbot: {arxiv_id} is not marked not for us in {describe(scope)}", file=sys.stderr)
    print(f"took the 👎 mark off {len(cleared)} paper(s) in {describe(scope)}")
    return 0 if cleared else 1


def taste_stats(store: Store, scope: tuple[str, str]) -> int:
    """One channel's figures, or without --channel those of every subscribed channel (votes are per channel)."""
    from bot.shared.taste_stats import stats_text
    from bot.shared.taste_stats import taste_stats as compute

    scopes = [scope] if scope != ("", "") else [(c.platform, c.channel_id) for c in store.channels()]
    if not scopes:
        print("no channels subscribed, so no votes to measure; add one with: paperbot channel add slack C0123ABC")
    for platform, channel_id in scopes:
        print(f"{platform}:{channel_id} — " + stats_text(compute(store, platform, channel_id)))
    return 0


def remove_taste(store: Store, scope: tuple[str, str], texts: list[str]) -> int:
    from analysis.sources.ids import parse_arxiv_id
    from bot.shared.tastes import describe

    ids = [parse_arxiv_id(t) for t in texts]
    removed = store.remove_taste(scope, ids)
    for arxiv_id in ids:
        if arxiv_id not in removed:
            print(f"paperbot: {arxiv_id} is not among the papers added to {describe(scope)}; a paper that is "
                  "there by votes leaves when its votes are taken back in the chat", file=sys.stderr)
    print(f"removed {len(removed)} paper(s) from {describe(scope)}")
    return 0 if removed else 1
