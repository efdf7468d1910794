"""What several commands share: checks made before anything is spent, the database, and progress."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import BadInput

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.store import Store


def parse_date(text: str, flag: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{flag} '{text}' is not a date; use YYYY-MM-DD, e.g. 2026-01-23.") from None


def check_out(path: Path) -> Path:
    """`--out`, checked before any network call or LLM spend: its folder exists and can be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput(f"--out {path} is a folder; give a file name, e.g. --out {path / 'digest.md'}.")
    if not folder.is_dir():
        raise BadInput(f"--out {path}: the folder {folder} does not exist; create it or choose another path.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadInput(f"--out {path} cannot be written (no permission); choose another path.")
    return path


def settings_for(unused: Iterable[str]) -> Settings:
    from bot.config import load_settings

    return load_settings(unused=unused)


def quick_db() -> str:
    """PAPERBOT_DB alone, for commands that read nothing else (no pydantic to import)."""
    from bot.defaults import read_env

    return read_env(["PAPERBOT_DB"]).get("PAPERBOT_DB", "paperbot.db")


def open_store(path: str) -> Store:
    from storage.store import Store

    return Store(path)
