"""`paperbot check`: each configured service, in parallel, in about 5 s: one line each, exit 1 if any fails.

A check asks the least that proves the service works for paperbot: HF's list of today, one arXiv API answer
(and the listing query when categories are set), one tiny LLM call, Slack's auth.test, Telegram's getMe,
Feishu's tenant token and bot info, and the database opened for writing. What failed is said with the setting
that fixes it; secrets never appear.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser("check", parents=[common], help="check each configured service (about 5 s)")
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: every command's --help imports this module

    from bot.cli.common import settings_for
    from bot.config import DIGEST_ONLY, SCHEDULE, SERVE_ONLY

    settings = settings_for(SERVE_ONLY + SCHEDULE + DIGEST_ONLY)
    results = asyncio.run(_run_all(settings))
    for ok, name, detail in results:
        print(f"{'✓' if ok else '✗'} {name:<9} {detail}")
    failed = [name for ok, name, _ in results if not ok]
    if failed:
        print(f"paperbot: {len(failed)} of {len(results)} checks failed ({', '.join(failed)})", file=sys.stderr)
        return 1
    return 0


Check = Callable[[Any], Awaitable[str]]


def _checks(settings: Any) -> list[tuple[str, Check]]:
    from bot.cli import check_services as s

    wanted: list[tuple[str, Check]] = [("database", s.database), ("HF", s.hugging_face), ("arXiv", s.arxiv_api)]
    if settings.arxiv_categories:
        wanted += [("feed", s.arxiv_feed), ("listing", s.arxiv_listing)]
    if settings.llm_model:
        wanted.append(("LLM", s.llm))
    if settings.slack_bot_token:
        wanted.append(("Slack", s.slack))
    if settings.telegram_bot_token:
        wanted.append(("Telegram", s.telegram))
    if settings.feishu_app_id:
        from bot.feishu.check import feishu

        wanted.append(("Feishu", feishu))
    return wanted


async def _run_all(settings: Any) -> list[tuple[bool, str, str]]:
    import asyncio

    checks = _checks(settings)
    return list(await asyncio.gather(*(_one(name, check, settings) for name, check in checks)))


async def _one(name: str, check: Check, settings: Any) -> tuple[bool, str, str]:
    import asyncio

    from bot.cli.check_services import DEADLINE, LITELLM_IMPORT, CheckFailed
    from bot.logs import redact

    # the LLM's check first imports litellm (2-4 s, more on a loaded machine): its call gets the same 5 s after it
    deadline = DEADLINE + (LITELLM_IMPORT if name == "LLM" else 0)
    started = time.monotonic()
    try:
        detail = await asyncio.wait_for(check(settings), deadline)
    except TimeoutError:
        return False, name, f"no answer within {deadline:g} s"
    except CheckFailed as exc:
        return False, name, redact(str(exc))
    except Exception as exc:  # a check must say what broke, whatever broke; the others still report
        return False, name, redact(f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    return True, name, f"{detail} ({time.monotonic() - started:.1f} s)"
