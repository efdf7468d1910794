"""Renderers that are no chat platform's: Markdown, JSON, and the quick view's summary line every chat shares
(each chat platform renders its own markup in bot/<platform>/render.py)."""
