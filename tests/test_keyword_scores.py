"""Keyword scores that mean something: phrases or a field's terms, in the right kind of paper, with reasons."""

import datetime as dt

from analysis.models import Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.keywords import keyword_score
from benchmarks.recall_bench import day_pool
from storage.store import Store
from tests.helpers import day_papers, engine_for

# The captured day: HF's list of 2026-01-23 (where the issue found a diffusion language model and a code LLM on
# top at 100/100) in one pool with the a1henu cs.CV/cs.RO listing of 2025-10-13 (143 papers).
HF_DAY, ARXIV_DAY = "hf_daily_papers_2026-01-23.json", "2025-10-13"
# read by hand: the papers of that pool whose subject is generating or reasoning in text or code
TEXT_OR_CODE = {
    "2601.15165",  # reasoning in diffusion language models
    "2601.15892",  # Stable-DiffCoder, a code diffusion LLM
    "2601.15727",  # kernel (code) generation with LLMs
    "2601.16206", "2601.15876", "2601.11868", "2601.08118",  # LLM agents, computer use, terminal tasks
    "2601.15690", "2601.15778", "2601.15703", "2601.16134",  # LLM uncertainty, calibration, prompts
    "2510.11696",  # RL for LLMs
}


def paper(title: str, abstract: str = "") -> Paper:
    return Paper(arxiv_id="2601.00009", title=title, abstract=abstract)


async def test_the_no_llm_top_five_of_the_captured_day_holds_no_text_or_code_generation(env: dict[str, str]) -> None:
    pool = [*day_papers(HF_DAY), *day_pool(ARXIV_DAY)]
    store = Store(env["PAPERBOT_DB"])
    async with engine_for(store) as engine:
        digest = await build_digest(engine, dt.date(2026, 1, 23), pool)
    store.close()
    top = [item.paper.arxiv_id for item in digest.items[:5]]
    assert digest.scored_by == "keyword" and len(digest.items) == 27 + 143
    assert not TEXT_OR_CODE & set(top), [item.paper.title for item in digest.items[:5]]
    assert all(item.score.score > 0 and "关键词匹配：" in item.score.reason for item in digest.items[:5])


def test_a_multi_word_interest_is_never_one_generic_word_of_it() -> None:
    language = paper("Scaling Autoregressive Language Models", "Next token prediction with large language models.")
    visual = paper("Masked Autoregressive Image Generation without Vector Quantization",
                   "We generate images with a masked autoregressive model.")
    assert keyword_score(language, Profile(keywords=["Masked Autoregressive"])).score == 0
    assert keyword_score(visual, Profile(keywords=["Masked Autoregressive"])).score >= 40


def test_an_image_field_counts_only_in_papers_about_images() -> None:
    cells = paper("Single-cell denoising with variational models", "A denoising problem in single-cell analysis "
                  "of gene expression.")
    lm = paper("Reasoning in Diffusion Language Models", "Diffusion language models generate text in any order.")
    video = paper("Blind Video Denoising", "We remove noise from video frames captured by phone cameras.")
    assert keyword_score(cells, Profile()).score == 0 and keyword_score(lm, Profile()).score == 0
    assert keyword_score(video, Profile()).score >= 40
    # a team that names a language interest means diffusion language models too
    assert keyword_score(lm, Profile(keywords=["Large Language Model", "Diffusion"])).score > 0


def test_no_match_is_zero_and_every_match_names_its_terms() -> None:
    none = keyword_score(paper("Agentic Reasoning for Large Language Models"), Profile())
    assert (none.score, none.reason) == (0, "未匹配到关键词")
    hit = keyword_score(paper("Real-World Image Deblurring and Dehazing", "Deblurring photos."), Profile())
    assert hit.reason == "关键词匹配：Image Restoration (deblurring, dehazing)" and hit.score == 65
    own = keyword_score(paper("Image Restoration for Photos"), Profile(language="en"))
    assert own.reason == "keyword match: Image Restoration" and own.score == 40


def test_a_hyphenated_interest_matches_as_one_word_and_an_llm_field_by_its_acronym() -> None:
    reader = Profile(keywords=["Pre-training", "Large Language Model"], language="en")
    hit = keyword_score(paper("Efficient Pretraining Length Scaling", "We pretrain an LLM on long documents."), reader)
    assert hit.reason == "keyword match: Pre-training (pretraining); Large Language Model (llm)" and hit.score == 65
