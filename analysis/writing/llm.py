"""Structured LLM calls through litellm: json_schema answers, retries, fallbacks, budget and usage."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from analysis.errors import BudgetExceeded, LLMError
from analysis.http import backoff
from analysis.writing.litellm_import import litellm_ready, load_litellm

log = logging.getLogger(__name__)
T = TypeVar("T")
Messages = list[dict[str, str]]


class UsageSink(Protocol):
    """Where every call's tokens and cost go (the Store), and where today's spend comes from."""

    def record_usage(self, *, kind: str, model: str, prompt_tokens: int, completion_tokens: int,
                     cost_usd: float, ok: bool) -> None: ...

    def spent_today(self) -> float: ...


@dataclass
class LLMConfig:
    model: str
    deep_model: str
    api_base: str | None = None
    api_key: str | None = None
    fallbacks: list[str] = field(default_factory=list)
    daily_budget_usd: float | None = None
    max_concurrency: int = 8
    timeout: float = 120.0
    attempts: int = 2  # per model: the first try and one retry
    price_in: float | None = None  # USD per million tokens, overriding litellm's price list (LLM_PRICE_IN)
    price_out: float | None = None


class InvalidAnswer(ValueError):
    """The answer parsed but does not satisfy the caller (missing papers, wrong shape)."""


class LLM:
    """One object per process: it holds the concurrency cap, so every caller shares it."""

    def __init__(self, config: LLMConfig, usage: UsageSink) -> None:
        self.config = config
        self.usage = usage
        self._gate = asyncio.Semaphore(config.max_concurrency)
        # Models whose provider refused `json_schema` (DeepSeek, some local servers): they are asked
        # for a `json_object` with the schema in the prompt instead, and answers are validated alike.
        self.json_object_models: set[str] = set()
        # Models that failed in a way that lasts (unreachable, unknown provider, refused key): not tried again
        # this run, so a down LLM costs one failure and one line, not one per batch and per deep dive
        self._down: dict[str, str] = {}
        self._said: set[str] = set()

    async def ask(self, *, kind: str, model: str, schema_name: str, schema: dict[str, Any],
                  messages: Messages, validate: Callable[[Any], T]) -> tuple[T, str]:
        """`validate(parsed JSON)` from the first model that gives a valid answer, and that model."""
        problem = "no model tried"
        for candidate in [model, *(m for m in self.config.fallbacks if m != model)]:
            if candidate in self._down:
                problem = self._down[candidate]
                continue
            for attempt in range(self.config.attempts):
                self._check_budget()
                if attempt:
                    await asyncio.sleep(backoff(attempt))
                try:
                    content = await self._complete_json(kind, candidate, schema_name, schema, messages)
                    return validate(json.loads(_unfenced(content))), candidate
                except (ValueError, ValidationError) as exc:
                    problem = f"{candidate} gave an invalid {schema_name} answer ({_short(exc)})"
                except LLMError:
                    raise
                except Exception as exc:  # litellm raises many provider-specific types
                    problem = f"{candidate} {describe_failure(exc, candidate, self.config.api_base)}"
                    if _lasting(exc):
                        self._down[candidate] = problem
                        break
                log.info("%s (attempt %d)", problem, attempt + 1)  # the caller reports the outcome
        hint = "" if "; " in problem else "; check LLM_MODEL, LLM_API_KEY and LLM_API_BASE"
        error = LLMError(f"{problem}{hint}, or set LLM_FALLBACK_MODELS.")
        error.repeat = str(error) in self._said
        self._said.add(str(error))
        raise error

    def _check_budget(self) -> None:
        budget = self.config.daily_budget_usd
        if budget is not None and self.usage.spent_today() >= budget:
            raise BudgetExceeded(
                f"today's LLM spend reached LLM_DAILY_BUDGET_USD={budget:g}; raise it or wait until tomorrow."
            )

    async def _complete_json(self, kind: str, model: str, schema_name: str, schema: dict[str, Any],
                             messages: Messages) -> str:
        """The answer under `json_schema`, or as a `json_object` where the provider refuses the schema."""
        if model not in self.json_object_models:
            try:
                return await self._complete(kind, model, messages, {
                    "type": "json_schema", "json_schema": {"name": schema_name, "schema": schema, "strict": True}})
            except Exception as exc:
                if not _refuses_json_schema(exc):
                    raise
                log.warning("%s does not take response_format json_schema; asking for a json_object instead", model)
                self.json_object_models.add(model)
        return await self._complete(kind, model, _with_schema(messages, schema_name, schema), {"type": "json_object"})

    async def _complete(self, kind: str, model: str, messages: Messages, response_format: dict[str, Any]) -> str:
        litellm = await litellm_ready()
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "response_format": response_format,
            "timeout": self.config.timeout,
            "num_retries": 0,  # retries are ours, so they are counted and bounded in one place
        }
        if self.config.api_base:
            kwargs["api_base"] = self.config.api_base
        if self.config.api_key:
            kwargs["api_key"] = self.config.api_key
        async with self._gate:
            try:
                response = await litellm.acompletion(**kwargs)
            except Exception:
                self._record(kind, model, None, ok=False)
                raise
        self._record(kind, model, response, ok=True)
        message = response.choices[0].message
        content = message.content
        if not content:
            refusal = getattr(message, "refusal", None)
            raise InvalidAnswer(f"refused: {refusal}" if refusal else "empty answer")
        return str(content)

    def _record(self, kind: str, model: str, response: Any, *, ok: bool) -> None:
        usage = getattr(response, "usage", None)
        self.usage.record_usage(
            kind=kind,
            model=model,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cost_usd=self._cost(response, usage) if response is not None else 0.0,
            ok=ok,
        )


    def _cost(self, response: Any, usage: Any) -> float:
        if self.config.price_in is not None and self.config.price_out is not None:
            return (int(getattr(usage, "prompt_tokens", 0) or 0) * self.config.price_in
                    + int(getattr(usage, "completion_tokens", 0) or 0) * self.config.price_out) / 1e6
        try:
            return float(load_litellm().completion_cost(completion_response=response) or 0.0)
        except Exception:  # unknown models have no price (said once at set-up); not worth failing a digest for
            return 0.0


def describe_failure(exc: Exception, model: str, api_base: str | None) -> str:
    """What went wrong in a person's words; litellm's exception names (one per provider) are not that.

    litellm reports a refused connection or a failed DNS lookup as HTTP 500 ("Connection error"), and a model
    string it cannot route as HTTP 400, though no request was sent: both are told as what they are.
    """
    status, name = getattr(exc, "status_code", None), type(exc).__name__
    if _unknown_provider(exc):
        provider = model.split("/", 1)[0] if "/" in model else model
        return (f"is not a model litellm can route: it does not know the provider '{provider}'; "
                "LLM_MODEL takes provider/model, e.g. openai/gpt-4o-mini or deepseek/deepseek-chat")
    if status in (401, 403) or "Authentication" in name or "PermissionDenied" in name:
        return f"refused the credentials (HTTP {status or 401}); check LLM_API_KEY or the provider's key variable"
    if status == 429 or "RateLimit" in name:
        return "is rate-limited (HTTP 429)"
    if "Timeout" in name:
        return "timed out"
    if _unreachable(exc):
        where = f"the LLM at {api_base}" if api_base else "the provider's API"
        return f"could not reach {where} (connection refused or host not found); check LLM_API_BASE and the network"
    if isinstance(status, int):
        return f"answered HTTP {status}"
    return f"failed ({name})"


def _unknown_provider(exc: Exception) -> bool:
    return "LLM Provider NOT provided" in str(exc)


def _unreachable(exc: Exception) -> bool:
    """No connection at all (not a slow or failing server): litellm wraps openai's APIConnectionError."""
    chain: BaseException | None = exc
    while chain is not None:
        if "Connection" in type(chain).__name__ or "Connection error" in str(chain):
            return "Timeout" not in type(chain).__name__
        chain = chain.__cause__ or chain.__context__
    return False


