"""Whatever people type: one clear line back, state unchanged, no traceback."""

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import BadInput
from analysis.models import Digest, DigestItem, Score
from analysis.sources.ids import parse_arxiv_id
from bot.shared.channels import parse_subscribe, parse_threshold
from bot.slack import render as slack_render
from bot.telegram import render as telegram_render
from tests.fakes.telegram import html_problem, utf16_len, visible_text
from tests.helpers import day_papers

CANONICAL = re.compile(r"\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Z]{2})?/\d{7}")
id_like = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"(arXiv:)?\d{2,5}\.\d{3,6}(v\d{0,3})?", fullmatch=True),
    st.from_regex(r"https?://(arxiv\.org/(abs|pdf)|huggingface\.co/papers)/[\w./-]{0,20}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(id_like)
def test_the_id_parser_returns_a_canonical_id_or_one_line(text: str) -> None:
    try:
        parsed = parse_arxiv_id(text)
    except BadInput as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
    else:
        assert CANONICAL.fullmatch(parsed)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.integers(-1000, 1000).map(str)))
def test_threshold_values_are_0_to_100_or_one_line(text: str) -> None:
    try:
        value = parse_threshold(text)
    except BadInput as exc:
        assert "\n" not in str(exc) and "Usage: /threshold" in str(exc)
    else:
        assert 0 <= value <= 100 and str(value) == text.strip().lstrip("0").rjust(1, "0")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_subscribe_arguments_never_raise_anything_but_bad_input(text: str) -> None:
    try:
        parse_subscribe(text)
    except BadInput as exc:
        assert "\n" not in str(exc)


HOSTILE = st.text(alphabet=st.sampled_from(list("<>&*_`'\"\\|[]()#@!\u200f\u202e🙂\n ab")), min_size=1, max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE)
def test_any_title_renders_safely_on_both_platforms(title: str) -> None:
    paper = day_papers()[0].model_copy(update={"title": title})
    digest = Digest(title=title, date=dt.date(2026, 1, 23),
                    items=[DigestItem(paper=paper, score=Score(arxiv_id=paper.arxiv_id, score=90))],
                    threshold=60, max_deep_dives=3, notes=[title])
    for part in telegram_render.quick_view(digest, {}):
        assert html_problem(part) is None and utf16_len(visible_text(part)) <= 4096
    message = slack_render.quick_view(digest, {})
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    texts += [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    for text in texts:
        # no raw control characters: every <…> is a link we made
        assert re.sub(r"<https://arxiv\.org/abs/[^|>]+\|[^<>]*>", "", text).count("<") == 0
        assert len(text) <= 3000
