"""Parsing a paper where a runaway can be stopped: a child process per parse, killed at its time limit.

A thread cannot be killed, and a hostile PDF (60 pages sharing one 8 MB content stream) keeps pypdf
busy for many minutes. Children fork from a forkserver that has lxml and pypdf imported already, so a
parse starts in milliseconds, and never from the bot's own threaded process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import threading
from typing import Literal

from analysis.reading.papertext import Section

Format = Literal["html", "pdf"]
_PRELOAD = ["analysis.reading.latexml", "analysis.reading.pdftext", "lxml.html", "pypdf"]
_context_lock = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None


class ParseTimeout(ValueError):
    """The parse did not finish within its time limit (the child was killed)."""


class ParseFailed(ValueError):
    """The parser gave up on the file (NotAPaper, NoText), or its process died."""


async def parse(kind: Format, content: bytes, timeout: float) -> list[Section]:
    """The sections of `content`; ParseTimeout after `timeout` seconds, ParseFailed when unreadable."""
    return await asyncio.to_thread(_parse_in_child, kind, content, max(0.01, timeout))


def _parse_in_child(kind: Format, content: bytes, timeout: float) -> list[Section]:
    receive, send = _mp().Pipe(duplex=False)
    child = _mp().Process(target=_child, args=(kind, content, send), daemon=True, name=f"paperbot-parse-{kind}")
    child.start()
    send.close()  # the child's end: once it exits, poll() sees EOF instead of waiting out the timeout
    try:
        if not receive.poll(timeout):
            raise ParseTimeout(f"the {kind} took longer than {timeout:.0f} s to parse")
        try:
            ok, result = receive.recv()
        except EOFError:
            raise ParseFailed(f"the {kind} parser stopped (exit code {child.exitcode})") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if not ok:
        raise ParseFailed(str(result))
    return list(result)


def _child(kind: Format, content: bytes, send: multiprocessing.connection.Connection) -> None:
    from analysis.reading import latexml, pdftext

    parser = latexml.parse if kind == "html" else pdftext.parse
    try:
        send.send((True, parser(content)))
    except ValueError as exc:  # NotAPaper, NoText: a page or file we cannot read
        send.send((False, str(exc)))
    except Exception as exc:  # a parser bug must come back as one line, not as a dead child
        send.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _mp() -> multiprocessing.context.ForkServerContext:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            assert isinstance(context, multiprocessing.context.ForkServerContext)
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context