def _lasting(exc: Exception) -> bool:
    """Failures that another try this run will not mend: not for rate limits, timeouts or bad answers."""
    status = getattr(exc, "status_code", None)
    return _unknown_provider(exc) or _unreachable(exc) or status in (401, 403)


def _refuses_json_schema(exc: Exception) -> bool:
    """A 400 that names the response format: the provider lacks structured outputs, not a bad request of ours."""
    status = getattr(exc, "status_code", None)
    text = str(exc).lower()
    return status in (400, 422) and ("response_format" in text or "json_schema" in text)


def _with_schema(messages: Messages, schema_name: str, schema: dict[str, Any]) -> Messages:
    """The schema spelled out at the end of the system message (JSON mode also wants the word "JSON")."""
    described = (f"\n\nAnswer with one JSON object, schema `{schema_name}`, valid against this JSON schema:\n"
                 f"{json.dumps(schema, separators=(',', ':'))}")
    first, *rest = messages
    if first.get("role") != "system":
        return [{"role": "system", "content": described.strip()}, *messages]
    return [{**first, "content": first["content"] + described}, *rest]


def _unfenced(content: str) -> str:
    """JSON mode answers sometimes come wrapped in a Markdown code fence."""
    text = content.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3].removeprefix("json").strip()
    return text


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def strict_object(properties: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema object in OpenAI's strict form: every property required, nothing extra."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
