"""arXiv's comments on papers ("Accepted to CVPR 2026", "code released"): one API request for many ids.

The RSS feed does not carry them; the line about a new version of a liked paper quotes the comment.
"""

from __future__ import annotations

import httpx
from lxml import etree

from analysis import http
from analysis.errors import BadInput, SourceError
from analysis.sources.arxiv import SERVICE
from analysis.sources.hf import one_line
from analysis.sources.ids import parse_arxiv_id

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


async def fetch_comments(client: httpx.AsyncClient, api_url: str, ids: list[str]) -> dict[str, str]:
    """Versionless id -> arXiv's comment, for those of `ids` that have one."""
    params = {"id_list": ",".join(ids), "max_results": str(len(ids))}
    response = await http.get(client, api_url, params=params, service=SERVICE, setting="ARXIV_API_URL")
    return parse_comments(response.content)


def parse_comments(content: bytes) -> dict[str, str]:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise SourceError(f"{SERVICE} answered with something that is not an Atom feed.") from None
    found: dict[str, str] = {}
    for entry in root.iterfind("atom:entry", _NS):
        comment = one_line(entry.findtext("arxiv:comment", "", _NS) or "")
        try:
            arxiv_id = parse_arxiv_id((entry.findtext("atom:id", "", _NS) or "").strip())
        except BadInput:
            continue  # the error entry of a bad request
        if comment:
            found[arxiv_id] = comment
    return found
