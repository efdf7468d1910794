"""`paperbot check`'s Feishu line: the app's credentials (a tenant token) and the bot's identity, asked
directly over HTTP (lark-oapi's two seconds of imports would eat most of the check's 5 s)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.cli.check_services import DEADLINE, CheckFailed


async def feishu(settings: Any) -> str:
    if settings.feishu_app_secret is None or settings.feishu_verification_token is None:
        raise CheckFailed("FEISHU_APP_SECRET and FEISHU_VERIFICATION_TOKEN must be set with FEISHU_APP_ID; copy "
                          "them from the app's Credentials and Events and callbacks pages")
    base = settings.feishu_api_url.rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=DEADLINE, follow_redirects=False) as client:
            answer = await client.post(f"{base}/open-apis/auth/v3/tenant_access_token/internal", json={
                "app_id": settings.feishu_app_id, "app_secret": settings.feishu_app_secret.get_secret_value()})
            body = _json(answer)
            if body.get("code") != 0 or not body.get("tenant_access_token"):
                raise CheckFailed(f"Feishu refused FEISHU_APP_ID / FEISHU_APP_SECRET (code {body.get('code')}); "
                                  "copy both from the app's Credentials & Basic Info page")
            info = _json(await client.get(f"{base}/open-apis/bot/v3/info", headers={
                "Authorization": f"Bearer {body['tenant_access_token']}"}))
    except httpx.HTTPError as exc:
        raise CheckFailed(f"could not reach {httpx.URL(base).host} ({type(exc).__name__}); check FEISHU_API_URL "
                          "and the network") from None
    if info.get("code") != 0:
        raise CheckFailed(f"Feishu would not name the bot (code {info.get('code')}): turn on the app's Bot feature "
                          "and publish a version")
    return f"bot {(info.get('bot') or {}).get('app_name', '?')}"


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        raise CheckFailed(f"Feishu answered HTTP {answer.status_code} without JSON; check FEISHU_API_URL") from None
    return body if isinstance(body, dict) else {}
