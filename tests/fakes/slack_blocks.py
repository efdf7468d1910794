"""Block Kit as a real Slack workspace checks it: the limits that long digests run into, and the
`invalid_blocks` messages Slack gives for them."""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_BLOCKS_TEXT = 12_000  # all blocks' text together: msg_blocks_too_long above it (reported, not documented)


def block_errors(blocks: list[Any]) -> list[str]:
    """Slack's `invalid_blocks` messages for `blocks` (empty when Slack would accept them)."""
    if len(blocks) > MAX_BLOCKS:
        return [f"must provide an array of at most {MAX_BLOCKS} items [json-pointer:/blocks]"]
    errors: list[str] = []
    for n, block in enumerate(blocks):
        errors.extend(_block_errors(block, f"/blocks/{n}"))
    return errors


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict) or not block.get("type"):
        return [f"must provide an object with a type [json-pointer:{at}]"]
    errors = _too_long(block.get("block_id"), 255, f"{at}/block_id")
    kind = block["type"]
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide either text or fields [json-pointer:{at}]")
        errors += _text_errors(block.get("text"), 3000, f"{at}/text")
        fields = block.get("fields") or []
        if len(fields) > 10:
            errors.append(f"must provide an array of at most 10 items [json-pointer:{at}/fields]")
        for i, item in enumerate(fields):
            errors += _text_errors(item, 2000, f"{at}/fields/{i}")
    elif kind == "header":
        errors += _text_errors(block.get("text"), 150, f"{at}/text", plain_only=True)
    elif kind in ("context", "actions"):
        most = 10 if kind == "context" else 25
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= most:
            errors.append(f"must provide an array of 1 to {most} items [json-pointer:{at}/elements]")
    elif kind == "markdown":
        errors += _too_long(block.get("text"), 12_000, f"{at}/text")
    return errors


def _text_errors(obj: Any, most: int, at: str, *, plain_only: bool = False) -> list[str]:
    if obj is None:
        return []
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return [f"must be a text object of type {' or '.join(allowed)} [json-pointer:{at}]"]
    if not obj.get("text"):
        return [f"must be more than 0 characters [json-pointer:{at}/text]"]
    return _too_long(obj["text"], most, f"{at}/text")


def text_length(block: Any) -> int:
    if not isinstance(block, dict):
        return 0
    total = 0
    for part in [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]:
        text = part.get("text") if isinstance(part, dict) else part
        text = text.get("text") if isinstance(text, dict) else text  # buttons: a text object inside
        total += len(text) if isinstance(text, str) else 0
    return total


def _too_long(value: Any, most: int, at: str) -> list[str]:
    if isinstance(value, str) and len(value) > most:
        return [f"must be less than {most + 1} characters [json-pointer:{at}]"]
    return []
