"""The checks of `paperbot check`, one per service; each returns what it saw or raises CheckFailed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import httpx

DEADLINE = 5.0  # seconds per check, all run at once
LITELLM_IMPORT = 10.0  # more for the LLM's check, whose litellm import (started at launch) may still be running


class CheckFailed(Exception):
    """One service's failure, in words that name the setting to fix."""


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()

_AGENT = {"User-Agent": "paperbot-check (+https://github.com/paperbot)"}


async def database(settings: Any) -> str:
    import asyncio

    from storage.health import check_database

    return await asyncio.to_thread(check_database, settings.db)


async def hugging_face(settings: Any) -> str:
    url = settings.hf_endpoint.rstrip("/") + "/api/daily_papers"
    body = await _get_json(url, "HF_ENDPOINT", params={"date": today()})
    if not isinstance(body, list):
        raise CheckFailed(f"{url} did not answer with a list of papers; is HF_ENDPOINT a Hugging Face endpoint?")
    return f"{_host(url)}: {len(body)} papers listed today so far"


async def arxiv_api(settings: Any) -> str:
    text = await _get_text(settings.arxiv_api_url, "ARXIV_API_URL",
                           params={"id_list": "2601.14256", "max_results": "1"})
    if "<feed" not in text:
        raise CheckFailed(f"{settings.arxiv_api_url} did not answer with an Atom feed; check ARXIV_API_URL")
    return f"{_host(settings.arxiv_api_url)}: answers"


async def arxiv_feed(settings: Any) -> str:
    """The followed categories' announcement feed: RSS, and which announcement it shows."""
    from analysis.errors import SourceError
    from analysis.sources.arxiv_rss import feed_url, parse_feed

    url = feed_url(settings.arxiv_rss_url, settings.arxiv_categories)
    answer = await _request("GET", url, "ARXIV_RSS_URL")
    try:
        announcement = parse_feed(answer.content, settings.arxiv_categories)
    except SourceError as exc:
        raise CheckFailed(f"{url}: {exc}") from None
    return (f"{'+'.join(settings.arxiv_categories)}: announcement of {announcement.day}, "
            f"{len(announcement.papers)} new or cross-listed")


async def arxiv_listing(settings: Any) -> str:
    """The query an announcement's API listing makes, for the latest announcement: arXiv takes it, whatever
    the count."""
    import re

    from analysis.sources import schedule
    from analysis.sources.arxiv_listing import listing_query

    day = schedule.latest(dt.datetime.now(dt.UTC))
    query = listing_query(settings.arxiv_categories, schedule.window(day))
    text = await _get_text(settings.arxiv_api_url, "ARXIV_API_URL", params={"search_query": query, "max_results": "1"})
    total = re.search(r"<opensearch:totalResults[^>]*>(\d+)<", text)
    if total is None:
        raise CheckFailed(f"arXiv did not take the listing of {', '.join(settings.arxiv_categories)}; "
                          "check PAPERBOT_ARXIV_CATEGORIES and ARXIV_API_URL")
    return f"{', '.join(settings.arxiv_categories)}: {total[1]} submissions in the window of the {day} announcement"


async def llm(settings: Any) -> str:
    from analysis.writing.litellm_import import litellm_ready
    from analysis.writing.llm import describe_failure

    litellm = await litellm_ready()
    kwargs: dict[str, Any] = {"model": settings.llm_model, "max_tokens": 1, "timeout": DEADLINE, "num_retries": 0,
                              "messages": [{"role": "user", "content": "Reply with OK."}]}
    if settings.llm_api_base:
        kwargs["api_base"] = settings.llm_api_base
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key.get_secret_value()
    try:
        await litellm.acompletion(**kwargs)
    except Exception as exc:  # litellm's provider-specific errors, told in a person's words
        why = describe_failure(exc, settings.llm_model, settings.llm_api_base)
        raise CheckFailed(f"{settings.llm_model} {why}") from None
    return f"{settings.llm_model} answers (1 call, about 10 tokens)"


async def slack(settings: Any) -> str:
    url = settings.slack_api_url.rstrip("/") + "/auth.test"
    token = settings.slack_bot_token.get_secret_value()
    body = await _post_json(url, "SLACK_API_URL", headers={"Authorization": f"Bearer {token}"})
    if not body.get("ok"):
        raise CheckFailed(f"Slack refused SLACK_BOT_TOKEN (auth.test: {body.get('error', 'not ok')}); "
                          "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page")
    return f"team {body.get('team', '?')}, bot {body.get('user', '?')}"


async def telegram(settings: Any) -> str:
    base = settings.telegram_api_url
    token = settings.telegram_bot_token.get_secret_value()
    try:
        async with httpx.AsyncClient(timeout=DEADLINE, headers=_AGENT) as client:
            answer = await client.get(f"{base}{token}/getMe")
    except httpx.HTTPError as exc:  # the URL holds the token: only the host is named
        raise CheckFailed(f"could not reach {_host(base)} ({type(exc).__name__}); check TELEGRAM_API_URL "
                          "and the network") from None
    body = _json_or_none(answer)
    if answer.status_code == 401 or (isinstance(body, dict) and body.get("error_code") == 401):
        raise CheckFailed("Telegram refused TELEGRAM_BOT_TOKEN (401); copy the token @BotFather gave")
    if not isinstance(body, dict) or not body.get("ok"):
        raise CheckFailed(f"{_host(base)} answered HTTP {answer.status_code} to getMe; check TELEGRAM_API_URL")
    return f"@{body['result'].get('username', '?')}"


async def _get_text(url: str, setting: str, *, params: dict[str, str]) -> str:
    return (await _request("GET", url, setting, params=params)).text


async def _get_json(url: str, setting: str, *, params: dict[str, str]) -> Any:
    answer = await _request("GET", url, setting, params=params)
    body = _json_or_none(answer)
    if body is None:
        raise CheckFailed(f"{url} did not answer with JSON; check {setting}")
    return body


async def _post_json(url: str, setting: str, *, headers: dict[str, str]) -> dict[str, Any]:
    answer = await _request("POST", url, setting, headers=headers)
    body = _json_or_none(answer)
    if not isinstance(body, dict):
        raise CheckFailed(f"{url} did not answer with JSON; check {setting}")
    return body


async def _request(method: str, url: str, setting: str, **kwargs: Any) -> httpx.Response:
    try:
        async with httpx.AsyncClient(timeout=DEADLINE, headers=_AGENT, follow_redirects=False) as client:
            answer = await client.request(method, url, **kwargs)
    except httpx.ConnectError as exc:
        raise CheckFailed(f"could not reach {_host(url)} ({_reason(exc)}); check {setting} and the network") from None
    except httpx.TimeoutException:
        raise CheckFailed(f"{_host(url)} did not answer within {DEADLINE:g} s; check {setting}") from None
    except httpx.HTTPError as exc:
        raise CheckFailed(f"{_host(url)} failed ({type(exc).__name__}); check {setting}") from None
    if answer.status_code >= 400 and "json" not in answer.headers.get("content-type", ""):
        raise CheckFailed(f"{_host(url)} answered HTTP {answer.status_code}; check {setting}")
    return answer


def _json_or_none(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "host not found"
    if "refused" in text:
        return "connection refused"
    return type(exc).__name__
