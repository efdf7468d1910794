"""Shared fixtures: loopback fakes started once per session, reset per test; a temporary database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.arxiv import FakeArxiv
from tests.fakes.arxiv_pages import FakeArxivPages
from tests.fakes.arxiv_rss import FakeArxivRSS
from tests.fakes.feishu import APP_ID, APP_SECRET, VERIFICATION_TOKEN, FakeFeishu
from tests.fakes.hf import FakeHF
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.helpers import FIXTURES


@pytest.fixture(scope="session")
def hf_server() -> Iterator[FakeHF]:
    with FakeHF.from_fixtures() as server:
        yield server


@pytest.fixture(scope="session")
def arxiv_server() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        for path in sorted(FIXTURES.glob("arxiv_api_*.xml")):
            server.index_fixture(path)
        yield server


@pytest.fixture(scope="session")
def arxiv_rss_server() -> Iterator[FakeArxivRSS]:
    with FakeArxivRSS() as server:
        yield server


@pytest.fixture
def arxiv_rss(arxiv_rss_server: FakeArxivRSS) -> FakeArxivRSS:
    arxiv_rss_server.reset()
    return arxiv_rss_server


@pytest.fixture(scope="session")
def arxiv_pages_server() -> Iterator[FakeArxivPages]:
    with FakeArxivPages() as server:
        yield server


@pytest.fixture
def arxiv_pages(arxiv_pages_server: FakeArxivPages) -> FakeArxivPages:
    arxiv_pages_server.reset()
    return arxiv_pages_server


@pytest.fixture(scope="session")
def llm_server() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.fixture
def hf(hf_server: FakeHF) -> FakeHF:
    hf_server.reset()
    return hf_server


@pytest.fixture
def arxiv(arxiv_server: FakeArxiv) -> FakeArxiv:
    arxiv_server.reset()
    return arxiv_server


@pytest.fixture
def llm(llm_server: FakeLLM) -> Iterator[FakeLLM]:
    llm_server.reset()
    yield llm_server
    llm_server.reset()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hf: FakeHF, arxiv: FakeArxiv,
        arxiv_pages: FakeArxivPages, arxiv_rss: FakeArxivRSS) -> dict[str, str]:
    """A clean environment pointing at the fakes, run from an empty directory (so no stray .env)."""
    import os

    for name in list(os.environ):
        if name.startswith(("PAPERBOT_", "LLM_", "SLACK_", "TELEGRAM_", "FEISHU_", "OPENAI_")) or name in (
                "HF_ENDPOINT", "ARXIV_API_URL", "ARXIV_RSS_URL", "ARXIV_HTML_URL", "ARXIV_PDF_URL"):
            monkeypatch.delenv(name)
    values = _set_env(monkeypatch, {
        "PAPERBOT_DB": str(tmp_path / "paperbot.db"),
        "HF_ENDPOINT": hf.url,
        "ARXIV_API_URL": arxiv.url + "/api/query",
        "ARXIV_RSS_URL": arxiv_rss.url + "/rss",
        "ARXIV_HTML_URL": arxiv_pages.url + "/html",
        "ARXIV_PDF_URL": arxiv_pages.url + "/pdf",
    })
    monkeypatch.chdir(tmp_path)
    return values


@pytest.fixture
def llm_env(env: dict[str, str], llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"LLM_MODEL": "openai/fake-mini", "LLM_API_BASE": llm.url, "LLM_API_KEY": "sk-test-not-a-real-key"}
    return {**env, **_set_env(monkeypatch, values)}


@pytest.fixture(scope="session")
def slack_server() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def slack(slack_server: FakeSlack) -> FakeSlack:
    slack_server.reset()
    return slack_server


SLACK_SECRET = "test-signing-secret-0123456789"


@pytest.fixture
def slack_env(env: dict[str, str], slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SLACK_SECRET,
              "SLACK_API_URL": slack.url + "/api/"}
    return {**env, **_set_env(monkeypatch, values)}


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def telegram(telegram_server: FakeTelegram) -> FakeTelegram:
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def telegram_env(env: dict[str, str], telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.url + "/bot"}
    return {**env, **_set_env(monkeypatch, values)}


@pytest.fixture(scope="session")
def feishu_server() -> Iterator[FakeFeishu]:
    with FakeFeishu() as server:
        yield server


@pytest.fixture
def feishu(feishu_server: FakeFeishu) -> FakeFeishu:
    feishu_server.reset()
    return feishu_server


@pytest.fixture
def feishu_env(env: dict[str, str], feishu: FakeFeishu, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET, "FEISHU_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
              "FEISHU_API_URL": feishu.url}
    return {**env, **_set_env(monkeypatch, values)}


def _set_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> dict[str, str]:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
