"""`paperbot`: the command line. One module per command in this package; each registers its parser and
its `run`. Heavy imports wait until a command runs, so `paperbot`, `--help` and `--version` are instant."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

# Adding a command: a module here with `register(commands, common)`, and its name in this tuple.
COMMANDS = ("digest", "deepdive", "ask", "history", "channel", "taste", "usage", "serve", "check")


class _Version(argparse.Action):
    """`--version`, reading the installed version only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("paperbot")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        print(f"paperbot {number}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperbot", description="Scores the day's Hugging Face Daily Papers for your team and posts a digest.")
    parser.add_argument("--version", action=_Version)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (retries too) on stderr")
    # -v after the command as well: SUPPRESS keeps a subcommand from resetting a -v given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log what happens (retries too) on stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        import_module(f"bot.cli.{name}").register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `paperbot`: the command list, not an error
        parser.print_help()
        return 0
    from analysis.errors import PaperbotError
    from bot import logs

    level = logs.logging.INFO if args.verbose else logs.logging.WARNING
    logs.setup(level, ours=logs.logging.INFO if args.command == "serve" else None,
               plain=args.command != "serve" and not args.verbose)
    from bot.cli.warmup import warm_up_llm

    warm_up_llm(args.command)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # inside the try: a pipe closed early fails here, not in the interpreter's exit
        return code
    except PaperbotError as exc:
        print(f"paperbot: {logs.redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("paperbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()


def _closed_pipe() -> int:
    """The reader went away (`paperbot usage | head -1`): stop quietly, as other command-line tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
    return 141  # 128 + SIGPIPE, what a shell shows for a tool killed by a closed pipe
