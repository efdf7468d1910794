"""litellm, imported once per process and never on the event loop.

Its import takes 1.5-6 s of CPU, so it starts in a daemon thread as early as a command knows it will
need it (CLI: before config and SQLite; serve: before the first listener opens), and async code awaits
that thread instead of importing inline. `paperbot --help` never pays for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import os
import platform
import threading
from types import ModuleType

log = logging.getLogger(__name__)


def load_litellm() -> ModuleType:
    """litellm, imported once per process (blocking: never call it on the event loop before it is loaded;
    async code awaits `litellm_ready()` instead). `paperbot --help` must not pay for it."""
    if _loaded:
        return _loaded[0]
    try:
        return start_loading_litellm().result()
    except Exception:
        # the background import failed (e.g. an import race): the plain import says what is wrong
        return _import_litellm()


def start_loading_litellm() -> concurrent.futures.Future[ModuleType]:
    """Begin importing litellm in a daemon thread, once: it takes seconds, which the caller spends on
    config, SQLite and the HF fetch (CLI) or before its first listener opens (serve)."""
    global _loading
    with _load_lock:
        if _loading is None:
            _loading = concurrent.futures.Future()
            # daemon: a command that fails fast must not wait for an import it no longer needs
            threading.Thread(target=_load_into, args=(_loading,), name="litellm-import", daemon=True).start()
        return _loading


async def litellm_ready() -> ModuleType:
    """litellm for async code: the import is awaited off the event loop, which keeps serving meanwhile."""
    if _loaded:
        return _loaded[0]
    try:
        return await asyncio.wrap_future(start_loading_litellm())
    except Exception:
        return await asyncio.to_thread(_import_litellm)


async def settle_litellm() -> None:
    """Let litellm's background success callbacks finish on this loop before it closes: cut off by
    asyncio.run's teardown they warn "coroutine 'Logging.async_success_handler' was never awaited"."""
    if not _loaded:
        return
    from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER as worker

    try:
        await asyncio.wait_for(worker.flush(), timeout=1)
        await worker.stop()
    except Exception as exc:  # best effort: e.g. its queue was made on another (earlier test's) loop
        log.debug("litellm's logging worker did not settle: %s", exc)


def _load_into(future: concurrent.futures.Future[ModuleType]) -> None:
    try:
        future.set_result(_import_litellm())
    except BaseException as exc:
        future.set_exception(exc)


def _import_litellm() -> ModuleType:
    # Without this litellm fetches its price list from the internet at import time.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    for name in FIRST_CALL_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # another litellm version: its first call imports what it needs, as before
            log.debug("litellm warm-up: no module %s", name)
    # openai's client (under litellm) asks platform.platform() for its headers, which runs `uname -p` in a
    # subprocess: a fork of this large process that holds the interpreter lock (~0.2 s measured, from a
    # worker thread, stalling the loop all the same). The platform module caches the answer from here on.
    platform.platform()
    _loaded[:] = [litellm]
    return litellm


# What litellm 1.82.6 imports on its first acompletion through an OpenAI-compatible provider (~0.3 s):
# imported with litellm, off the event loop, instead of inside the morning run's first LLM call.
FIRST_CALL_MODULES = (
    "openai.resources.chat.chat", "openai.resources.chat.completions.completions", "openai.lib.streaming.chat",
    "openai.lib._chat_completion_resources", "jiter", "encodings.utf_16_le",
    "litellm.litellm_core_utils.logging_worker", "litellm.litellm_core_utils.get_supported_openai_params",
    "litellm.litellm_core_utils.llm_request_utils", "litellm.llms.openai_like.dynamic_config",
    "litellm.llms.openai.chat.gpt_audio_transformation", "litellm._service_logger",
    "litellm.integrations.prometheus_services", "litellm.llms.litellm_proxy.chat.transformation",
    "litellm.llms.vertex_ai.vertex_ai_partner_models.anthropic.transformation",
)


_loaded: list[ModuleType] = []  # litellm once imported: the fast path needs no lock
_loading: concurrent.futures.Future[ModuleType] | None = None
_load_lock = threading.Lock()
