"""Parsing a paper where a runaway can be stopped: worker processes, one parse each at a time, killed at
the parse's time limit.

A thread cannot be killed, and a hostile PDF (60 pages sharing one 8 MB content stream) keeps pypdf
busy for many minutes. Workers fork from a forkserver that has lxml and pypdf imported already (never
from the bot's own threaded process) and are kept for the next parse: starting one costs a few
hundred milliseconds, a parse by an idle one only the copy of the file. A parse that finds every
worker busy starts another, so one slow paper never makes another wait.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import threading
from typing import Any, Literal

from analysis.reading.papertext import Section

Format = Literal["html", "pdf", "ping"]
_PRELOAD = ["analysis.reading.worker", "analysis.reading.latexml", "analysis.reading.pdftext", "lxml.html", "pypdf"]
MAX_IDLE = 2  # workers kept between parses
RETIRE_AFTER = 8 * 1024 * 1024  # a worker that parsed a bigger file has a big heap now: it is not kept
_lock = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None
_idle: list[_Worker] = []


class ParseTimeout(ValueError):
    """The parse did not finish within its time limit (the worker was killed)."""


class ParseFailed(ValueError):
    """The parser gave up on the file (NotAPaper, NoText), or its process died."""


def prepare() -> None:
    """Have one worker ready now (blocking: call it in a thread); `serve` does so before it listens."""
    with _lock:
        ready = bool(_idle)
    if not ready:
        worker = _Worker()
        worker.run("ping", b"", 60)  # the worker has done its imports once it answers
        _give_back(worker)


async def parse(kind: Format, content: bytes, timeout: float) -> list[Section]:
    """The sections of `content`; ParseTimeout after `timeout` seconds, ParseFailed when unreadable."""
    return await asyncio.to_thread(_parse, kind, content, max(0.01, timeout))


def _parse(kind: Format, content: bytes, timeout: float) -> list[Section]:
    for fresh in (False, True):  # an idle worker may have died meanwhile: then once more with a new one
        try:
            worker = _take(fresh)
        except OSError as exc:  # no process could be started (out of memory or process slots)
            raise ParseFailed(f"no parser process could start ({exc})") from None
        try:
            ok, result = worker.run(kind, content, timeout)
        except (EOFError, OSError):
            worker.kill()
            if fresh:
                raise ParseFailed(f"the {kind} parser stopped (exit code {worker.process.exitcode})") from None
            continue
        except ParseTimeout:
            worker.kill()
            raise
        if len(content) > RETIRE_AFTER:
            worker.kill()
        else:
            _give_back(worker)
        if not ok:
            raise ParseFailed(str(result))
        return list(result)
    raise AssertionError("unreachable")


class _Worker:
    def __init__(self) -> None:
        self.conn, theirs = _mp().Pipe(duplex=True)
        self.process = _mp().Process(target=_serve, args=(theirs,), daemon=True, name="paperbot-parse")
        self.process.start()
        theirs.close()  # once the worker exits, our end sees EOF instead of waiting out a timeout

    def run(self, kind: Format, content: bytes, timeout: float) -> tuple[bool, Any]:
        self.conn.send((kind, content))
        if not self.conn.poll(timeout):
            raise ParseTimeout(f"the {kind} took longer than {timeout:.0f} s to parse")
        answer: tuple[bool, Any] = self.conn.recv()
        return answer

    def kill(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def _take(fresh: bool) -> _Worker:
    with _lock:
        if _idle and not fresh:
            return _idle.pop()
    return _Worker()


def _give_back(worker: _Worker) -> None:
    with _lock:
        if len(_idle) < MAX_IDLE:
            _idle.append(worker)
            return
    worker.kill()


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """The worker's loop: a file in, its sections (or why not) out, until the bot closes the pipe."""
    from analysis.reading import latexml, pdftext

    while True:
        try:
            kind, content = conn.recv()
        except (EOFError, OSError):
            return
        if kind == "ping":
            conn.send((True, []))
            continue
        parser = latexml.parse if kind == "html" else pdftext.parse
        try:
            answer: tuple[bool, Any] = (True, parser(content))
        except ValueError as exc:  # NotAPaper, NoText: a page or file we cannot read
            answer = (False, str(exc))
        except Exception as exc:  # a parser bug must come back as one line, not as a dead worker
            answer = (False, f"{type(exc).__name__}: {exc}")
        conn.send(answer)


def _mp() -> multiprocessing.context.ForkServerContext:
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            assert isinstance(context, multiprocessing.context.ForkServerContext)
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context
