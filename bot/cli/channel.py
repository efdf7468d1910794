"""`paperbot channel add|list|remove`: subscriptions from a shell, answered in the CLI's terms (flags, not /chat)."""

from __future__ import annotations

import argparse
from contextlib import closing
from typing import TYPE_CHECKING, Any

from bot.adapters import PLATFORMS
from bot.cli.common import open_store, quick_db

if TYPE_CHECKING:
    from storage.chat import Channel


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    channel = commands.add_parser("channel", parents=[common], help="subscribe, list or remove chat channels")
    actions = channel.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="subscribe a Slack channel, Telegram chat or Feishu chat")
    add.add_argument("platform", choices=PLATFORMS)
    add.add_argument("channel_id", help="Slack: C0123ABCD; Telegram: -1001234567890 or @channelname; "
                     "Feishu: oc_ and 32 hex digits")
    add.add_argument("--threshold", type=_int, help="score (0-100) at or above which papers get a deep dive")
    add.add_argument("--time", help="morning post time, HH:MM")
    add.add_argument("--tz", help="IANA time zone, e.g. Asia/Shanghai")
    add.add_argument("--keywords", help="this channel's own interests, comma-separated (default: PAPERBOT_KEYWORDS)")
    add.add_argument("--follow", metavar='"A, B"', help="follow these authors in the channel, comma-separated "
                     "(their papers are always LLM-scored, at least the threshold, 👤)")
    add.add_argument("--quiet-empty", action="store_true",
                     help="post nothing on days without papers (default: a short note)")
    actions.add_parser("list", parents=[common], help="list subscribed channels")
    remove = actions.add_parser("remove", parents=[common], help="unsubscribe a channel")
    remove.add_argument("platform", choices=PLATFORMS)
    remove.add_argument("channel_id")
    channel.set_defaults(run=run)


def _int(text: str) -> int | str:
    """Kept as text when it is not a number, so the error below names the flag in one line."""
    try:
        return int(text)
    except ValueError:
        return text


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        with closing(open_store(quick_db())) as store:
            return _list(store.channels(), {c.key: store.follows(c.platform, c.channel_id) for c in store.channels()})
    from bot.defaults import channel_defaults

    defaults = channel_defaults()
    with closing(open_store(defaults.db)) as store:
        if args.action == "remove":
            return _remove(store, args.platform, args.channel_id)
        return _add(store, defaults, args)


def _list(rows: list[Channel], follows: dict[str, list[str]]) -> int:
    if not rows:
        print("no channels subscribed; add one with: paperbot channel add slack C0123ABC")
    zone_width = max((len(c.timezone) for c in rows), default=0)
    for c in rows:
        topic = f"  in topic {c.topic}" if c.topic else ""
        # only the exception is worth a word: by default a day without papers gets a short note
        empty = "  quiet on days without papers" if not c.empty_note else ""
        interests = f"  interests {', '.join(c.keywords)}" if c.keywords else ""
        interests += f"  follows {', '.join(follows[c.key])}" if follows.get(c.key) else ""
        print(f"{c.platform:<9} {c.channel_id:<16} threshold {c.threshold:>3}  at {c.post_time} "
              f"{c.timezone:<{zone_width}}{empty}{topic}{interests}".rstrip())
    return 0


def _remove(store: Any, platform: str, channel_id: str) -> int:
    from analysis.errors import BadInput

    if not store.deactivate_channel(platform, channel_id):
        raise BadInput(f"{platform} channel {channel_id} is not subscribed; see: paperbot channel list")
    print(f"unsubscribed {platform} {channel_id}")
    return 0


def _add(store: Any, defaults: Any, args: argparse.Namespace) -> int:
    from analysis.errors import BadInput
    from bot.adapters import channel_ids
    from bot.shared.channels import subscribe_cli

    if args.threshold is not None and (not isinstance(args.threshold, int) or not 0 <= args.threshold <= 100):
        raise BadInput(f"--threshold {args.threshold} is out of range; use a whole number from 0 to 100.")
    old = store.get_channel(args.platform, args.channel_id)
    old = old if old is not None and old.active else None  # a removed channel comes back fresh
    words = None
    if args.keywords is not None:
        from bot.shared.taste_commands import parse_keywords

        words = parse_keywords(args.keywords)  # checked before anything is stored
    names = None
    if args.follow is not None:
        from bot.shared.follow_commands import parse_names

        names = parse_names(args.follow, 'use --follow "Kaiming He, Ross Girshick" (comma-separated full names).')
    channel = subscribe_cli(store, defaults, args.platform, args.channel_id, threshold=args.threshold,
                            time=args.time, zone=args.tz, empty_note=False if args.quiet_empty else None,
                            ids=channel_ids())
    if args.keywords is not None:
        channel = store.update_channel(channel.platform, channel.channel_id,
                                       keywords=", ".join(words) if words else None) or channel
    print(_outcome(old, channel))
    if names:
        from bot.shared.follow_commands import follow

        print(follow(store, channel.platform, channel.channel_id, names))
    if channel.platform == "telegram" and channel.channel_id.startswith("@"):
        print("note: Telegram names the chat by number in votes; /subscribe inside it (or add its -100… id) "
              "so reactions there count")
    return 0


def _outcome(old: Channel | None, new: Channel) -> str:
    settings = (f"threshold {new.threshold}, posts at {new.post_time} {new.timezone}"
                + (", quiet on days without papers" if not new.empty_note else "")
                + (f", interests {', '.join(new.keywords)}" if new.keywords else ""))
    if old is None:
        return f"subscribed {new.platform} {new.channel_id}: {settings}"
    changes = [f"{label} {before} → {after}" for label, before, after in (
        ("threshold", old.threshold, new.threshold), ("post time", old.post_time, new.post_time),
        ("zone", old.timezone, new.timezone),
        ("empty days", _empty(old.empty_note), _empty(new.empty_note)),
        ("interests", ", ".join(old.keywords) or "default", ", ".join(new.keywords) or "default")) if before != after]
    if not changes:
        return f"{new.platform} {new.channel_id} is already subscribed ({settings}); nothing changed"
    return f"updated {new.platform} {new.channel_id}: " + ", ".join(changes)


def _empty(note: bool) -> str:
    return "note" if note else "quiet"
