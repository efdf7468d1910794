"""Progress on stderr: a spinner when stderr is a terminal, plain lines otherwise (logs, pipes, tests).

`rich` is imported only when a spinner is shown, so no command pays for it on a pipe or for --help."""

from __future__ import annotations

import sys
from typing import Any, TextIO


class Progress:
    """Call it with each step; on a terminal the spinner shows the current one and keeps the finished ones."""

    def __init__(self, stream: TextIO | None = None, *, spinner: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.spinner = self.stream.isatty() if spinner is None else spinner
        self._status: Any = None
        self._console: Any = None
        self._current: str | None = None

    def __call__(self, message: str) -> None:
        if not self.spinner:
            print(f"paperbot: {message}", file=self.stream, flush=True)
            return
        if self._status is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)
            self._status = self._console.status(message, spinner="dots")
            self._status.start()
        else:
            self._console.print(f"[dim]✓[/dim] {_plain(self._current or '')}")
            self._status.update(message)
        self._current = message

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._console.print(f"[dim]✓[/dim] {_plain(self._current or '')}")
            self._status = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(text: str) -> str:
    """Our messages may hold paper titles: rich markup in them must print as text."""
    return text.replace("[", r"\[")
