"""A 500-paper day: HF's 32 plus 468 real cs.CV/cs.RO submissions listed through the arXiv fake.

Checks the scale targets of the day's pool: wall <= 3 L + listing time, scoring calls <=
ceil(PAPERBOT_LLM_POOL / 20), peak RSS < 300 MB, and SQLite writes batched (statements counted).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import resource
import time
from pathlib import Path

from analysis.pipeline import build_digest
from analysis.sources.arxiv_listing import Paging
from analysis.sources.pool import fetch_pool
from analysis.writing.llm import load_litellm
from benchmarks.fixtures import FIXTURES
from benchmarks.report import check, table
from bot.config import load_settings
from bot.engine import open_engine
from fakes.arxiv import FakeArxiv
from fakes.arxiv_pages import FakeArxivPages
from fakes.hf import FakeHF
from fakes.llm import FakeLLM
from storage.store import Store

LABELLED = FIXTURES / "labelled"
DAY = dt.date(2026, 1, 21)  # the HF fixture day of 32 papers
WRITES = ("insert", "update", "replace", "delete")


def listing_entries(arxiv: FakeArxiv, count: int) -> list[str]:
    papers = [p for f in sorted(LABELLED.glob("a1henu_arxiv_*.json"))
              for p in json.loads(f.read_text(encoding="utf-8"))["papers"]]
    return [arxiv.entry_xml(p["arxiv_id"], p["title"], p["summary"], p["authors"]) for p in papers[:count]]


async def run(latency: float, tmp: str, size: int = 500, page_delay: float = 3.0) -> list[str]:
    misses: list[str] = []
    load_litellm()  # seconds once per process, not per digest: not counted (as in digest_bench)
    # full texts come from a fake that knows none of these papers: deep dives read the abstract, as offline
    with FakeHF.from_fixtures() as hf, FakeArxiv() as arxiv, FakeArxivPages() as pages, FakeLLM() as llm:
        llm.latency = latency
        arxiv.list_on(DAY, listing_entries(arxiv, size - 32))
        os.environ.update({
            "PAPERBOT_DB": str(Path(tmp) / "pool.db"), "HF_ENDPOINT": hf.url, "ARXIV_API_URL": arxiv.url + "/api/query",
            "ARXIV_HTML_URL": pages.url + "/html", "ARXIV_PDF_URL": pages.url + "/pdf",
            "PAPERBOT_ARXIV_CATEGORIES": "cs.CV,cs.RO", "LLM_MODEL": "openai/fake-mini", "LLM_API_BASE": llm.url,
            "LLM_API_KEY": "sk-bench", "PAPERBOT_THRESHOLD": "0", "PAPERBOT_MAX_DEEP_DIVES": "3",
        })
        settings = load_settings()
        store = Store(settings.db)
        writes: list[str] = []
        store.db.conn.set_trace_callback(lambda sql: writes.append(sql) if sql.lstrip().lower()
                                         .startswith(WRITES) else None)
        rows = []
        for label in ("first run", "rerun"):
            before, writes_before = len(llm.requests), len(writes)
            t0 = time.perf_counter()
            async with open_engine(settings, store) as engine:
                engine.arxiv_paging = Paging(delay=page_delay)
                pool = await fetch_pool(engine, DAY)
                listed = time.perf_counter() - t0
                digest = await build_digest(engine, DAY, pool)
            wall = time.perf_counter() - t0
            rows.append((label, len(pool.papers), listed, wall, llm.requests[before:], len(writes) - writes_before,
                         len(arxiv.calls), digest))
            arxiv.calls.clear()
        store.db.conn.set_trace_callback(None)
        store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _print(rows, latency, settings.llm_pool, peak_mb, misses)


def _print(rows: list[tuple], latency: float, llm_pool: int, peak_mb: float,  # type: ignore[type-arg]
           misses: list[str]) -> list[str]:
    (_, n, listed, wall, calls, writes, pages, digest), (_, _, relisted, rewall, recalls, rewrites, _, _) = rows
    scoring = sum(1 for c in calls if c["response_format"]["json_schema"]["name"] == "paper_scores")
    target = 3 * latency + listed
    table(f"A {n}-paper day (HF 32 + arXiv {n - 32}, {pages} listing pages), fake LLM latency L = {latency:.2f} s",
          ["run", "listing s", "wall s", "LLM calls", "SQL writes", "target"],
          [("first run", listed, wall, len(calls), writes, f"wall <= 3 L + listing = {target:.2f} s "
            + check(misses, wall <= target, "500-paper wall time")),
           ("rerun", relisted, rewall, len(recalls), rewrites, "0 LLM calls "
            + check(misses, not recalls, "500-paper rerun: 0 LLM calls"))])
    narrowed = sum(i.narrowed_out for i in digest.items)
    table("Scale targets", ["measure", "value", "target"], [
        ("papers listed in the report", len(digest.items), f"= {n} " + check(misses, len(digest.items) == n,
                                                                          "every paper listed")),
        ("sent to LLM scoring", n - narrowed, f"<= PAPERBOT_LLM_POOL = {llm_pool}"),
        ("scoring calls", scoring, f"<= ceil({llm_pool} / 20) = {math.ceil(llm_pool / 20)} "
         + check(misses, scoring <= math.ceil(llm_pool / 20), "500-paper scoring calls")),
        ("SQLite write statements", writes, f"batched, << {n} papers "
         + check(misses, writes < n / 10, "SQLite writes batched")),
        ("peak RSS MB (whole process)", peak_mb, "< 300 " + check(misses, peak_mb < 300, "peak RSS")),
    ])
    return misses
