"""Channel settings parsed and validated once, for the CLI and for chat commands alike.

Kept free of the pipeline's imports, and of pydantic, so `paperbot channel …` starts fast."""

from __future__ import annotations

import re

from analysis.errors import BadInput, quote
from bot.defaults import ChannelDefaults, parse_hhmm, parse_zone
from bot.shared.platform import ChannelIds
from storage.chat import Channel, ChannelTables, Platform

THRESHOLD_USAGE = "Usage: /threshold 70 (a whole number from 0 to 100), or /threshold alone to see it."
SUBSCRIBE_USAGE = "Usage: /subscribe [HH:MM] [Zone], e.g. /subscribe 08:30 Asia/Shanghai."


def parse_threshold(text: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d{1,3}", value, re.ASCII) or int(value) > 100:
        raise BadInput(f"'{quote(value, 20)}' is not a threshold. {THRESHOLD_USAGE}")
    return int(value)


def parse_subscribe(text: str) -> tuple[str | None, str | None]:
    parts = text.split()
    if len(parts) > 2:
        raise BadInput(SUBSCRIBE_USAGE)
    time = zone = None
    for part in parts:
        try:
            if re.fullmatch(r"\d{1,2}:\d{1,2}", part):
                time = parse_hhmm(part)
            else:
                zone = parse_zone(part)
        except ValueError as exc:
            raise BadInput(f"{exc}. {SUBSCRIBE_USAGE}") from None
    return time, zone


def subscribe_cli(store: ChannelTables, defaults: ChannelDefaults, platform: Platform, channel_id: str, *,
                  threshold: int | None = None, time: str | None = None, zone: str | None = None,
                  empty_note: bool | None = None, topic: str | None = None, ids: ChannelIds | None = None) -> Channel:
    """Create or update a subscription, keeping what is not given (CLI and chat alike).

    `topic` is where in the chat a chat command came from: "" for the chat itself, None to keep it.
    `ids` checks a channel id typed in a shell; one a chat command came from is the platform's own."""
    if threshold is not None and not 0 <= threshold <= 100:
        raise BadInput(f"threshold {threshold} is out of range. {THRESHOLD_USAGE}")
    try:
        time = parse_hhmm(time) if time else None
        zone = parse_zone(zone) if zone else None
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if ids is not None and not ids.valid(platform, channel_id):
        raise BadInput(f"'{quote(channel_id, 30)}' is not a {platform} channel id: it looks like {ids.looks_like()}; "
                       "or type /subscribe in the channel itself.")
    old = store.get_channel(platform, channel_id)
    old = old if old is not None and old.active else None  # unsubscribed and back: a fresh start
    return store.upsert_channel(
        platform, channel_id,
        threshold=threshold if threshold is not None else (old.threshold if old else defaults.threshold),
        post_time=time or (old.post_time if old else defaults.post_time),
        timezone=zone or (old.timezone if old else defaults.zone),
        empty_note=empty_note if empty_note is not None else (old.empty_note if old else True),
        topic=(topic or None) if topic is not None else (old.topic if old else None),
    )
