import datetime as dt

import httpx
import pytest

from analysis.errors import SourceError
from analysis.sources import arxiv as arxiv_source
from analysis.sources import hf as hf_source
from analysis.sources.daily_file import read_daily_file
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.hf import FakeHF
from tests.helpers import FIXTURES


@pytest.mark.parametrize(("name", "count"), [
    ("hf_daily_papers_2026-01-23.json", 27),
    ("hf_daily_papers_2026-01-21.json", 32),
    ("hf_daily_papers_2026-01-22_partial_0754utc.json", 18),
    ("hf_daily_papers_2026-08-21.json", 17),
    ("hf_daily_papers_2024-05-27_oldschema.json", 13),
])
def test_every_captured_schema_parses_in_the_apis_order(name: str, count: int) -> None:
    import json

    raw = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    papers = read_daily_file(FIXTURES / name)[0]
    assert len(papers) == count
    assert [p.arxiv_id for p in papers] == [item["paper"]["id"] for item in raw]
    assert papers[0].upvotes == raw[0]["paper"]["upvotes"]
    for paper in papers:
        assert paper.title and "\n" not in paper.title and "\n" not in paper.abstract
        assert paper.url == f"https://arxiv.org/abs/{paper.arxiv_id}"


def test_2024_hard_wrapped_titles_are_unwrapped() -> None:
    papers = read_daily_file(FIXTURES / "hf_daily_papers_2024-05-27_oldschema.json")[0]
    assert papers[0].title == "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    assert "  " not in papers[0].abstract


def test_items_missing_optional_fields_or_broken_are_skipped_not_fatal() -> None:
    items = [
        {"paper": {"id": "2601.00001", "title": "Only a title"}},
        {"paper": {"id": "not-an-id", "title": "x"}},
        {"nothing": True},
        "junk",
        {"paper": {"id": "2601.00001", "title": "a duplicate"}},
    ]
    papers = hf_source.parse_daily(items)
    assert [(p.arxiv_id, p.title, p.abstract, p.upvotes) for p in papers] == [("2601.00001", "Only a title", "", 0)]
    with pytest.raises(SourceError):
        hf_source.parse_daily({"error": "oops"})


async def test_fetch_daily_from_the_fake_and_retry_a_5xx(hf: FakeHF) -> None:
    hf.fail_next(503, times=1)
    async with httpx.AsyncClient() as client:
        papers = await hf_source.fetch_daily(client, hf.url, dt.date(2026, 1, 23))
    assert len(papers) == 27
    assert len(hf.calls_to("/api/daily_papers")) == 2
    assert hf.calls_to("/api/daily_papers")[-1].query == {"date": "2026-01-23"}


async def test_hf_down_for_good_is_one_clear_error(hf: FakeHF) -> None:
    hf.fail_next(500, times=5)
    async with httpx.AsyncClient() as client:
        with pytest.raises(SourceError, match="Hugging Face answered HTTP 500"):
            await hf_source.fetch_daily(client, hf.url, dt.date(2026, 1, 23))
    assert len(hf.calls) == 3  # bounded: no loop hammers the service


async def test_single_paper_from_hf_and_unknown_is_none(hf: FakeHF) -> None:
    async with httpx.AsyncClient() as client:
        paper = await hf_source.fetch_paper(client, hf.url, "2601.15621")
        missing = await hf_source.fetch_paper(client, hf.url, "2601.99999")
    assert paper is not None and paper.arxiv_id == "2601.15621" and "TTS" in paper.title
    assert missing is None


async def test_arxiv_old_style_id_unknown_id_and_bad_id(arxiv: FakeArxiv) -> None:
    url = arxiv.url + "/api/query"
    async with httpx.AsyncClient() as client:
        old = await arxiv_source.fetch_paper(client, url, "astro-ph/0601001")
        unknown = await arxiv_source.fetch_paper(client, url, "0808.0539")
        bad = await arxiv_source.fetch_paper(client, url, "abc")
    assert old is not None and old.source == "arxiv" and old.title.startswith("Frequency of Hot Jupiters")
    assert unknown is None and bad is None


async def test_arxiv_rate_exceeded_is_waited_out(arxiv: FakeArxiv) -> None:
    arxiv.rate_limited(times=1)
    async with httpx.AsyncClient() as client:
        paper = await arxiv_source.fetch_paper(client, arxiv.url + "/api/query", "1707.08567")
    assert paper is not None and paper.arxiv_id == "1707.08567"
    assert len(arxiv.calls) == 2


def test_arxiv_feed_bytes_are_decoded_as_utf8() -> None:
    papers = arxiv_source.parse_feed((FIXTURES / "arxiv_api_idlist_two-ids-one-missing_2026-04.xml").read_bytes())
    assert len(papers) == 1 and len(papers[0].authors) == 34
