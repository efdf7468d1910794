"""The error hierarchy: every message says what went wrong and how to fix it, in one line."""


class PaperbotError(Exception):
    """Anything paperbot reports to a person instead of a traceback."""


class ConfigError(PaperbotError):
    """A setting is missing or malformed."""


class BadInput(PaperbotError):
    """A person typed something we cannot use (an id, a threshold, a time)."""


class PaperNotFound(PaperbotError):
    """A well-formed id that neither Hugging Face nor arXiv knows."""


class SourceError(PaperbotError):
    """Hugging Face or arXiv did not answer usefully, even after retries."""


class LLMError(PaperbotError):
    """The LLM (and every fallback model) failed to give a valid answer.

    `repeat` is set when this run already raised the same message: callers log it once, not once per paper.
    """

    repeat: bool = False


class BudgetExceeded(LLMError):
    """Today's LLM spend reached LLM_DAILY_BUDGET_USD."""


class ChatError(PaperbotError):
    """A chat platform refused a message or a call."""


class ChatUncertain(ChatError):
    """A send that timed out before the platform answered: the message may be there all the same."""


def quote(text: str, limit: int = 40) -> str:
    """Someone's input, safe to echo in a one-line error: whitespace folded, control characters out, cut short."""
    folded = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"
