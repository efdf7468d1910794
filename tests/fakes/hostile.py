"""Hostile papers, generated (never committed): a PDF whose pages share one huge content stream,
LaTeXML HTML with tens of thousands of flat sections or <nav> siblings, and a gzip bomb."""

from __future__ import annotations

import zlib


def shared_stream_pdf(pages: int = 60, stream_bytes: int = 8 * 1024 * 1024) -> bytes:
    """A small PDF (the stream is deflated, about 24 kB) whose every page draws the same `stream_bytes` of text."""
    op = b"BT /F1 10 Tf 72 700 Td (paperbot hostile page text) Tj ET\n"
    data = zlib.compress(op * (stream_bytes // len(op)), 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)}
    for i in range(pages):
        objects[5 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                          b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in objects)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page(body: bytes) -> bytes:
    return (b'<!DOCTYPE html><html><head><title>hostile</title></head><body>'
            b'<article class="ltx_document">' + body + b"</article></body></html>")


def flat_sections_html(sections: int = 60_000) -> bytes:
    """A LaTeXML article of `sections` top-level sections side by side (4.6 MB at 60,000)."""
    one = b'<section class="ltx_section"><h2>%d Part</h2><p class="ltx_p">Words of part %d.</p></section>\n'
    return _page(b"".join(one % (n, n) for n in range(1, sections + 1)))


def nav_siblings_html(navs: int = 100_000) -> bytes:
    """A one-section article followed by `navs` <nav> siblings, each with a tail of text."""
    section = (b'<section class="ltx_section"><h2 class="ltx_title">1 Introduction</h2>'
               b'<div class="ltx_para"><p class="ltx_p">We study hostile pages.</p></div></section>')
    return _page(section + b"<nav>menu</nav> tail\n" * navs)


def gzip_bomb(inflated: int = 1024 * 1024 * 1024) -> bytes:
    """gzip of `inflated` zero bytes: about 1 MB that inflates to 1 GB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(16 * 1024 * 1024)
    parts = [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join(parts) + packer.flush()
