"""Prompt templates are files read once per process, not on every render."""

from prompts import render, template


def test_a_template_is_read_once_however_often_it_is_rendered() -> None:
    template.cache_clear()
    first = render("ask_system")
    for _ in range(5):
        assert render("ask_system") == first
    info = template.cache_info()
    assert info.misses == 1 and info.hits == 5
