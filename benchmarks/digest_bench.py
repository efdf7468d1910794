"""A real digest of a whole fixture day against the fake LLM with latency L, then a rerun."""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from pathlib import Path

from analysis.pipeline import build_digest, fetch_day
from analysis.writing.llm import load_litellm
from benchmarks.report import check, table
from bot.config import load_settings
from bot.engine import open_engine
from fakes.arxiv_pages import FakeArxivPages
from fakes.hf import FakeHF
from fakes.llm import FakeLLM
from storage.store import Store

# List prices per million tokens (input, output), as litellm 1.82.6's bundled price table gives them.
PRICES = {"gpt-4o-mini (cheap)": (0.15, 0.60), "gpt-4o (strong)": (2.50, 10.00)}


async def run(latency: float, day_file: str, tmp: str) -> list[str]:
    misses: list[str] = []
    started = time.perf_counter()
    load_litellm()
    import_s = time.perf_counter() - started
    # full texts from a fake that knows none of the papers (deep dives read the abstract), never arxiv.org
    with FakeHF.from_fixtures() as hf, FakeArxivPages() as pages, FakeLLM() as llm:
        llm.latency = latency
        day = dt.date.fromisoformat(day_file.split("_")[-1].split(".")[0][:10])
        os.environ.update({
            "PAPERBOT_DB": str(Path(tmp) / "bench.db"), "HF_ENDPOINT": hf.url, "LLM_MODEL": "openai/fake-mini",
            "ARXIV_HTML_URL": pages.url + "/html", "ARXIV_PDF_URL": pages.url + "/pdf",
            "LLM_API_BASE": llm.url, "LLM_API_KEY": "sk-bench", "PAPERBOT_TOP_N": "0", "PAPERBOT_THRESHOLD": "0",
            "PAPERBOT_MAX_DEEP_DIVES": "3",
        })
        settings = load_settings()
        store = Store(settings.db)
        rows = []
        for label in ("first run", "rerun"):
            before = len(llm.requests)
            t0 = time.perf_counter()
            async with open_engine(settings, store) as engine:
                papers = await fetch_day(engine, day)
                digest = await build_digest(engine, day, papers)
            wall = time.perf_counter() - t0
            calls = llm.requests[before:]
            rows.append((label, wall, wall / latency, len(papers), calls, digest))
            if label == "first run":
                usage = {str(u["kind"]): u for u in store.usage_by_kind()}
        store.close()
    return _print(rows, usage, latency, import_s, misses)


def _print(rows: list[tuple], usage: dict[str, dict], latency: float, import_s: float,  # type: ignore[type-arg]
           misses: list[str]) -> list[str]:
    (_, wall, ratio, n, calls, digest), (_, rewall, _, _, recalls, _) = rows
    table(f"Digest of {n} papers, {len(digest.selected())} deep dives, fake LLM latency L = {latency:.2f} s "
          f"(litellm import once per process: {import_s:.2f} s, not counted)",
          ["run", "wall s", "wall / L", "LLM calls", "target"],
          [("first run", wall, ratio, len(calls), f"wall <= 2.5 L + 1 s = {2.5 * latency + 1:.2f} s "
            + check(misses, wall <= 2.5 * latency + 1, "first-run wall time")),
           ("rerun", rewall, rewall / latency, len(recalls), "0 calls, < 1 s "
            + check(misses, not recalls and rewall < 1, "rerun: 0 calls and < 1 s"))])
    token_rows = []
    for kind, row in sorted(usage.items()):
        prompt, completion = int(row["prompt_tokens"]), int(row["completion_tokens"])
        costs = [f"${(prompt * i + completion * o) / 1e6:.4f}" for i, o in PRICES.values()]
        token_rows.append((kind, row["calls"], prompt, completion, *costs))
    table("LLM calls and tokens by kind, as paperbot recorded them (the fake counts a token per 4 characters)",
          ["kind", "calls", "prompt tok", "completion tok", *PRICES], token_rows)
    scoring_calls = int(usage.get("score", {}).get("calls", 0))
    paper_tokens = sum(math.ceil(len(i.paper.title + i.paper.abstract) / 4) for i in digest.items)
    per_paper = int(usage.get("score", {}).get("prompt_tokens", 0)) / max(1, paper_tokens)
    table("Scoring targets", ["measure", "value", "target"], [
        ("scoring calls", scoring_calls, f"<= ceil({n} / 20) = {math.ceil(n / 20)} "
         + check(misses, scoring_calls <= math.ceil(n / 20), "scoring calls")),
        ("prompt tokens / paper tokens", per_paper, "<= 1.3 " + check(misses, per_paper <= 1.3, "prompt overhead")),
    ])
    return misses
