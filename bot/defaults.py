"""The settings the quick commands need (`channel …`, `usage`), read without pydantic.

Importing pydantic's model machinery alone takes about 0.2 s, and `paperbot channel list` must
start in well under a third of a second. These few values come from the same places as
`Settings` does it (the environment first, then `.env`, an empty value meaning unset, names in any
case) and are checked by the same functions, which `Settings` imports from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.errors import ConfigError, quote

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
ENV_FILE = ".env"


@dataclass(frozen=True)
class ChannelDefaults:
    """What a new subscription gets when the command does not say, and where the database is."""

    db: str = "paperbot.db"
    threshold: int = 60
    post_time: str = "08:30"
    zone: str = "UTC"


def parse_hhmm(text: str) -> str:
    match = _HHMM.fullmatch(text.strip())
    if not match:
        raise ValueError(f"'{quote(text, 20)}' is not a time of day; use HH:MM, e.g. 08:30")
    return f"{int(match[1]):02d}:{match[2]}"


def parse_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        shown = quote(text, 40)
        raise ValueError(f"'{shown}' is not an IANA time zone; use a name like Asia/Shanghai or UTC") from None
    return text.strip()


def system_zone() -> str:
    """The machine's zone as an IANA name when it can be found, else UTC."""
    import datetime as dt

    local = dt.datetime.now().astimezone().tzinfo
    key = getattr(local, "key", None)
    if key:
        return str(key)
    try:
        link = Path("/etc/localtime").resolve()
        return str(link).split("zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


def read_env(names: list[str]) -> dict[str, str]:
    """`names` (upper case) that are set: the environment wins over `.env`; blank means unset."""
    found: dict[str, str] = {}
    if Path(ENV_FILE).is_file():
        from dotenv import dotenv_values  # pydantic-settings' own .env reader, so both read a file alike

        found = {k.upper(): v for k, v in dotenv_values(ENV_FILE).items() if v and v.strip()}
    environ = {k.upper(): v for k, v in os.environ.items() if v.strip()}
    return {name: environ.get(name, found.get(name, "")) for name in names if name in environ or name in found}


def channel_defaults() -> ChannelDefaults:
    """ChannelDefaults from the environment, or ConfigError naming the variable and the fix."""
    env = read_env(["PAPERBOT_DB", "PAPERBOT_THRESHOLD", "PAPERBOT_POST_TIME", "PAPERBOT_TIMEZONE"])
    threshold = _threshold(env.get("PAPERBOT_THRESHOLD", "60"))
    post_time = _checked("PAPERBOT_POST_TIME", parse_hhmm, env.get("PAPERBOT_POST_TIME", "08:30"))
    zone = env.get("PAPERBOT_TIMEZONE")
    zone = _checked("PAPERBOT_TIMEZONE", parse_zone, zone) if zone else system_zone()
    return ChannelDefaults(db=env.get("PAPERBOT_DB", "paperbot.db"), threshold=threshold, post_time=post_time,
                           zone=zone)


def _threshold(text: str) -> int:
    if not re.fullmatch(r"\s*\d{1,3}\s*", text, re.ASCII) or int(text) > 100:
        raise ConfigError(f"PAPERBOT_THRESHOLD: a whole number from 0 to 100 (got '{quote(text, 20)}'). "
                          "Set it in the environment or in .env (see .env.example).")
    return int(text)


def _checked(name: str, parse: Callable[[str], str], value: str) -> str:
    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}. Set it in the environment or in .env (see .env.example).") from None
