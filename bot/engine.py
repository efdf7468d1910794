"""Builds the pipeline's Engine from Settings and a Store, once per process or command."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from analysis.engine import Engine, Progress
from analysis.http import new_client
from analysis.profile import Profile
from analysis.reading.fulltext import FullTexts
from analysis.writing.litellm_import import litellm_ready, settle_litellm
from analysis.writing.llm import LLM, LLMConfig
from analysis.writing.llm_env import has_price, missing_keys
from bot import logs
from bot.config import Settings
from storage.store import Store

log = logging.getLogger(__name__)


def secret_values(settings: Settings) -> list[str | None]:
    secrets = [settings.llm_api_key, settings.slack_bot_token, settings.slack_signing_secret,
               settings.slack_app_token, settings.telegram_bot_token, settings.telegram_webhook_secret]
    return [s.get_secret_value() if s else None for s in secrets]


def make_llm(settings: Settings, store: Store) -> LLM | None:
    """The LLM, or None (keyword scoring) when there is no model or its provider key is missing: said in one line."""
    if not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    missing = missing_keys(settings.llm_model, key, settings.llm_api_base)
    if missing:
        log.warning("LLM_MODEL=%s needs %s (or LLM_API_KEY), which is not set; scoring by keywords instead. "
                    "Set it in the environment or in .env.", settings.llm_model, " and ".join(missing))
        return None
    _warn_unpriced(settings)
    return LLM(LLMConfig(
        model=settings.llm_model,
        deep_model=settings.deep_model or settings.llm_model,
        api_base=settings.llm_api_base,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        fallbacks=settings.fallback_models,
        daily_budget_usd=settings.llm_daily_budget_usd,
        max_concurrency=settings.llm_max_concurrency,
        price_in=settings.llm_price_in,
        price_out=settings.llm_price_out,
    ), store)


async def set_up_llm(settings: Settings, store: Store) -> LLM | None:
    """`make_llm` for async code: where it must ask litellm, the import is awaited off the event loop."""
    if _asks_litellm(settings):
        await litellm_ready()
    return make_llm(settings, store)


def _asks_litellm(settings: Settings) -> bool:
    # make_llm asks litellm for the provider's key (without LLM_API_KEY) and for the model's price (a budget
    # without LLM_PRICE_IN); otherwise the import can go on until the first call awaits it
    if not settings.llm_model:
        return False
    unpriced_budget = settings.llm_daily_budget_usd is not None and settings.llm_price_in is None
    return settings.llm_api_key is None or unpriced_budget


def _warn_unpriced(settings: Settings) -> None:
    """A budget over a model without a price would count $0 forever: say so once, and how to price it."""
    if settings.llm_daily_budget_usd is None or settings.llm_price_in is not None:
        return
    for model in dict.fromkeys([settings.llm_model or "", settings.deep_model or "", *settings.fallback_models]):
        if model and not has_price(model):  # once per model, when the command (or serve) sets its LLM up
            log.warning("litellm has no price for %s, so LLM_DAILY_BUDGET_USD cannot be enforced for it; set "
                        "LLM_PRICE_IN and LLM_PRICE_OUT (USD per million tokens) to price it.", model)


def profile(settings: Settings) -> Profile:
    return Profile(persona=settings.persona, keywords=settings.keywords, language=settings.language,
                   title=settings.title)


@asynccontextmanager
async def open_engine(settings: Settings, store: Store, progress: Progress | None = None,
                      llm: LLM | None = None, *, llm_later: bool = False) -> AsyncIterator[Engine]:
    """The Engine; with `llm_later` its LLM is still being set up, and the caller awaits `engine.ready()`
    once its network fetch is under way or done."""
    logs.register_secrets(secret_values(settings))
    setup = asyncio.ensure_future(set_up_llm(settings, store)) if llm is None else None
    async with new_client() as client:
        engine = Engine(
            profile=profile(settings), cache=store, listings=store, http=client, llm=llm, llm_setup=setup,
            hf_endpoint=settings.hf_endpoint, arxiv_api_url=settings.arxiv_api_url,
            arxiv_rss_url=settings.arxiv_rss_url, top_n=settings.top_n,
            threshold=settings.threshold, max_deep_dives=settings.max_deep_dives,
            arxiv_categories=settings.arxiv_categories, llm_pool=settings.llm_pool,
            texts=FullTexts(client, store, html_url=settings.arxiv_html_url, pdf_url=settings.arxiv_pdf_url,
                            deadline=settings.fulltext_timeout),
            fulltext_tokens=settings.fulltext_tokens,
        )
        if progress is not None:
            engine.progress = progress
        try:
            if not llm_later:
                await engine.ready()
            yield engine
        finally:
            if engine.texts is not None:
                await engine.texts.close()  # prefetches still under way end with the command
            if setup is not None and not setup.done():
                setup.cancel()  # the command failed before it needed the LLM: don't wait for the import
            await settle_litellm()
