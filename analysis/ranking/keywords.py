"""Keyword scores without an LLM: an interest found by its phrase or its field's terms, in the right kind of paper.

Matching the literal phrase alone misses most of a field ("Image Restoration" papers say denoising,
deblurring, dehazing …); matching any one word of it finds the wrong fields ("autoregressive" is every
language model, not "Masked Autoregressive"). So a multi-word interest matches as a whole phrase or by one of
its field's terms, never by a single word of it, and a field of images is only found in papers about images
or video: "denoising" in single-cell analysis and "diffusion" in a language model are not this team's.
Interests not listed here match their own phrase only, in any paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.models import Paper, Score
from analysis.profile import Profile


@dataclass(frozen=True)
class Field:
    terms: tuple[str, ...]  # normalised phrases papers of the field use (the interest's own phrase comes first)
    visual: bool = False  # the field is about images or video: found only in papers that are


FIELDS: dict[str, Field] = {
    "image restoration": Field((
        "restoration", "denoising", "denoise", "deblurring", "deblur", "dehazing", "dehaze", "deraining",
        "derain", "desnowing", "low light enhancement", "low light image enhancement", "inpainting",
        "artifact removal", "compression artifacts", "jpeg artifacts", "shadow removal", "reflection removal",
        "underwater image enhancement", "degraded images", "image degradation", "blind image restoration",
    ), visual=True),
    "super resolution": Field(("super resolution", "superresolution", "upscaling", "arbitrary scale",
                               "video sr", "image sr", "real world sr", "blind sr"), visual=True),
    "flow matching": Field(("rectified flow", "flow based generative", "stochastic interpolants")),
    "masked autoregressive": Field(("autoregressive image generation", "autoregressive video generation",
                                    "visual autoregressive", "masked generative", "maskgit", "next scale prediction",
                                    "mar"), visual=True),
    "large language model": Field(("language model", "language modeling", "llm")),
    "vision language model": Field(("vlm", "multimodal large language model", "mllm", "multimodal llm")),
    "mixture of experts": Field(("moe",)),
    "reinforcement learning": Field(("rl", "rlhf", "rlvr", "policy optimization")),
    "diffusion": Field(("diffusion model", "diffusion models", "denoising diffusion", "latent diffusion",
                        "score based generative", "ddpm", "ddim", "diffusion prior", "diffusion transformer"),
                       visual=True),
}
# what a paper about images or video says, and what a paper about something else says instead
VISUAL = ("image", "images", "video", "videos", "visual", "pixel", "pixels", "photo", "photos", "photograph",
          "camera", "rgb", "imaging", "frames", "scene", "scenes", "3d", "mri", "ct", "x ray", "satellite",
          "text to image", "vision")
OTHER = ("language model", "language models", "llm", "llms", "code", "coding", "programming", "text generation",
         "single cell", "gene", "genes", "protein", "proteins", "molecule", "molecules", "molecular", "speech",
         "audio", "time series", "tabular", "trajectory", "trajectories", "radio")
TITLE, ABSTRACT_FIRST, ABSTRACT_MORE, ABSTRACT_MAX = 40, 25, 5, 40


def norm(text: str) -> str:
    """Lower-case words separated by single spaces, padded: `" super resolution "`; phrase tests are then
    whole-word substring tests."""
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def field_of(keyword: str) -> Field:
    """The interest's own phrase first (and, where it was hyphenated, as one word: "Pre-training" is also
    pretraining), then its field's terms, each normalised and unpadded. No plurals added: on the labelled
    days they matched more of the wrong papers than of the right ones."""
    own = norm(keyword).strip()
    if not own:
        return Field(())
    known = FIELDS.get(own, Field(()))
    joined = [own.replace(" ", "")] if "-" in keyword else []
    return Field(tuple(dict.fromkeys([own, *joined, *known.terms])), known.visual)


def phrases(keyword: str) -> list[str]:
    return list(field_of(keyword).terms)


def _count(text: str, words: tuple[str, ...]) -> int:
    return sum(text.count(f" {w} ") for w in words)


def about_images(title: str, abstract: str) -> bool:
    """Whether a paper (normalised title and abstract) is about images or video rather than text, code,
    cells or signals: its visual words, the title's counted thrice, at least two and not outnumbered."""
    visual = 3 * _count(title, VISUAL) + _count(abstract, VISUAL)
    other = 3 * _count(title, OTHER) + _count(abstract, OTHER)
    return visual >= 2 and visual >= other


def images_only(profile: Profile) -> bool:
    """Whether the team's image fields mean images: not for a team that also names text, code or another
    modality among its interests ("Diffusion" next to "Large Language Model" includes diffusion language models)."""
    return not any(_count(norm(k), OTHER) for k in profile.keywords)


def keyword_scores(papers: list[Paper], profile: Profile) -> dict[str, Score]:
    return {p.arxiv_id: keyword_score(p, profile) for p in papers}


def keyword_score(paper: Paper, profile: Profile) -> Score:
    """0–100 from where the interests' terms appear: in the title 40, in the abstract 25 and 5 more for each
    further mention (up to 40). No match scores 0; the reason names each interest and the terms that matched."""
    title, abstract = norm(paper.title), norm(paper.abstract)
    visual: bool | None = None if images_only(profile) else True
    total, hits = 0, []
    for keyword in profile.keywords:
        field = field_of(keyword)
        if field.visual:
            visual = about_images(title, abstract) if visual is None else visual
            if not visual:
                continue
        in_title = _found(field.terms, title)
        in_abstract = {t: abstract.count(f" {t} ") for t in _found(field.terms, abstract)}
        count = sum(in_abstract.values())
        if not in_title and not count:
            continue
        total += (TITLE if in_title else 0) + (min(ABSTRACT_MAX, ABSTRACT_FIRST + ABSTRACT_MORE * (count - 1))
                                               if count else 0)
        hits.append(_named(keyword, field.terms[0], [*in_title, *in_abstract]))
    if not hits:
        return Score(arxiv_id=paper.arxiv_id, score=0, reason=profile.say("keyword_none"), method="keyword")
    return Score(arxiv_id=paper.arxiv_id, score=min(100, total),
                 reason=profile.say("keyword_reason", hits="; ".join(hits)), method="keyword")


def _found(terms: tuple[str, ...], text: str) -> list[str]:
    """The terms in `text`, without those only found inside a longer one ("restoration" in "image restoration")."""
    found = [t for t in terms if f" {t} " in text]
    return [t for t in found if not any(t != o and f" {t} " in f" {o} " for o in found)]


def _named(keyword: str, own: str, matched: list[str]) -> str:
    """`Image Restoration (denoising, deblurring)`; the interest alone when its own phrase is all that matched."""
    terms = [t for t in dict.fromkeys(matched) if t != own]
    return f"{keyword} ({', '.join(terms)})" if terms else keyword


def closeness(paper: Paper, profile: Profile) -> float:
    """How many of the interests' longer words the paper mentions (each interest's share 0–1, summed): not a
    score (one word of an interest is no match), only the order among papers of equal score, so a cut of the
    pool keeps the papers nearest the interests rather than the first listed."""
    text = norm(f"{paper.title} {paper.abstract}")
    total = 0.0
    for keyword in profile.keywords:
        words = [w for w in norm(keyword).split() if len(w) > 3]
        total += sum(f" {w}" in text for w in words) / len(words) if words else 0.0
    return total

