"""Shared command handling, platform-free: what `/deepdive` answers about a paper of today's digest."""

from bot.shared.answers import Invocation
from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack


async def test_deepdive_of_a_digest_paper_carries_its_thread_and_score(
        llm_env: dict, slack_env: dict, slack: FakeSlack, llm: FakeLLM) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        channel = h.store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
        await post_digest(h.adapters["slack"], h.store, channel, digest)
        listed = digest.items[-1]  # listed in the quick view, not deep-dived there
        answer = await h.commands.handle(Invocation("slack", "C1", "U1"), "deepdive", listed.paper.arxiv_id)
        elsewhere = await h.commands.handle(Invocation("slack", "C2", "U1"), "deepdive", listed.paper.arxiv_id)
    assert answer.thread_ref == slack.messages_in("C1")[0]["ts"]
    assert answer.score == listed.score.score and listed.score.method == "llm"
    assert elsewhere.thread_ref is None and elsewhere.score is None  # no digest in that channel
