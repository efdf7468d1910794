"""Requests to /slack/events that cannot be Slack's, refused before slack-bolt sees them.

bolt turns the X-Slack-Request-Timestamp header into a number with int(): a header that is no number
makes it raise (HTTP 500 and a traceback in the log), and int() would take "٣" or " 12 " too.
"""

from __future__ import annotations

import re

# Unix seconds in ASCII digits; twelve are plenty (year 33658) and keep int() cheap
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
REFUSED = {"error": "invalid request"}  # what bolt itself answers, with 401, to a bad signature


def plausible_timestamp(value: str | None) -> bool:
    return value is not None and _TIMESTAMP.fullmatch(value) is not None
