"""The team's taste: the papers it liked (and marked 👎), and a ranking of new papers by how much they resemble them.

From five liked papers on, the ranking is arxiv-sanity's: TF-IDF features of title + abstract and a linear
SVM trained on the liked papers against the 👎 papers and the rest of the stored papers. Below five the
classifier cannot train, so a paper ranks by its TF-IDF cosine similarity to the nearest liked paper (on a
one-paper query set this found 14 relevant papers in the top 10 where the SVM found 9), and the first vote
already counts. Either way each paper also gets the liked paper it resembles most, which its reason names.
scikit-learn is imported inside `rank_by_taste` only, so nothing on the `paperbot --help` path (or a digest
with an empty taste) pays for it. Everything here is pure and synchronous; async callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

MIN_PAPERS = 5  # from five liked papers on, the classifier ranks; below, the similarity to the liked papers
NEGATIVE_WEIGHT = 3.0  # a 👎 paper counts as much as three unmarked stored papers when training
NEGATIVE_PULL = 0.5  # below five liked: resembling a 👎 paper takes half as much as resembling a liked one adds
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
        """Whether it ranks a day at all: from the first liked paper on (by similarity below five)."""
        return bool(self.papers)

    @property
    def trains(self) -> bool:
        """Whether the classifier ranks (five liked papers or more) rather than the similarity."""
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


@dataclass(frozen=True)
class Resemblance:
    score: float  # 0–100
    like: str  # title of the liked paper it resembles most


def rank_by_taste(taste: Taste, background: Sequence[Text], papers: Sequence[Text],
                  negatives: Sequence[Text] | None = None) -> dict[str, Resemblance]:
    """0–100 per paper of `papers`: how much it looks like the liked papers rather than the others.

    From MIN_PAPERS liked papers on, an SVM trained on the liked papers (positives) against `negatives`
    (the 👎 papers; the taste's own when not given), weighted up, and `background` minus the liked ones;
    `papers` may overlap the background (the day's papers are stored before they are ranked). Below that,
    or with nothing to tell the liked papers apart from, the similarity to the nearest liked paper. Empty
    when nothing is liked."""
    liked = [p for p in taste.papers if (p.title or p.abstract)]
    disliked = list(taste.negatives if negatives is None else negatives)
    if not liked or not papers:
        return {}
    from sklearn.feature_extraction.text import TfidfVectorizer

    # words, not bigrams: as good on the labelled days (benchmarks/taste_bench.py) and several times faster
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1, max_df=0.9, stop_words="english",
                                 max_features=50_000, dtype=_float32())
    excluded = taste.ids | {d.arxiv_id for d in disliked}
    others = [d for d in _unique(background) if d.arxiv_id not in excluded]
    if len(liked) < MIN_PAPERS or not (others or disliked):
        corpus = [_text(p) for p in [*liked, *disliked, *_unique([*others, *papers])]]
        vectorizer.fit(corpus if len(corpus) > 1 else corpus * 2)  # max_df needs two documents
        return by_similarity(vectorizer, liked, disliked, papers)
    from sklearn.svm import LinearSVC

    x_train = vectorizer.fit_transform([_text(p) for p in [*liked, *disliked, *others]])
    labels = [1] * len(liked) + [0] * (len(disliked) + len(others))
    weights = [1.0] * len(liked) + [NEGATIVE_WEIGHT] * len(disliked) + [1.0] * len(others)
    # class_weight balanced: a handful of liked papers against hundreds of others still matters
    svm = LinearSVC(C=0.1, class_weight="balanced", tol=1e-5, max_iter=5000, random_state=0)  # same ranking each run
    svm.fit(x_train, labels, sample_weight=weights)
    x_papers = vectorizer.transform([_text(p) for p in papers])
    nearest = (x_papers @ x_train[: len(liked)].T).toarray().argmax(axis=1)
    margins = svm.decision_function(x_papers)
    return {p.arxiv_id: Resemblance(to_percent(float(m)), liked[int(n)].title)
            for p, m, n in zip(papers, margins, nearest, strict=True)}


def by_similarity(vectorizer: Any, liked: Sequence[Text], disliked: Sequence[Text],
                   papers: Sequence[Text]) -> dict[str, Resemblance]:
    """The cosine similarity to the nearest liked paper (less NEGATIVE_PULL × the nearest 👎 one), as 0–100."""
    x_papers = vectorizer.transform([_text(p) for p in papers])
    to_liked = (x_papers @ vectorizer.transform([_text(p) for p in liked]).T).toarray()
    pull = ((x_papers @ vectorizer.transform([_text(p) for p in disliked]).T).toarray().max(axis=1)
            if disliked else [0.0] * len(papers))
    out = {}
    for paper, row, minus in zip(papers, to_liked, pull, strict=True):
        best = int(row.argmax())
        out[paper.arxiv_id] = Resemblance(similarity_percent(float(row[best]) - NEGATIVE_PULL * float(minus)),
                                          liked[best].title)
    return out


def similarity_percent(cosine: float) -> float:
    """A cosine as 0–100 on a square-root scale: related abstracts share few words (0.1–0.3), and the root
    spreads that range (0.09 → 30, 0.25 → 50) instead of crowding it under 30."""
    return 100.0 * math.sqrt(max(0.0, min(1.0, cosine)))


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
