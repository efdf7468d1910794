"""`python -m benchmarks [--latency L]`: prints figures, checks them against targets, exits 1 on a miss."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile

from benchmarks import (
    digest_bench,
    fanout_bench,
    loop_lag_bench,
    pool_bench,
    recall_bench,
    startup_bench,
    taste_bench,
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--latency", type=float, default=1.0, help="fake LLM seconds per call (L)")
    parser.add_argument("--day", default="hf_daily_papers_2026-01-21.json", help="shared fixture day")
    parser.add_argument("--channels", type=int, default=20, help="channels per platform for the fan-out")
    parser.add_argument("--pool-size", type=int, default=500, help="papers in the scale day (HF 32 + arXiv)")
    parser.add_argument("--page-delay", type=float, default=3.0, help="seconds between arXiv listing pages")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    misses: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        misses += asyncio.run(digest_bench.run(args.latency, args.day, tmp))
        misses += asyncio.run(pool_bench.run(args.latency, tmp, args.pool_size, args.page_delay))
        misses += recall_bench.run()
        misses += startup_bench.run()
        misses += asyncio.run(fanout_bench.run(args.channels, tmp))
        misses += taste_bench.run()
        misses += loop_lag_bench.run(args.latency, args.channels)
    print()
    if misses:
        # figures, not a timed test: wall-clock targets move with the machine's load
        print("MISSED TARGETS:\n  " + "\n  ".join(misses))
        return 1 if args.strict else 0
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
