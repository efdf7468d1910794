"""`paperbot ask` prints Markdown: the title, question, answer and quotes are outside text, escaped."""

from analysis.models import Paper, PaperAnswer
from analysis.render.answer import markdown


def test_outside_text_in_an_answer_cannot_break_or_add_markup() -> None:
    paper = Paper(arxiv_id="2601.00001", title="A [link](http://evil) <b>title</b>", abstract="")
    answer = PaperAnswer(answer="It uses **bold** claims.\n\n# Not a heading <script>",
                         quotes=["first line\n# second line", "a *star* and <i>tag</i>"], source="html")
    out = markdown(paper, "Why <img src=x>?", answer)
    lines = out.splitlines()
    assert lines[0] == ("**Q** (2601.00001, A \\[link\\](http://evil) &lt;b&gt;title&lt;/b&gt;): "
                        "Why &lt;img src=x&gt;?")
    assert "It uses **bold** claims." in lines and "\\# Not a heading &lt;script&gt;" in lines
    quotes = [line for line in lines if line.startswith(">")]
    assert quotes == ["> “first line \\# second line”", "> “a \\*star\\* and &lt;i&gt;tag&lt;/i&gt;”"]
    assert not any(line.startswith("#") for line in lines)
