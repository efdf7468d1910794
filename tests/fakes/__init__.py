"""Loopback fakes of the services paperbot talks to.

Nothing here imports paperbot: each fake is a real HTTP server on 127.0.0.1 that a real client
(httpx, litellm, slack_sdk, python-telegram-bot) reaches through its base-URL setting. Any project
that talks to these services can reuse them.
"""

from .base import Call, Fault, LoopbackServer

__all__ = ["Call", "Fault", "LoopbackServer"]
