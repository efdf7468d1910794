"""What a research interest is called in titles and abstracts: an interest's own words, and the terms papers
of that field use instead ("Image Restoration" papers say denoising, deblurring, dehazing …).

The keyword scorer ranks a day without an LLM and narrows a large pool before one; matching the literal
phrase alone misses most of a field. Interests not listed here match their own words only."""

from __future__ import annotations

import re

RELATED: dict[str, tuple[str, ...]] = {
    "image restoration": (
        "restoration", "denoising", "denoise", "deblurring", "deblur", "dehazing", "dehaze", "deraining",
        "derain", "desnowing", "low light enhancement", "low light image enhancement", "inpainting",
        "artifact removal", "compression artifacts", "jpeg artifacts", "shadow removal", "reflection removal",
        "underwater image enhancement", "all in one", "blind image", "degradation", "degraded",
    ),
    "super resolution": ("super resolution", "superresolution", "upscaling", "arbitrary scale", "video sr",
                         "image sr", "real world sr", "zoom"),
    "flow matching": ("rectified flow", "flow based generative", "stochastic interpolants"),
    "masked autoregressive": ("autoregressive image generation", "visual autoregressive", "masked generative",
                              "maskgit", "next scale prediction", "next token prediction", "autoregressive"),
    "diffusion": ("diffusion model", "diffusion models", "denoising diffusion", "latent diffusion",
                  "score based generative", "ddpm", "ddim", "diffusion prior", "diffusion transformer"),
}


def norm(text: str) -> str:
    """Lower-case words separated by single spaces, padded: `" super resolution "`; phrase tests are then
    whole-word substring tests."""
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def phrases(keyword: str) -> list[str]:
    """The interest's own words first, then its field's terms, each normalised and unpadded."""
    own = norm(keyword).strip()
    return list(dict.fromkeys([own, *RELATED.get(own, ())])) if own else []
