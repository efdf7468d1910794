"""The one inbound path: what every platform does with a command, a reaction or a vote button.

An adapter builds one `Inbound` and hands it the events it translated from its SDK (bot.shared.events).
A command is checked (the shared precheck, then the platform's own refusal), answered at once or, when
it takes an LLM call (/deepdive, /ask), acknowledged and answered in the background, its paper answer
posted where it belongs and any failure told to the person who asked. Votes are stored and the quick
view that lists the paper is redrawn (debounced, bot.shared.refresh).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.shared import marks, votes
from bot.shared.answers import Answer
from bot.shared.background import Background
from bot.shared.chat import ChatAdapter
from bot.shared.commands import Commands
from bot.shared.events import Command, Reaction, ReactionTable, ReactionTally, Reply, Vote, VoteButton
from bot.shared.refresh import Refresher
from bot.shared.slow import SLOW, deliver, not_posted
from storage.store import Store

log = logging.getLogger(__name__)


class Inbound:
    """One platform's dispatcher. `reactions` is the platform's table of what its reaction names mean."""

    def __init__(self, adapter: ChatAdapter, store: Store, commands: Commands, reactions: ReactionTable) -> None:
        self.adapter, self.store, self.commands, self.reactions = adapter, store, commands, reactions
        self.background = Background()  # answers still being worked on, which a shutdown lets finish
        # one redraw per burst of votes, at most one every 3 s a message: within Slack's chat.update tier
        # and Telegram's 20 messages (edits too) a minute in a group
        self.refresher = Refresher(store, adapter.platform, adapter.update_quick_view)

    # -- commands ----------------------------------------------------------------------------
    async def command(self, command: Command, reply: Reply) -> None:
        """Answer `command` through `reply`; a slow one is acknowledged now and answered in the background."""
        who, name, text = command.who, command.name, command.text
        error = self.commands.precheck(name, text, who.context_paper) or await reply.refusal(command)
        if error:
            await reply.answer(error, ephemeral=True)
            return
        if name not in SLOW:
            answer = await self.commands.handle(who, name, text)
            await reply.answer(answer.text, ephemeral=answer.ephemeral)
            return
        await reply.started(name, text)
        # promised: a shutdown that cannot wait for it tells the person to ask again (bot/shutdown.py)
        self.background.spawn(self._later(command, reply),
                              promised=lambda line: reply.follow_up(f"/{name} {text.strip()[:300]}: {line}"))

    async def _later(self, command: Command, reply: Reply) -> None:
        name, channel = command.name, command.who.channel_id
        try:
            answer = await self.commands.handle(command.who, name, command.text)
            if answer.paper is None:  # a usage line or an error
                await reply.follow_up(answer.text)
                return
            answer.thread_ref = thread_for(command, answer)
            await deliver(self.adapter, self.store, channel, answer)
        except Exception as exc:  # a background task has nobody else to tell but the person who asked
            log.error("answering /%s in %s failed: %s", name, channel, exc)
            try:
                await reply.follow_up(not_posted(name, exc))
            except Exception as again:
                log.error("telling the user about it failed too: %s", again)

    # -- votes -------------------------------------------------------------------------------
    # Votes and marks are stored on the storage thread (Store.call), never on the event loop.
    async def reaction(self, event: Reaction) -> str | None:
        """Store one reaction's vote (or 👎 "not for us" mark); the paper it was on, or None when it was neither."""
        apply = votes.react if event.kind == "up" else marks.react
        paper = await self.store.call(apply, self.store, self.reactions, event, lane="votes")
        log.debug("reaction %r %s by %s on %s in %s: %s", event.name, "added" if event.added else "removed",
                  event.user_id, event.message_ref, event.channel_id,
                  f"{event.kind} on {paper}" if paper else "nothing")
        await self.refresher.voted(event.channel_id, paper)
        return paper

    async def tally(self, event: ReactionTally) -> str | None:
        """Anonymous up counts of a paper's message, kept as that many anonymous votes (and its 👎 count on a
        deep dive as that many anonymous marks)."""
        paper = await self.store.call(votes.tally, self.store, event, lane="votes")
        await self.refresher.voted(event.channel_id, paper)
        marked = await self.store.call(marks.tally, self.store, event)
        if marked != paper:
            await self.refresher.voted(event.channel_id, marked)
        return paper or marked

    async def vote_button(self, event: VoteButton) -> Vote | None:
        """A vote button toggles the person's vote for its paper (a 👎 button their "not for us" mark); None when
        it names no listed paper."""
        if not event.user_id:
            return None
        vote = await self.store.call(votes.press if event.kind == "up" else marks.press, self.store, event,
                                     lane="votes")
        if vote is not None:
            await self.refresher.voted(event.channel_id, vote.arxiv_id)
        return vote

    # -- lifetime ----------------------------------------------------------------------------
    def busy(self) -> set[asyncio.Task[None]]:
        return self.background.busy()

    async def close(self, stop_listening: Callable[[], Awaitable[None]]) -> None:
        """Drop the planned redraws (the counts are stored), take no more events, let answers under way finish."""
        await self.refresher.close()
        await stop_listening()
        await self.background.settle()


def thread_for(command: Command, answer: Answer) -> str | None:
    """Where a slow command's paper answer goes. An /ask that replies to a deep dive answers under the
    question (already in the paper's thread); otherwise under the day's digest when the paper is in it,
    else under the command's own message (none for a Slack slash command: a new message)."""
    if answer.reply is not None and command.who.context_paper:
        return command.reply_to
    return answer.thread_ref or command.reply_to
