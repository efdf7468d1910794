"""Builds the pipeline's Engine from Settings and a Store, once per process or command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from analysis.http import new_client
from analysis.llm import LLM, LLMConfig
from analysis.pipeline import Engine, Progress
from analysis.profile import Profile
from bot import logs
from bot.config import Settings
from storage.store import Store


def secret_values(settings: Settings) -> list[str | None]:
    secrets = [settings.llm_api_key, settings.slack_bot_token, settings.slack_signing_secret,
               settings.slack_app_token, settings.telegram_bot_token, settings.telegram_webhook_secret]
    return [s.get_secret_value() if s else None for s in secrets]


def make_llm(settings: Settings, store: Store) -> LLM | None:
    if not settings.llm_model:
        return None
    return LLM(LLMConfig(
        model=settings.llm_model,
        deep_model=settings.deep_model or settings.llm_model,
        api_base=settings.llm_api_base,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        fallbacks=settings.fallback_models,
        daily_budget_usd=settings.llm_daily_budget_usd,
        max_concurrency=settings.llm_max_concurrency,
    ), store)


def profile(settings: Settings) -> Profile:
    return Profile(persona=settings.persona, keywords=settings.keywords, language=settings.language,
                   title=settings.title)


@asynccontextmanager
async def open_engine(settings: Settings, store: Store, progress: Progress | None = None,
                      llm: LLM | None = None) -> AsyncIterator[Engine]:
    logs.register_secrets(secret_values(settings))
    async with new_client() as client:
        engine = Engine(
            profile=profile(settings), cache=store, http=client, llm=llm or make_llm(settings, store),
            hf_endpoint=settings.hf_endpoint, arxiv_api_url=settings.arxiv_api_url, top_n=settings.top_n,
            threshold=settings.threshold, max_deep_dives=settings.max_deep_dives,
            arxiv_categories=settings.arxiv_categories, llm_pool=settings.llm_pool,
        )
        if progress is not None:
            engine.progress = progress
        yield engine
