"""Feishu / Lark: the morning card, threaded deep dives, commands and votes through lark-oapi.

Importing this package loads no SDK: lark-oapi (seconds of imports) is imported in a thread when the
adapter starts."""

from bot.feishu.adapter import FeishuAdapter

__all__ = ["FeishuAdapter"]
