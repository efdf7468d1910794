"""Telegram's rules for a webhook, checked before `serve` asks for one (Telegram's own refusal comes
later, as a traceback-shaped BadRequest, and says nothing about which variable to fix)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from analysis.errors import ConfigError
from bot.config import Settings

# setWebhook's secret_token: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed."
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def check_webhook_settings(settings: Settings) -> None:
    """ConfigError naming the variable when webhook mode is asked for with settings Telegram refuses."""
    url = settings.telegram_webhook_url
    if url is None:
        return
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise ConfigError("TELEGRAM_WEBHOOK_URL must be an https:// address Telegram can reach "
                          "(e.g. https://your-host/telegram/webhook); unset it for long polling.")
    secret = settings.telegram_webhook_secret
    if secret is None:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET is missing: webhook mode refuses updates without it. "
                          "Set a random string of letters and digits.")
    if not _SECRET.fullmatch(secret.get_secret_value()):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -; "
                          "e.g. the output of: openssl rand -hex 32")
