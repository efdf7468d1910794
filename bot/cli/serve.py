"""`paperbot serve`: the scheduler, the chat adapters and /healthz, in one process."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import open_store, settings_for


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[common], help="run the scheduler, the chat adapters and /healthz")
    serve.add_argument("--grace", type=float, default=None, metavar="SECONDS",
                       help="how long posts and answers under way get to finish on SIGTERM (default 30); keep "
                            "systemd's TimeoutStopSec above it")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from analysis.errors import ConfigError
    from bot.serve import serve
    from bot.shutdown import SHUTDOWN_GRACE

    grace = SHUTDOWN_GRACE if args.grace is None else args.grace
    if not 0 < grace <= 3600:
        raise ConfigError(f"--grace {args.grace:g} is no grace period: give seconds from 0 to 3600, e.g. --grace 30")
    settings = settings_for(())
    store = open_store(settings.db)
    try:
        return asyncio.run(serve(settings, store, grace=grace))
    finally:
        store.close()
