"""The Engine: everything the pipeline reaches outside itself, built once per process by bot/."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from analysis.ports import Cache, Listings
from analysis.profile import Profile
from analysis.ranking.ranker import Ranker, ranker_for
from analysis.reading.fulltext import FullTexts
from analysis.sources.arxiv_listing import Paging
from analysis.sources.pace import Pace
from analysis.writing.llm import LLM
from analysis.writing.writer import Writer, writer_for

Progress = Callable[[str], None]


@dataclass
class Engine:
    """Everything the pipeline reaches outside itself, built once per process by bot/."""

    profile: Profile
    cache: Cache
    http: httpx.AsyncClient
    llm: LLM | None = None
    hf_endpoint: str = "https://huggingface.co"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss"
    top_n: int = 15  # the chat quick view's length; the whole pool is always scanned
    threshold: int = 60
    max_deep_dives: int = 3
    texts: FullTexts | None = None  # the papers' full texts; None: deep dives read abstracts only
    fulltext_tokens: int = 12_000
    progress: Progress = field(default=lambda message: None)
    arxiv_categories: list[str] = field(default_factory=list)
    llm_pool: int = 40  # most papers of the pool sent to LLM scoring (HF's list and followed authors always)
    arxiv_paging: Paging = field(default_factory=Paging)
    arxiv_pace: Pace = field(default_factory=Pace)  # arXiv's feed and API requests, 3 s apart (arxiv_paging.delay)
    listings: Listings | None = None  # stored announcements; None: every announcement is fetched
    llm_setup: Awaitable[LLM | None] | None = None  # the LLM still being set up (litellm importing), if any
    # how days are ranked and papers written about: by the LLM when there is one; chosen by `use`, only
    ranker: Ranker = field(init=False)
    writer: Writer = field(init=False)

    def __post_init__(self) -> None:
        self.use(self.llm)

    def use(self, llm: LLM | None) -> None:
        """The one place that decides, from whether there is an LLM, how the pipeline ranks and writes."""
        self.llm = llm
        self.ranker = ranker_for(llm, self.cache)
        self.writer = writer_for(llm, self.cache)

    async def ready(self) -> Engine:
        """The engine with its LLM set up. A command that fetches first calls this after the fetch, so
        litellm's seconds-long import overlaps the network instead of preceding it."""
        if self.llm_setup is not None:
            setup, self.llm_setup = self.llm_setup, None
            self.use(await setup)
        return self
