"""What litellm knows about a model before any call: which provider key it needs, and whether it has a price.

Asked once when the LLM is set up, so a missing key is one line naming the variable (not a provider error
per call), and an unpriced model is said to leave LLM_DAILY_BUDGET_USD unenforced."""

from __future__ import annotations

from analysis.writing.llm import load_litellm


def missing_keys(model: str, api_key: str | None, api_base: str | None) -> list[str]:
    """The environment variables litellm says `model` needs and does not find; [] when it can be called."""
    if api_key:
        return []
    try:
        found = load_litellm().validate_environment(model=model, api_key=None, api_base=api_base)
    except Exception:  # a model litellm cannot place: the call itself will say what is wrong
        return []
    missing = [str(name) for name in found.get("missing_keys") or []]
    # LLM_API_BASE is the base URL that e.g. OLLAMA_API_BASE would give
    return [name for name in missing if not (api_base and name.endswith("_API_BASE"))]


def has_price(model: str) -> bool:
    try:
        info = load_litellm().get_model_info(model)
    except Exception:  # "This model isn't mapped yet"
        return False
    return bool(info.get("input_cost_per_token") or info.get("output_cost_per_token"))
