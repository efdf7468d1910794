"""Logging to stderr with every configured secret masked, whoever logs it (us, litellm, an SDK)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

_secrets: set[str] = set()


def register_secrets(values: Iterable[str | None]) -> None:
    _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.exc_info:
            record.msg, record.args = cleaned, None
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is now, so a replaced stderr (tests, daemons) is followed."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _: object) -> None:
        pass


def setup(level: int = logging.WARNING, ours: int | None = None, *, plain: bool = False) -> None:
    """Everything at `level`; paperbot's own loggers at `ours` (serve shows what it posts).

    `plain`: a one-off command's warnings read like its errors (`paperbot: …`), without time and logger name."""
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("paperbot: %(message)s") if plain else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "LiteLLM", "litellm", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    for package in ("analysis", "bot", "storage"):
        logging.getLogger(package).setLevel(min(level, ours or level))
