"""An answer to a question about a paper, for the terminal (Markdown); chat platforms render their own
from the same parts (BASIS says what the answer was read from)."""

from __future__ import annotations

import re

from analysis.models import Paper, PaperAnswer
from analysis.render.mdtext import md_model, md_text

BASIS = {"html": "from the paper's HTML full text", "pdf": "from the paper's PDF text",
         "abstract": "from the abstract only (arXiv had no full text)"}


def markdown(paper: Paper, question: str, answer: PaperAnswer) -> str:
    """Title, question, answer and quotes are outside text: escaped, each quote one blockquote line."""
    lines = [f"**Q** ({paper.arxiv_id}, {md_text(paper.title)}): {md_text(question)}", ""]
    lines += [line for part in re.split(r"\n\s*\n", answer.answer.strip()) if part.strip()
              for line in (md_model(part), "")]
    lines += [f"> “{md_text(quote)}”" for quote in answer.quotes]
    lines += ["", f"_{paper.url} — {BASIS[answer.source]}_"]
    return "\n".join(lines).strip() + "\n"
