"""`python -m benchmarks.fulltext_bench`: what a full-text deep dive costs against an abstract-only one.

For each captured arXiv paper (tests/fixtures), the deep-dive request exactly as paperbot sends it,
counted with litellm's tokenizer for the model, and priced with litellm's price list. Completion
tokens are about the same either way (the schema caps the answer), so only the prompt differs.
"""

from __future__ import annotations

import argparse
import os
import time

from analysis.models import Paper
from analysis.profile import Profile
from analysis.reading import latexml, pdftext
from analysis.reading.papertext import PaperText, document
from analysis.writing.deepdive import DEFAULT_BUDGET
from benchmarks.fixtures import FIXTURES
from prompts import render

PAPERS = [  # file, title, abstract (the paper's own, first sentences)
    ("arxiv_html_latexml-0.8.7_astro-ml.html", "Analyzing Astronomical Data with Machine Learning Techniques",
     "Classification is a popular task in the field of Machine Learning (ML) and Artificial Intelligence (AI), and "
     "it happens when outputs are categorical variables. In this paper, we review some of these popular "
     "classification algorithms, and then we apply some of them to the observational data of nonvariable and the "
     "RR Lyrae variable stars that come from the SDSS survey. For the sake of comparison, we calculate the "
     "accuracy and F1-score of the applied models."),
    ("arxiv_html_latexml-0.8.7_html-beta-chrome_angular-momentum.html",
     "Angular momentum evolution can be predicted from cosmological initial conditions",
     "The angular momentum of dark matter haloes controls their spin magnitude and orientation, which in turn "
     "influences the galaxies therein. However, the process by which dark haloes acquire their angular momentum "
     "is not fully understood; in particular, it is unclear to what extent angular momentum is determined by the "
     "initial conditions. We introduce a technique to modify the initial conditions such that the angular "
     "momentum of a dark matter halo is varied while preserving its mass and large-scale environment."),
    ("arxiv_pdf_1111.2011v2.pdf",
     "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
     "We use a self-consistent cavity field method to study the quantum criticality of a system of coupled "
     "extended nodes on a Bethe lattice in the limit of large connectivity, where each node is a quantum rotor "
     "model."),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fulltext_bench")
    parser.add_argument("--model", default="gpt-4o-mini", help="litellm model whose tokenizer and prices to use")
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="PAPERBOT_FULLTEXT_TOKENS")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    profile = Profile()
    system = render("deep_dive_system", persona=profile.persona, keywords=", ".join(profile.keywords),
                    language=profile.language).text
    print(f"deep-dive prompt tokens ({args.model} tokenizer), budget {args.budget}:")
    print(f"{'paper':<34} {'source':<6} {'parse s':>7} {'text chars':>10} {'abstract':>9} {'full text':>9} "
          f"{'x':>5} {'$ abstract':>10} {'$ full':>8}")
    for name, title, abstract in PAPERS:
        content = (FIXTURES / name).read_bytes()
        started = time.perf_counter()
        parse = pdftext.parse if name.endswith(".pdf") else latexml.parse
        text = PaperText("pdf" if name.endswith(".pdf") else "html", parse(content))
        took = time.perf_counter() - started
        paper = Paper(arxiv_id="0000.00000", title=title, abstract=abstract, authors=["A. Author"])
        counts = []
        for body in (document(paper, None, args.budget), document(paper, text, args.budget)):
            user = f"Authors: A. Author\n\n{body}"
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            counts.append(litellm.token_counter(model=args.model, messages=messages))
        prices = [litellm.cost_per_token(model=args.model, prompt_tokens=n, completion_tokens=0)[0] for n in counts]
        print(f"{title[:34]:<34} {text.source:<6} {took:>7.2f} {text.chars:>10} {counts[0]:>9} {counts[1]:>9} "
              f"{counts[1] / counts[0]:>5.1f} {prices[0]:>10.5f} {prices[1]:>8.5f}")


if __name__ == "__main__":
    main()
