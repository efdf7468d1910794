"""The team's taste: the papers it liked, and a ranking of new papers by how much they resemble them.

The ranking is arxiv-sanity's: TF-IDF features of title + abstract and a linear SVM trained on the liked
papers against the rest of the stored papers. scikit-learn is imported inside `rank_by_taste` only, so
nothing on the `paperbot --help` path (or a digest with an empty taste) pays for it. Everything here is
pure and synchronous; async callers run `rank_by_taste` in a thread.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MIN_PAPERS = 5  # from five liked papers on, the taste ranks a day without an LLM (SPEC)
PROMPT_TITLES = 10  # most liked titles named in the scoring prompt


class Text(Protocol):
    """Anything with an id, a title and an abstract: a Paper, a Liked paper."""

    @property
    def arxiv_id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def abstract(self) -> str: ...


@dataclass(frozen=True)
class Liked:
    arxiv_id: str
    title: str
    abstract: str = ""
    votes: int = 0  # standing votes in the channel; 0 for a paper added by hand
    liked_at: str = ""  # ISO time of the latest vote or addition


@dataclass(frozen=True)
class Doc:
    """A stored paper's text, for the background a taste is told apart from."""

    arxiv_id: str
    title: str
    abstract: str = ""


@dataclass(frozen=True)
class Taste:
    """A channel's (or the default) liked papers, most voted first, then most recent."""

    papers: tuple[Liked, ...] = ()
    negatives: tuple[Liked, ...] = ()  # marked 👎 "not for us"; a paper both liked and marked counts as liked

    @classmethod
    def of(cls, papers: Iterable[Liked], negatives: Iterable[Liked] = ()) -> Taste:
        unique = {p.arxiv_id: p for p in papers}
        marked = {p.arxiv_id: p for p in negatives if p.arxiv_id not in unique}
        return cls(tuple(sorted(unique.values(), key=lambda p: (-p.votes, _neg(p.liked_at), p.arxiv_id))),
                   tuple(sorted(marked.values(), key=lambda p: p.arxiv_id)))

    def __len__(self) -> int:
        return len(self.papers)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(p.arxiv_id for p in self.papers)

    @property
    def ranks(self) -> bool:
        """Whether there is enough of it to rank a day without an LLM."""
        return len(self.papers) >= MIN_PAPERS

    def titles_for_prompt(self, limit: int = PROMPT_TITLES) -> list[str]:
        return [" ".join(p.title.split()) for p in self.papers[:limit]]

    def key(self) -> str:
        """Same papers (liked and 👎), same key: channels with equal tastes share one ranking."""
        marked = [f"-{p.arxiv_id}" for p in self.negatives]
        return hashlib.sha256("\n".join([*sorted(self.ids), *marked]).encode()).hexdigest()[:16]


def _neg(stamp: str) -> tuple[int, ...]:
    # newest first inside a vote count: invert the characters of the ISO stamp
    return tuple(-ord(c) for c in stamp)


def rank_by_taste(taste: Taste, background: Sequence[Text], papers: Sequence[Text]) -> dict[str, float]:
    """0–100 per paper of `papers`: how much it looks like the liked papers rather than the background.

    Trained on the liked papers (positives) against `background` minus the liked ones (negatives);
    `papers` may overlap the background (the day's papers are stored before they are ranked). Empty when
    the taste is too small or there is nothing to tell it apart from."""
    liked = [p for p in taste.papers if (p.title or p.abstract)]
    others = [d for d in _unique(background) if d.arxiv_id not in taste.ids]
    if len(liked) < MIN_PAPERS or not others or not papers:
        return {}
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    # words, not bigrams: as good on the labelled days (benchmarks/taste_bench.py) and several times faster
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1, max_df=0.9, stop_words="english",
                                 max_features=50_000, dtype=_float32())
    train_texts = [_text(p) for p in liked] + [_text(d) for d in others]
    x_train = vectorizer.fit_transform(train_texts)
    labels = [1] * len(liked) + [0] * len(others)
    # class_weight balanced: a handful of liked papers against hundreds of others still matters
    svm = LinearSVC(C=0.1, class_weight="balanced", tol=1e-5, max_iter=5000, random_state=0)  # same ranking each run
    svm.fit(x_train, labels)
    margins = svm.decision_function(vectorizer.transform([_text(p) for p in papers]))
    return {p.arxiv_id: to_percent(float(m)) for p, m in zip(papers, margins, strict=True)}


def to_percent(margin: float) -> float:
    """The SVM's margin as 0–100: the boundary is 50, a typical liked paper (margin ≈ +1) about 88."""
    return 100.0 / (1.0 + math.exp(-2.0 * margin))


def _text(paper: Text) -> str:
    return f"{paper.title}. {paper.abstract}"


def _unique(docs: Sequence[Text]) -> list[Text]:
    seen: set[str] = set()
    out = []
    for doc in docs:
        if doc.arxiv_id not in seen:
            seen.add(doc.arxiv_id)
            out.append(doc)
    return out


def _float32() -> type:
    import numpy as np

    return np.float32
