"""Is this request from Feishu? The verification token, `X-Lark-Signature` and AES-encrypted bodies.

Feishu signs a request only when the app has an Encrypt Key: sha256(timestamp + nonce + encrypt key + raw
body), hex, in `X-Lark-Signature`. The body is then `{"encrypt": base64(IV + AES-256-CBC(json))}` with the
key sha256(encrypt key). The URL-verification challenge is not signed (Feishu's docs say so), only
token-checked. lark-oapi verifies signatures but has no freshness check and answers 500 to every refusal;
paperbot checks here, refuses with 401 like Slack's, and decrypts with the SDK's own AESCipher.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from analysis.errors import PaperbotError

MAX_AGE = 300.0  # seconds: an older (or replayed) signed request is refused
TIMESTAMP, NONCE, SIGNATURE = "X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"


class Refused(PaperbotError):
    """A request that is not (provably, freshly) Feishu's: answered 401, logged in one line."""


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def check_signature(headers: Mapping[str, str], body: bytes, encrypt_key: str, now: float | None = None) -> None:
    """A missing, wrong or stale signature raises Refused."""
    timestamp, nonce, given = (headers.get(name, "") for name in (TIMESTAMP, NONCE, SIGNATURE))
    if not (timestamp and nonce and given):
        raise Refused("unsigned request (FEISHU_ENCRYPT_KEY is set, so Feishu signs every event)")
    if not hmac.compare_digest(given.lower(), signature(timestamp, nonce, encrypt_key, body)):
        raise Refused("bad X-Lark-Signature: check that FEISHU_ENCRYPT_KEY matches the app's Encrypt Key")
    check_fresh(timestamp, now)


def check_fresh(timestamp: str, now: float | None = None) -> None:
    """The request's own time (seconds since the epoch) within five minutes of ours."""
    try:
        sent = float(timestamp)
    except ValueError:
        raise Refused(f"bad {TIMESTAMP}: not a number") from None
    if abs((now if now is not None else time.time()) - sent) > MAX_AGE:
        raise Refused(f"stale request ({TIMESTAMP} is more than five minutes away from this machine's clock)")


def decrypt(encrypted: str, encrypt_key: str) -> bytes:
    """The plaintext of an `encrypt` field (lark-oapi's AESCipher: sha256 key, IV first, PKCS#7)."""
    import base64
    import binascii

    from lark_oapi.core.utils.decryptor import AESCipher

    try:
        return AESCipher(encrypt_key).decrypt(base64.b64decode(encrypted, validate=True))
    except (ValueError, binascii.Error):
        raise Refused("body does not decrypt with FEISHU_ENCRYPT_KEY; check it matches the app's Encrypt Key") from None


def open_body(headers: Mapping[str, str], body: bytes, encrypt_key: str | None) -> dict[str, Any]:
    """The event's JSON, signature checked and decrypted when there is an encrypt key. The token is
    checked by the caller (it sits in different places in the challenge and in events)."""
    outer = _loads(body, "body")
    if not encrypt_key:
        if "encrypt" in outer:
            raise Refused("encrypted body but FEISHU_ENCRYPT_KEY is not set: copy the app's Encrypt Key into it")
        return outer
    if "encrypt" not in outer or not isinstance(outer["encrypt"], str):
        raise Refused("plain body but FEISHU_ENCRYPT_KEY is set: Feishu encrypts every event then")
    inner = _loads(decrypt(outer["encrypt"], encrypt_key), "decrypted body")
    if inner.get("type") != "url_verification":  # the challenge alone is unsigned
        check_signature(headers, body, encrypt_key)
    return inner


def _loads(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise Refused(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(f"{what} is not a JSON object")
    return value


def token_of(payload: Mapping[str, Any]) -> str:
    """Where the verification token is: `header.token` in a v2.0 event or callback, top-level otherwise."""
    header = payload.get("header")
    if isinstance(header, dict) and "token" in header:
        return str(header["token"])
    return str(payload.get("token", ""))


def check_token(payload: Mapping[str, Any], expected: str) -> None:
    if not hmac.compare_digest(token_of(payload).encode(), expected.encode()):
        raise Refused("wrong verification token: check FEISHU_VERIFICATION_TOKEN against the app's")
