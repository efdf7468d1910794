"""A 500-paper morning: HF's 32 plus an announcement of 468 real cs.CV/cs.RO papers in arXiv's feed.

The feed is built from the captured one (tests/fakes/arxiv_rss.py) and holds the labelled days' papers.
Checks the scale targets of the day's pool: wall <= 2 L + 1.5 s on the feed path (engine set-up and
fetch included), a rerun of the same morning asks arXiv nothing (the announcement is stored), scoring
calls <= ceil(PAPERBOT_LLM_POOL / 20), peak RSS < 300 MB, and SQLite writes batched (statements counted).
The same announcement through the API window (a morning missed) is one request of up to 2,000 results.
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
from analysis.sources import schedule
from analysis.sources.arxiv_listing import Paging
from analysis.sources.pool import fetch_pool, latest_pool
from analysis.writing.llm import load_litellm
from benchmarks.fixtures import FIXTURES
from benchmarks.report import check, table
from bot.config import load_settings
from bot.engine import open_engine
from fakes.arxiv import FakeArxiv
from fakes.arxiv_pages import FakeArxivPages
from fakes.arxiv_rss import FakeArxivRSS, feed, item
from fakes.hf import FakeHF
from fakes.llm import FakeLLM
from storage.store import Store

LABELLED = FIXTURES / "labelled"
DAY = dt.date(2026, 1, 21)  # the HF fixture day of 32 papers
ANNOUNCED = dt.date(2026, 1, 22)  # the announcement the morning after it shows
MORNING = dt.datetime(2026, 1, 22, 7, 30, tzinfo=dt.UTC)  # 08:30 in Berlin: HF's yesterday is DAY
WRITES = ("insert", "update", "replace", "delete")


def labelled(count: int) -> list[dict]:  # type: ignore[type-arg]
    papers = [p for f in sorted(LABELLED.glob("a1henu_arxiv_*.json"))
              for p in json.loads(f.read_text(encoding="utf-8"))["papers"]]
    return papers[:count]


def announce(arxiv: FakeArxiv, rss: FakeArxivRSS, count: int) -> None:
    """The labelled papers as the feed's `new` items, and in the API as submitted in the same window."""
    papers = labelled(count)
    ids = [p["arxiv_id"].rsplit("v", 1)[0] for p in papers]
    rss.serve(feed(ANNOUNCED, [item(i, "new", title=p["title"], abstract=p["summary"], categories=("cs.CV",),
                                    authors=tuple(p["authors"])) for i, p in zip(ids, papers, strict=True)],
                   ("cs.CV", "cs.RO")))
    arxiv.list_on(DAY, [arxiv.entry_xml(p["arxiv_id"], p["title"], p["summary"], p["authors"]) for p in papers],
                  at=schedule.window(ANNOUNCED).start + dt.timedelta(hours=1))


async def run(latency: float, tmp: str, size: int = 500, page_delay: float = 3.0) -> list[str]:
    misses: list[str] = []
    load_litellm()  # seconds once per process, not per digest: not counted (as in digest_bench)
    # full texts come from a fake that knows none of these papers: deep dives read the abstract, as offline
    with (FakeHF.from_fixtures() as hf, FakeArxiv() as arxiv, FakeArxivRSS() as rss, FakeArxivPages() as pages,
          FakeLLM() as llm):
        llm.latency = latency
        announce(arxiv, rss, size - 32)
        os.environ.update({
            "PAPERBOT_DB": str(Path(tmp) / "pool.db"), "HF_ENDPOINT": hf.url,
            "ARXIV_API_URL": arxiv.url + "/api/query", "ARXIV_RSS_URL": rss.url + "/rss",
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
        for label in ("first run", "rerun", "API window"):
            before, writes_before = len(llm.requests), len(writes)
            arxiv.calls.clear()
            rss.calls.clear()
            hf.calls.clear()
            t0 = time.perf_counter()
            async with open_engine(settings, store) as engine:
                engine.arxiv_paging = Paging(delay=page_delay)
                if label == "API window":  # a later morning, after days down: the feed shows a newer one (no HF)
                    engine.listings = None  # the stored listing would answer: measure the API instead
                    pool = await fetch_pool(engine, ANNOUNCED, [], announcements=[ANNOUNCED],
                                            now=MORNING.replace(day=27))
                else:
                    pool = await latest_pool(engine, MORNING)
                listed = time.perf_counter() - t0
                digest = await build_digest(engine, DAY, pool)
            wall = time.perf_counter() - t0
            rows.append((label, len(pool.papers), listed, wall, llm.requests[before:], len(writes) - writes_before,
                         len(arxiv.calls) + len(rss.calls), digest, len(hf.calls)))
        store.db.conn.set_trace_callback(None)
        store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _print(rows, latency, settings.llm_pool, peak_mb, misses)


def _print(rows: list[tuple], latency: float, llm_pool: int, peak_mb: float,  # type: ignore[type-arg]
           misses: list[str]) -> list[str]:
    (_, n, listed, wall, calls, writes, asked, digest, hf_asked), rerun, api = rows
    scoring = sum(1 for c in calls if c["response_format"]["json_schema"]["name"] == "paper_scores")
    target = 2 * latency + 1.5
    table(f"A {n}-paper morning (HF 32 + arXiv {n - 32} in the announcement feed), fake LLM L = {latency:.2f} s",
          ["run", "fetch s", "wall s", "LLM calls", "SQL writes", "arXiv requests", "HF requests", "target"],
          [("first run", listed, wall, len(calls), writes, asked, hf_asked, f"wall <= 2 L + 1.5 = {target:.2f} s "
            + check(misses, wall <= target, "500-paper wall time on the feed path")),
           ("rerun", rerun[2], rerun[3], len(rerun[4]), rerun[5], rerun[6], rerun[8], "0 LLM calls, 0 arXiv requests "
            + check(misses, not rerun[4] and rerun[6] == 0, "500-paper rerun: nothing asked again")),
           ("API window", api[2], api[3], len(api[4]), api[5], api[6], api[8], "1 request for the announcement "
            + check(misses, api[6] == 1 and api[1] == n - 32, "500-paper API window in one request"))])
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
