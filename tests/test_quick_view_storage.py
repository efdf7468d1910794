"""A posted quick view is kept for vote redraws without the pool's abstracts: small rows, same message."""

from analysis.models import Digest
from bot.shared.posting import post_digest
from bot.slack import render as slack_render
from tests.chat_harness import running
from tests.fakes.slack import FakeSlack
from tests.test_slack import CHANNEL, subscribe
from tests.test_slack_limits import long_day


async def test_the_stored_view_has_no_abstracts_and_redraws_the_same_quick_view(env: dict, slack_env: dict,
                                                                                slack: FakeSlack) -> None:
    digest = long_day(120)
    digest = digest.model_copy(update={"items": [
        i.model_copy(update={"paper": i.paper.model_copy(update={"abstract": "An abstract. " * 100,
                                                                  "ai_summary": "HF's summary. " * 20})})
        for i in digest.items]})
    async with running(listen=False) as h:
        assert "posted the digest" in await post_digest(h.adapters["slack"], h.store, subscribe(h), digest)
        row = h.store.db.execute("select view, quick_view_ref from posts where channel_id = ?", [CHANNEL]).fetchone()
        first = digest.items[0].paper.arxiv_id
        assert h.store.view_ref("slack", CHANNEL, first) == row[1]
    view, full = str(row[0]), digest.model_dump_json()
    assert "An abstract." not in view and "HF's summary." not in view and len(view) * 2 < len(full)
    posted = next(m for m in slack.messages_in(CHANNEL) if m["thread_ts"] is None)
    redrawn = slack_render.quick_view(Digest.model_validate_json(view), {})
    assert redrawn["blocks"] == posted["blocks"] and first in str(redrawn["blocks"])
