import pytest

from analysis.errors import BadInput
from analysis.sources.ids import parse_arxiv_id


@pytest.mark.parametrize(("text", "expected"), [
    ("2601.14256", "2601.14256"),
    ("2601.14256v2", "2601.14256"),
    ("arXiv:2601.14256", "2601.14256"),
    ("ARXIV:2601.14256v3", "2601.14256"),
    ("  2601.14256 ", "2601.14256"),
    ("https://arxiv.org/abs/2601.14256", "2601.14256"),
    ("https://arxiv.org/abs/2601.14256v1", "2601.14256"),
    ("http://arxiv.org/pdf/2601.14256v2.pdf", "2601.14256"),
    ("arxiv.org/pdf/2601.14256", "2601.14256"),
    ("https://www.arxiv.org/abs/2601.14256?context=cs", "2601.14256"),
    ("https://export.arxiv.org/abs/2601.14256", "2601.14256"),
    ("https://huggingface.co/papers/2601.14256", "2601.14256"),
    ("<https://huggingface.co/papers/2601.14256>", "2601.14256"),
    ("0704.0001", "0704.0001"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("hep-th/9901001v2", "hep-th/9901001"),
    ("math.GT/0309136", "math.GT/0309136"),
    ("astro-ph/0601001", "astro-ph/0601001"),
    ("https://arxiv.org/abs/cond-mat/0412498v1", "cond-mat/0412498"),
])
def test_accepted_forms_normalise_to_the_canonical_id(text: str, expected: str) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", [
    "1234", "12345", "", "abc", "2601.1425", "2601.142567", "2613.14256", "2600.14256",
    "1401.12345",  # five digits only from 2015 on
    "hep-th/990100", "HEP-TH/9901001", "https://example.com/abs/2601.14256", "2601.14256v",
    "2601.14256 2601.14257", "arXiv:", "javascript:alert(1)", "2601.14256; rm -rf /",
    # digits that are not ASCII: full-width, Arabic-Indic, Devanagari (re's \d would take them)
    "２６０１.１４２５６", "٢٦٠١.١٤٢٥٦", "२६०१.१४२५६", "hep-th/٩٩٠١٠٠١", "2601.14256v٢",
])
def test_everything_else_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_arxiv_id(text)
    message = str(caught.value)
    assert "\n" not in message
    assert "2601.14256" in message and "hep-th/9901001" in message
