"""The real `paperbot serve` process while a hostile paper's full text is being fetched: a /deepdive of
another paper is posted within 10 s, /threshold is acknowledged within 1 s, RSS stays under 600 MB,
and the hostile paper's dive arrives from its abstract within its deadline."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import SLACK_SECRET
from tests.fakes.arxiv_pages import FakeArxivPages
from tests.fakes.hostile import flat_sections_html, shared_stream_pdf
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack, sign, slash_command_body
from tests.helpers import FIXTURES, day_papers, free_port
from tests.test_serve import port_open

CHANNEL = "C0PAPERS"
DEADLINE = 6.0  # PAPERBOT_FULLTEXT_TIMEOUT: longer than the 5 s another paper waits behind it
ASTRO = FIXTURES / "arxiv_html_latexml-0.8.7_astro-ml.html"
CASES = ["drip", "bomb", "huge", "60,000 sections", "8 MB x 60-page PDF"]
IDS = [p.arxiv_id for p in day_papers()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def posted(slack: FakeSlack, arxiv_id: str) -> dict | None:
    return next((m for m in slack.messages_in(CHANNEL) if arxiv_id in json.dumps(m, ensure_ascii=False)), None)


async def command(client: httpx.AsyncClient, port: int, name: str, text: str) -> tuple[float, httpx.Response]:
    body = slash_command_body(name, text, channel_id=CHANNEL)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SLACK_SECRET, body)}
    started = time.monotonic()
    response = await client.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers)
    return time.monotonic() - started, response


def make_hostile(pages: FakeArxivPages, case: str, arxiv_id: str) -> None:
    if case in ("drip", "bomb", "huge"):
        pages.hostile(arxiv_id, case)  # type: ignore[arg-type]
    elif case == "60,000 sections":
        pages.add_html(arxiv_id, flat_sections_html(60_000))
    else:
        pages.add_pdf(arxiv_id, shared_stream_pdf(60, 8 * 1024 * 1024))


async def until_posted(slack: FakeSlack, arxiv_id: str, by: float, what: str) -> tuple[dict, float]:
    """The message once posted, and when (monotonic)."""
    while (message := posted(slack, arxiv_id)) is None:
        assert time.monotonic() < by, f"{what}: not posted in time"
        await asyncio.sleep(0.05)
    return message, time.monotonic()


async def one_case(pid: int, port: int, case: str, hostile: str, other: str, slack: FakeSlack,
                   pages: FakeArxivPages) -> dict[str, float]:
    make_hostile(pages, case, hostile)
    pages.add_html(other, ASTRO)
    acks: list[float] = []
    rss = [rss_mb(pid)]
    async with httpx.AsyncClient(timeout=10) as client:
        asked = time.monotonic()
        _, ack = await command(client, port, "/deepdive", hostile)
        assert ack.status_code == 200 and "Reading" in ack.text
        while not pages.calls_to(f"/html/{hostile}"):  # its fetch is under way
            assert time.monotonic() < asked + 10, f"{case}: the hostile paper was never fetched"
            await asyncio.sleep(0.02)
        _, ack = await command(client, port, "/deepdive", other)
        other_asked = time.monotonic()
        other_done = asyncio.create_task(until_posted(slack, other, other_asked + 10, f"{case}: the other dive"))
        hostile_done = asyncio.create_task(until_posted(slack, hostile, asked + DEADLINE + 6, f"{case}: its dive"))
        while not (other_done.done() and hostile_done.done()):
            took, answer = await command(client, port, "/threshold", "70")
            assert answer.status_code == 200 and "Threshold set to 70" in answer.text
            acks.append(took)
            rss.append(rss_mb(pid))
            await asyncio.sleep(0.25)
        other_at = (await other_done)[1]
        dive, dive_at = await hostile_done
    assert "（基于摘要）" in json.dumps(dive, ensure_ascii=False), f"{case}: the dive did not say it read the abstract"
    return {"ack": max(acks), "rss": max(rss), "other": other_at - other_asked, "own": dive_at - asked}


def test_a_hostile_paper_never_holds_up_another_dive_or_the_acks(
        llm_env: dict, slack_env: dict, slack: FakeSlack, llm: FakeLLM, arxiv_pages: FakeArxivPages) -> None:
    port = free_port()
    script = str(Path(sys.executable).parent / "paperbot")
    run_env = {**os.environ, "PAPERBOT_PORT": str(port), "PAPERBOT_FULLTEXT_TIMEOUT": str(DEADLINE)}
    log = Path(run_env["PAPERBOT_DB"]).with_suffix(".log")
    with log.open("w") as err:
        proc = subprocess.Popen([script, "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        figures = asyncio.run(_cases(proc.pid, port, slack, arxiv_pages))
    finally:
        proc.terminate()
        proc.wait(30)
    print(json.dumps(figures, indent=None))  # seen with -s: the README's figures
    for case, got in figures.items():
        assert got["other"] < 10 and got["ack"] < 1.0 and got["rss"] < 600, f"{case}: {got}"
        assert got["own"] < DEADLINE + 6, f"{case}: {got}"
    assert "Traceback" not in log.read_text()


async def _cases(pid: int, port: int, slack: FakeSlack, pages: FakeArxivPages) -> dict[str, dict[str, float]]:
    await port_open(port)
    async with httpx.AsyncClient(timeout=10) as client:  # a first dive: the LLM client is warm after it
        await command(client, port, "/deepdive", IDS[-1])
    await until_posted(slack, IDS[-1], time.monotonic() + 60, "the first dive")
    print(f"serve's RSS after its first dive: {rss_mb(pid):.0f} MB")
    figures = {}
    for n, case in enumerate(CASES):
        figures[case] = await one_case(pid, port, case, IDS[2 * n], IDS[2 * n + 1], slack, pages)
    return figures
