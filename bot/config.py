"""Settings from the environment and `.env`, with one-line errors that never echo a secret."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from analysis.errors import ConfigError
from bot.defaults import ChannelDefaults, parse_hhmm, parse_zone, system_zone


class Settings(BaseSettings):
    """Every variable of the SPEC's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    db: str = Field("paperbot.db", validation_alias="PAPERBOT_DB")
    hf_endpoint: str = Field("https://huggingface.co", validation_alias="HF_ENDPOINT")
    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", validation_alias="ARXIV_API_URL")
    arxiv_categories_csv: str = Field("", validation_alias="PAPERBOT_ARXIV_CATEGORIES")
    llm_pool: int = Field(40, ge=1, le=2000, validation_alias="PAPERBOT_LLM_POOL")
    llm_model: str | None = Field(None, validation_alias="LLM_MODEL")
    llm_deep_model: str | None = Field(None, validation_alias="LLM_DEEP_MODEL")
    llm_api_base: str | None = Field(None, validation_alias="LLM_API_BASE")
    llm_api_key: SecretStr | None = Field(None, validation_alias="LLM_API_KEY")
    llm_fallback_models: str = Field("", validation_alias="LLM_FALLBACK_MODELS")
    llm_daily_budget_usd: float | None = Field(None, ge=0, validation_alias="LLM_DAILY_BUDGET_USD")
    llm_max_concurrency: int = Field(8, ge=1, le=64, validation_alias="LLM_MAX_CONCURRENCY")
    title: str = Field("CV 论文日报", validation_alias="PAPERBOT_TITLE")
    language: str = Field("zh", min_length=2, validation_alias="PAPERBOT_LANGUAGE")
    persona: str = Field("Image Restoration researcher", min_length=1, validation_alias="PAPERBOT_PERSONA")
    keywords_csv: str = Field(
        "Image Restoration, Masked Autoregressive, Flow Matching, Super-Resolution, Diffusion",
        validation_alias="PAPERBOT_KEYWORDS",
    )
    top_n: int = Field(15, ge=0, validation_alias="PAPERBOT_TOP_N")
    threshold: int = Field(60, ge=0, le=100, validation_alias="PAPERBOT_THRESHOLD")
    max_deep_dives: int = Field(3, ge=0, le=20, validation_alias="PAPERBOT_MAX_DEEP_DIVES")
    post_time: str = Field("08:30", validation_alias="PAPERBOT_POST_TIME")
    timezone: str | None = Field(None, validation_alias="PAPERBOT_TIMEZONE")
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field("https://api.telegram.org/bot", validation_alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    host: str = Field("127.0.0.1", validation_alias="PAPERBOT_HOST")
    port: int = Field(3000, ge=0, le=65535, validation_alias="PAPERBOT_PORT")

    @field_validator(
        "llm_model", "llm_deep_model", "llm_api_base", "timezone", "telegram_webhook_url", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("post_time")
    @classmethod
    def _check_time(cls, value: str) -> str:
        return parse_hhmm(value)

    @field_validator("timezone")
    @classmethod
    def _check_zone(cls, value: str | None) -> str | None:
        return None if value is None else parse_zone(value)

    @field_validator("arxiv_categories_csv")
    @classmethod
    def _check_categories(cls, value: str) -> str:
        for category in _csv(value):
            if not CATEGORY.fullmatch(category):
                raise ValueError(f"'{category[:40]}' is not an arXiv category; list them like cs.CV,eess.IV")
        return value

    @property
    def arxiv_categories(self) -> list[str]:
        return list(dict.fromkeys(_csv(self.arxiv_categories_csv)))

    @property
    def keywords(self) -> list[str]:
        return [k.strip() for k in self.keywords_csv.split(",") if k.strip()]

    @property
    def fallback_models(self) -> list[str]:
        return [m.strip() for m in self.llm_fallback_models.split(",") if m.strip()]

    @property
    def deep_model(self) -> str | None:
        return self.llm_deep_model or self.llm_model

    @property
    def zone(self) -> str:
        """The configured zone, else the system's (as an IANA name when it can be found)."""
        return self.timezone or system_zone()

    @property
    def channel_defaults(self) -> ChannelDefaults:
        return ChannelDefaults(db=self.db, threshold=self.threshold, post_time=self.post_time, zone=self.zone)


_SECRET_HINT = ("TOKEN", "SECRET", "KEY")
CATEGORY = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")  # cs.CV, eess.IV, hep-th, math.AG


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Settings, or ConfigError naming the variable and the fix (never the secret's value)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "configuration"
    message = str(error["msg"]).removeprefix("Value error, ")
    if not any(hint in name.upper() for hint in _SECRET_HINT) and "input" in error:
        shown = str(error["input"])[:40]
        if shown not in message:
            message = f"{message} (got '{shown}')"
    return f"{name}: {message}. Set it in the environment or in .env (see .env.example)."
