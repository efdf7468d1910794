"""litellm for the commands that call an LLM: its import (seconds) starts in a thread as the command
starts, so it overlaps the settings, SQLite and the network; and the exit skips its cleanup cost."""

from __future__ import annotations

LLM_COMMANDS = ("digest", "deepdive", "ask", "serve", "check")


def warm_up_llm(command: str) -> None:
    if command not in LLM_COMMANDS:
        return
    import atexit
    import gc

    from bot.defaults import read_env

    if not read_env(["LLM_MODEL"]):
        return
    from analysis.writing.litellm_import import start_loading_litellm

    start_loading_litellm()
    # Exiting, Python's last garbage collection walks every object litellm made (0.5-1.5 s after the report
    # is out); frozen, they are skipped. atexit runs before that collection; files are flushed by
    # refcounting, not by it.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
