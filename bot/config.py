"""Settings from the environment and `.env`, with one-line errors that never echo a secret."""

from __future__ import annotations

from collections.abc import Iterable
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
    arxiv_rss_url: str = Field("https://rss.arxiv.org/rss", validation_alias="ARXIV_RSS_URL")
    arxiv_categories_csv: str = Field("", validation_alias="PAPERBOT_ARXIV_CATEGORIES")
    llm_pool: int = Field(40, ge=1, le=2000, validation_alias="PAPERBOT_LLM_POOL")
    arxiv_html_url: str = Field("https://arxiv.org/html", validation_alias="ARXIV_HTML_URL")
    arxiv_pdf_url: str = Field("https://arxiv.org/pdf", validation_alias="ARXIV_PDF_URL")
    fulltext_tokens: int = Field(12_000, ge=1_000, le=500_000, validation_alias="PAPERBOT_FULLTEXT_TOKENS")
    fulltext_timeout: float = Field(30.0, gt=0, le=600, validation_alias="PAPERBOT_FULLTEXT_TIMEOUT")
    llm_model: str | None = Field(None, validation_alias="LLM_MODEL")
    llm_deep_model: str | None = Field(None, validation_alias="LLM_DEEP_MODEL")
    llm_api_base: str | None = Field(None, validation_alias="LLM_API_BASE")
    llm_api_key: SecretStr | None = Field(None, validation_alias="LLM_API_KEY")
    llm_fallback_models: str = Field("", validation_alias="LLM_FALLBACK_MODELS")
    llm_daily_budget_usd: float | None = Field(None, ge=0, validation_alias="LLM_DAILY_BUDGET_USD")
    llm_max_concurrency: int = Field(8, ge=1, le=64, validation_alias="LLM_MAX_CONCURRENCY")
    llm_price_in: float | None = Field(None, ge=0, validation_alias="LLM_PRICE_IN")
    llm_price_out: float | None = Field(None, ge=0, validation_alias="LLM_PRICE_OUT")
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
    feishu_app_id: str | None = Field(None, validation_alias="FEISHU_APP_ID")
    feishu_app_secret: SecretStr | None = Field(None, validation_alias="FEISHU_APP_SECRET")
    feishu_verification_token: SecretStr | None = Field(None, validation_alias="FEISHU_VERIFICATION_TOKEN")
    feishu_encrypt_key: SecretStr | None = Field(None, validation_alias="FEISHU_ENCRYPT_KEY")
    feishu_api_url: str = Field("https://open.feishu.cn", validation_alias="FEISHU_API_URL")
    host: str = Field("127.0.0.1", validation_alias="PAPERBOT_HOST")
    port: int = Field(3000, ge=0, le=65535, validation_alias="PAPERBOT_PORT")

    @field_validator(
        "llm_model", "llm_deep_model", "llm_api_base", "timezone", "telegram_webhook_url", "feishu_app_id",
        mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("hf_endpoint", "arxiv_api_url", "arxiv_rss_url", "arxiv_html_url", "arxiv_pdf_url",
                     "llm_api_base", "slack_api_url", "telegram_api_url", "feishu_api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

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
        from analysis.sources.arxiv_categories import problem

        for category in _csv(value):
            why = problem(category)
            if why:
                raise ValueError(why)
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


_SECRET_HINT = ("_TOKEN", "_SECRET", "_KEY")  # name endings: PAPERBOT_FULLTEXT_TOKENS is no secret
# What each kind of command does not read, so a bad value there cannot stop it (PAPERBOT_PORT=abc and `digest`)
SERVE_ONLY = ("PAPERBOT_HOST", "PAPERBOT_PORT", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET")
CHAT = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL", "FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_VERIFICATION_TOKEN", "FEISHU_ENCRYPT_KEY",
        "FEISHU_API_URL")
SCHEDULE = ("PAPERBOT_POST_TIME", "PAPERBOT_TIMEZONE")
DIGEST_ONLY = ("PAPERBOT_TOP_N", "PAPERBOT_THRESHOLD", "PAPERBOT_MAX_DEEP_DIVES", "PAPERBOT_TITLE",
               "PAPERBOT_ARXIV_CATEGORIES", "PAPERBOT_LLM_POOL")

def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def check_url(value: str) -> str:
    import urllib.parse

    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("is not an http(s) URL; use one like https://example.org")
    return value.strip()


def load_settings(*, unused: Iterable[str] = (), **overrides: Any) -> Settings:
    """Settings, or ConfigError naming the variable and the fix (never the secret's value).

    A malformed variable named in `unused` (a command that does not read it) falls back to its default."""
    skipped = set(unused)
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        needed = [e for e in exc.errors() if not e["loc"] or str(e["loc"][0]) not in skipped]
        if needed:
            raise ConfigError(_describe(needed[0])) from None
        defaults = {str(e["loc"][0]): _default(str(e["loc"][0])) for e in exc.errors()}
        return load_settings(**{**overrides, **defaults})
    if (settings.llm_price_in is None) != (settings.llm_price_out is None):
        raise ConfigError("LLM_PRICE_IN and LLM_PRICE_OUT go together (USD per million input and output tokens); "
                          "set both or neither in the environment or in .env.")
    return settings


def _default(alias: str) -> Any:
    for field in Settings.model_fields.values():
        if field.validation_alias == alias:
            return field.default
    raise KeyError(alias)


def _describe(error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "configuration"
    message = str(error["msg"]).removeprefix("Value error, ")
    if not name.upper().endswith(_SECRET_HINT) and "input" in error:
        shown = str(error["input"])[:40]
        if shown not in message:
            message = f"{message} (got '{shown}')"
    return f"{name}: {message}. Set it in the environment or in .env (see .env.example)."
