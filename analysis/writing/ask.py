"""Questions about a paper, answered from its full text with short supporting quotes.

Answers are cached by (paper, normalised question, model, prompt version and text source). The
paper's text is untrusted: it goes in as escaped data, and what comes back is checked — quotes
that are not in the paper are dropped, and an answer that repeats our instructions is withheld.
"""

from __future__ import annotations

import re
from typing import Any

from analysis.errors import BadInput, BudgetExceeded, LLMError, PaperbotError
from analysis.models import Paper, PaperAnswer
from analysis.ports import Cache
from analysis.reading.fulltext import FullTexts
from analysis.reading.papertext import PaperText, document, plain
from analysis.writing.llm import LLM, InvalidAnswer, strict_object
from prompts import render

SCHEMA_NAME = "paper_answer"
SCHEMA = strict_object({"answer": {"type": "string"}, "quotes": {"type": "array", "items": {"type": "string"}}})
MAX_QUESTION = 500
USAGE = "Usage: /ask <arxiv-id> <question>, e.g. /ask 2601.14256 Which datasets do they train on?"
WITHHELD = "The answer was withheld: it repeated paperbot's instructions instead of answering from the paper."


def normalise(question: str) -> str:
    """The cache's form of a question: case, spacing and the final question mark do not matter."""
    return " ".join(question.casefold().split()).rstrip("?？!！.。 ")


def checked_question(question: str) -> str:
    """The question with its spacing tidied, or BadInput saying what is wrong with it."""
    question = " ".join(question.split())
    if not question:
        raise BadInput(USAGE)
    if len(question) > MAX_QUESTION:
        raise BadInput(f"The question is longer than {MAX_QUESTION} characters; ask something shorter.")
    return question


async def ask(paper: Paper, question: str, *, llm: LLM, cache: Cache, texts: FullTexts | None,
              budget: int) -> PaperAnswer:
    """The answer, or a PaperbotError whose message is the one line to show. Without an LLM the Writer
    (analysis.writing.writer) says so instead of calling this."""
    question = checked_question(question)
    text = await texts.get(paper) if texts is not None else PaperText("abstract")
    full = text.source != "abstract" and bool(text.sections)
    if not full and not paper.abstract.strip():
        raise PaperbotError(f"{paper.arxiv_id} has no text to answer from: no HTML, no PDF text, no abstract.")
    prompt = render("ask_system")
    model = llm.config.deep_model
    key = normalise(question)
    version = f"{prompt.version}:{text.source if full else 'abstract'}"
    cached = cache.cached_answer(paper.arxiv_id, key, model, version)
    if cached is not None:
        return cached
    source = plain(text, paper)
    user = (f"{document(paper, text, budget)}\n\n"
            f"<question>{_escape(question)}</question>")
    try:
        answer, used = await llm.ask(
            kind="ask", model=model, schema_name=SCHEMA_NAME, schema=SCHEMA,
            messages=[{"role": "system", "content": prompt.text}, {"role": "user", "content": user}],
            validate=lambda data: _checked(data, source, prompt.text))
    except BudgetExceeded:
        raise
    except LLMError as exc:
        raise LLMError(f"The LLM could not answer about {paper.arxiv_id}: {exc}") from None
    answer.source, answer.model = (text.source if full else "abstract"), used
    cache.save_answer(paper.arxiv_id, key, model, version, answer)
    return answer


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _checked(data: Any, source: str, system: str) -> PaperAnswer:
    """The answer with only quotes that are really in the paper, withheld if it echoes the system prompt."""
    if not isinstance(data, dict) or not isinstance(data.get("answer"), str) or not data["answer"].strip():
        raise InvalidAnswer("no answer text")
    quotes = data["quotes"] if isinstance(data.get("quotes"), list) else []
    haystack = _flat(source)
    found = [q.strip().strip("\"“”") for q in quotes if isinstance(q, str)]
    kept = [q for q in found if len(_flat(q)) >= 8 and _flat(q) in haystack][:3]
    answer = data["answer"].strip()
    if leaks(answer, system) or any(leaks(q, system) for q in kept):
        return PaperAnswer(answer=WITHHELD)
    return PaperAnswer(answer=answer, quotes=kept)


def leaks(text: str, system: str) -> bool:
    """Whether `text` repeats any sentence of our instructions (a model talked into printing its prompt)."""
    flat = _flat(text)
    sentences = [_flat(s) for s in re.split(r"(?<=[.:!?])\s+|\n", system)]
    return any(len(s) >= 30 and s in flat for s in sentences)


def _flat(text: str) -> str:
    """Compare text as words: case, spacing, quotes and hyphenation differences aside."""
    text = text.replace("\u00ad", "").replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w$%.+\-']+", " ", text.casefold()).split())
