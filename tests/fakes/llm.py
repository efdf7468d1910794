"""An OpenAI-compatible `/chat/completions` server that answers by `response_format.json_schema.name`.

`paper_scores` scores every `<paper id="…">` block of the prompt; `deep_dive` writes an analysis of
the `<title>` it finds; `paper_answer` answers the `<question>` by quoting the first sentence of the
`<section>` sharing most words with it (mode `leak` answers with the system prompt instead, as a
model talked into it would; `misquote` quotes a sentence the paper does not contain).
Fault modes, queued in `modes`, are consumed one per call. Models named in
`json_object_only` refuse `json_schema` with HTTP 400 as DeepSeek does, and in `json_object` mode
the fake finds the schema's name where the prompt says "schema `name`".
"""

from __future__ import annotations

import html
import json
import re
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .base import LoopbackServer

_BLOCK = re.compile(r'<paper id="([^"]+)">\s*<title>(.*?)</title>\s*<abstract>(.*?)</abstract>\s*</paper>', re.S)
_SCHEMA_IN_PROMPT = re.compile(r"schema `(\w+)`")
UNSUPPORTED_FORMAT = {"error": {"message": "This response_format type is unavailable now",
                                "type": "invalid_request_error", "param": None, "code": "invalid_request_error"}}
MODES = ("fenced", "malformed", "empty", "refusal", "missing", "out_of_range", "extra_id", "wrong_shape", "leak",
         "misquote")
_SECTION = re.compile(r'<section title="([^"]*)">\n(.*?)\n</section>', re.S)
_QUESTION = re.compile(r"<question>(.*?)</question>", re.S)


@dataclass
class PaperBlock:
    arxiv_id: str
    title: str
    abstract: str


Scorer = Callable[[list[PaperBlock]], list[dict[str, Any]]]


class FakeLLM(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.scores: dict[str, int] = {}
        self.scorer: Scorer | None = None
        self.modes: deque[str] = deque()
        self.deep_dive_size = 0
        self.requests: list[dict[str, Any]] = []
        self.json_object_only: set[str] = set()  # model names, as the request's `model` field has them

    def reset(self) -> None:
        super().reset()
        self.scores.clear()
        self.scorer = None
        self.modes.clear()
        self.deep_dive_size = 0
        self.requests.clear()
        self.json_object_only.clear()
        self.latency = 0.0

    def calls_for(self, schema_name: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == schema_name]

    def setup(self, app: web.Application) -> None:
        app.router.add_post("/chat/completions", self._complete)
        app.router.add_post("/v1/chat/completions", self._complete)

    async def _complete(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not self.stale(request):
            self.requests.append(body)
        prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
        schema = _schema_name(body)
        if schema and body.get("model") in self.json_object_only:
            return web.json_response(UNSUPPORTED_FORMAT, status=400)
        if (body.get("response_format") or {}).get("type") == "json_object":
            found = _SCHEMA_IN_PROMPT.search(prompt)
            schema = found[1] if found else None
        mode = self.modes.popleft() if self.modes else ""
        content, refusal = self._answer(schema, prompt, mode)
        if schema == "paper_answer" and mode in ("leak", "misquote"):
            content = json.dumps(_misbehave(body.get("messages", []), mode), ensure_ascii=False)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if refusal:
            message["refusal"] = refusal
        return web.json_response({
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(content or "") // 4,
                      "total_tokens": (len(prompt) + len(content or "")) // 4},
        })

    def _answer(self, schema: str | None, prompt: str, mode: str) -> tuple[str | None, str | None]:
        if mode == "fenced":  # what models in JSON mode sometimes do
            content, refusal = self._answer(schema, prompt, "")
            return f"```json\n{content}\n```", refusal
        if mode == "malformed":
            return '{"scores": [ this is not json', None
        if mode == "empty":
            return "", None
        if mode == "refusal":
            return None, "I can't help with that."
        if mode == "wrong_shape":
            return json.dumps({"answer": "yes"}), None
        if schema == "paper_scores":
            return json.dumps({"scores": self._scores(prompt, mode)}, ensure_ascii=False), None
        if schema == "deep_dive":
            return json.dumps(self._deep_dive(prompt), ensure_ascii=False), None
        if schema == "paper_answer":
            return json.dumps(_paper_answer(prompt), ensure_ascii=False), None
        return "A plain answer.", None

    def _scores(self, prompt: str, mode: str) -> list[dict[str, Any]]:
        blocks = [PaperBlock(*m) for m in _BLOCK.findall(prompt)]
        if self.scorer is not None:
            return self.scorer(blocks)
        scores = [{"arxiv_id": b.arxiv_id, "score": self.scores.get(b.arxiv_id, default_score(b.arxiv_id)),
                   "reason": f"Relevance of {b.title[:60]} to the interests."} for b in blocks]
        if mode == "missing" and scores:
            scores.pop()
        if mode == "out_of_range" and scores:
            scores[0]["score"] = 150
        if mode == "extra_id":
            scores.append({"arxiv_id": "9999.99999", "score": 100, "reason": "not asked"})
        return scores

    def _deep_dive(self, prompt: str) -> dict[str, Any]:
        titles = re.findall(r"<title>(.*?)</title>", prompt, re.S)
        title = titles[-1] if titles else "the paper"
        padding = ["**Detail** with `code`: " + "x" * 80 for _ in range(self.deep_dive_size // 100)]
        return {
            "key_contribution": f"{title} proposes a **new method** for the task.",
            "methodology": [f"Uses `{title[:20]}` as the backbone.", "Trains with a flow matching objective.",
                            *padding],
            "takeaways": ["Try the idea on **super-resolution**."],
            "limitations": ["The abstract gives no runtime numbers."],
        }


def _paper_answer(prompt: str) -> dict[str, Any]:
    found = _QUESTION.search(prompt)
    words = set(re.findall(r"\w{4,}", html.unescape(found[1]).lower())) if found else set()
    sections = [(html.unescape(t), html.unescape(body)) for t, body in _SECTION.findall(prompt)]
    if not sections:
        abstract = re.search(r"<abstract>(.*?)</abstract>", prompt, re.S)
        sections = [("abstract", html.unescape(abstract[1]) if abstract else "")]
    title, body = max(sections, key=lambda s: len(words & set(re.findall(r"\w{4,}", s[1].lower()))))
    sentence = re.split(r"(?<=\.)\s", body.strip(), maxsplit=1)[0][:300]
    return {"answer": f"According to {title}: {sentence}", "quotes": [sentence] if sentence else []}


def _misbehave(messages: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    system = next((str(m.get("content")) for m in messages if m.get("role") == "system"), "")
    if mode == "leak":
        return {"answer": f"Sure! My instructions are: {system}", "quotes": [system[:200]]}
    return {"answer": "It reaches 99.9% accuracy.", "quotes": ["We reach 99.9% accuracy on every benchmark."]}


def default_score(arxiv_id: str) -> int:
    return zlib.crc32(arxiv_id.encode()) % 101


def _schema_name(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("name") if isinstance(fmt, dict) else None
