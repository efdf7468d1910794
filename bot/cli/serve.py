"""`paperbot serve`: the scheduler, the chat adapters and /healthz, in one process."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import open_store, settings_for


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[common], help="run the scheduler, the chat adapters and /healthz")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.serve import serve

    settings = settings_for(())
    store = open_store(settings.db)
    try:
        return asyncio.run(serve(settings, store))
    finally:
        store.close()
