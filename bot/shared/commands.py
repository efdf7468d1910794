"""Chat commands, parsed, validated and answered once for every platform.

Adapters turn a platform's request into (Invocation, name, text), call `Commands.handle`, and render
the Answer in their own markup. Nothing here knows Slack or Telegram.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from analysis.engine import Engine
from analysis.errors import BadInput, PaperbotError
from analysis.pipeline import analyse, find_paper
from analysis.ranking.view import ChannelView
from analysis.sources.ids import USAGE as ID_USAGE
from analysis.sources.ids import parse_arxiv_id
from bot.config import Settings
from bot.shared import ask_command, follow_commands, taste_commands
from bot.shared.answers import Answer, Invocation
from bot.shared.channels import THRESHOLD_USAGE, parse_subscribe, parse_threshold, subscribe_cli
from bot.shared.taste_stats import stats_text, taste_stats
from bot.shared.views import score_in_view
from storage.chat import Channel
from storage.store import Store, today

COMMANDS = {
    "deepdive": "/deepdive <arxiv-id> — a deep dive of any paper",
    "threshold": "/threshold [0-100] — show or set this channel's score bar for deep dives",
    "subscribe": "/subscribe [HH:MM] [Zone] — get the digest here every morning",
    "unsubscribe": "/unsubscribe — stop the morning digest here",
    "status": "/status — this channel's settings, last digest, votes and today's LLM cost",
    "ask": ask_command.DESCRIPTION,
    "keywords": "/keywords [a, b, c] — show or set this channel's interests (scoring and deep dives)",
    "top": "/top [days] — this channel's most voted papers of the last 7 (or N) days",
    "follow": "/follow [author name] — follow an author (their papers always scored, 👤), or list the followed",
    "unfollow": "/unfollow <author name> — stop following an author",
    "taste": "/taste — how well the ranking served this channel's 👍 and 👎 over the last 30 days",
    "help": "/help — this list",
}


ChannelListener = Callable[[Channel], None]
T = TypeVar("T")
# A command's database call waits this long for another process's write lock (retried by SQLite on the
# storage thread), then the person reads storage.errors.BUSY_LINE: well inside Slack's 3 s for an ack.
COMMAND_WAIT_MS = 500


class Commands:
    def __init__(self, settings: Settings, store: Store, engine: Engine) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.listeners: list[ChannelListener] = []  # the scheduler re-plans on every change

    def precheck(self, name: str, text: str, context_paper: str | None = None) -> str | None:
        """The one-line error for input that is wrong on its face, before any slow work is started,
        so platforms that must answer within seconds (Slack) can say it in their first reply."""
        try:
            name = name.lower().lstrip("/")
            if name == "deepdive":
                if not text.strip():
                    raise BadInput(f"Usage: /deepdive <arxiv-id> — {ID_USAGE}.")
                parse_arxiv_id(text.strip().split()[0])
            elif name == "threshold" and text.strip():
                parse_threshold(text)
            elif name == "subscribe":
                parse_subscribe(text)
            elif name == "ask":
                ask_command.precheck(text, context_paper)
            elif name == "keywords" and text.strip():
                taste_commands.parse_keywords(text)
            elif name == "top":
                taste_commands.parse_days(text)
            elif name == "follow" and text.strip():
                follow_commands.parse_names(text)
            elif name == "unfollow":
                follow_commands.parse_names(text, follow_commands.UNFOLLOW_USAGE)
        except BadInput as exc:
            return str(exc)
        return None

    async def handle(self, who: Invocation, name: str, text: str) -> Answer:
        name = name.lower().lstrip("/")
        try:
            if name == "deepdive":
                return await self.deepdive(who, text)
            if name == "threshold":
                return await self.threshold(who, text)
            if name == "subscribe":
                return await self.subscribe(who, text)
            if name == "unsubscribe":
                return await self.unsubscribe(who)
            if name == "status":
                return await self.db(self.status, who)
            if name == "ask":
                found = await ask_command.answer(self.engine, who, text)
                assert found.paper is not None
                found.thread_ref, _ = await self.db(self.in_latest_digest, who, found.paper.arxiv_id)
                return found
            if name == "keywords":
                return await self.keywords(who, text)
            if name == "top":
                days = taste_commands.parse_days(text)
                return Answer(await self.db(taste_commands.top_text, self.store, who.platform, who.channel_id, days))
            if name in ("follow", "unfollow"):
                return await self.follow(who, name, text)
            if name == "taste":
                # a month of stored rankings to read (~0.3 s for 30 days of 500 papers): not on the event loop
                stats = await self.db(taste_stats, self.store, who.platform, who.channel_id)
                return Answer(stats_text(stats))
            if name in ("help", "start"):
                return Answer(help_text(), ephemeral=True)
            return Answer(f"Unknown command /{name}. " + help_text(), ephemeral=True)
        except PaperbotError as exc:
            return Answer(str(exc), ephemeral=True)

    async def deepdive(self, who: Invocation, text: str) -> Answer:
        if not text.strip():
            raise BadInput(f"Usage: /deepdive <arxiv-id> — {ID_USAGE}.")
        paper = await find_paper(self.engine, text.strip().split()[0])
        analysis = await analyse(self.engine, paper)
        thread, score = await self.db(self.in_latest_digest, who, paper.arxiv_id)
        return Answer(paper=paper, analysis=analysis, score=score, thread_ref=thread)

    async def db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """A command's storage work, on the commands' own storage thread (never the event loop)."""
        return await self.store.call(fn, *args, wait_ms=COMMAND_WAIT_MS, lane="commands", **kwargs)

    def in_latest_digest(self, who: Invocation, arxiv_id: str) -> tuple[str | None, int | None]:
        """(the digest's thread, the paper's score) when the channel's latest digest lists it; on the storage
        thread (it reads the post, the stored view and the score cache)."""
        post = self.store.last_post(who.platform, who.channel_id)
        if not post or not post.get("quick_view_ref"):
            return None, None
        if not self.store.day_has(str(post["day"]), arxiv_id):
            return None, None
        ref = str(post["quick_view_ref"])
        shown = score_in_view(self.store, who.platform, who.channel_id, ref, arxiv_id)
        if shown is not None:
            return ref, shown
        score = self.engine.ranker.cached_score(arxiv_id, ChannelView(self.engine.profile))
        return ref, score.score if score else None

    async def threshold(self, who: Invocation, text: str) -> Answer:
        channel = await self.db(self.store.get_channel, who.platform, who.channel_id)
        current = channel.threshold if channel else self.settings.threshold
        if not text.strip():
            return Answer(f"This channel's threshold is {current}: papers scoring {current} or more get a "
                          "deep dive. " + THRESHOLD_USAGE, ephemeral=True)
        value = parse_threshold(text)
        await self._require_admin(who, "change the threshold")
        if channel is None:
            channel = await self._subscribe(who, threshold=value)
            return Answer(f"Threshold set to {value} (was {current}), and this channel is now subscribed: "
                          f"digest every day at {channel.post_time} {channel.timezone}.", ephemeral=True)
        await self.db(self.store.update_channel, who.platform, who.channel_id, threshold=value)
        return Answer(f"Threshold set to {value} (was {current}).", ephemeral=True)

    async def keywords(self, who: Invocation, text: str) -> Answer:
        channel = await self.db(self.store.get_channel, who.platform, who.channel_id)
        if not text.strip():
            current = channel.keywords if channel else ()
            return Answer(taste_commands.show_keywords(current, self.settings.keywords), ephemeral=True)
        words = taste_commands.parse_keywords(text)
        await self._require_admin(who, "change this channel's interests")
        if channel is None:
            await self._subscribe(who)
        await self.db(self.store.update_channel, who.platform, who.channel_id,
                      keywords=", ".join(words) if words else None)
        shown = ", ".join(words) if words else "the default ones (" + ", ".join(self.settings.keywords) + ")"
        return Answer(f"This channel's interests are now {shown}; tomorrow's digest is scored for them.")

    async def follow(self, who: Invocation, name: str, text: str) -> Answer:
        if name == "follow" and not text.strip():
            return Answer(follow_commands.list_text(self.store, who.platform, who.channel_id), ephemeral=True)
        if name == "unfollow":
            await self._require_admin(who, "change the followed authors")
            return Answer(follow_commands.unfollow(self.store, who.platform, who.channel_id, text))
        names = follow_commands.parse_names(text)
        await self._require_admin(who, "change the followed authors")
        return Answer(follow_commands.follow(self.store, who.platform, who.channel_id, names))

    async def subscribe(self, who: Invocation, text: str) -> Answer:
        time, zone = parse_subscribe(text)
        await self._require_admin(who, "subscribe this chat or change its post time")
        channel = await self._subscribe(who, time=time, zone=zone)
        return Answer(f"Subscribed: the digest comes here every day at {channel.post_time} {channel.timezone}, "
                      f"with deep dives of papers scoring {channel.threshold}+.")

    async def unsubscribe(self, who: Invocation) -> Answer:
        await self._require_admin(who, "unsubscribe this chat")
        if not await self.db(self.store.deactivate_channel, who.platform, who.channel_id):
            return Answer("This channel is not subscribed.", ephemeral=True)
        await self._notify(who)
        return Answer("Unsubscribed: no more morning digests here. /subscribe brings them back.")

    def status(self, who: Invocation) -> Answer:  # on the storage thread: it only reads
        channel = self.store.get_channel(who.platform, who.channel_id)
        lines = []
        if channel and channel.active:
            lines.append(f"Subscribed: digest at {channel.post_time} {channel.timezone}, "
                         f"threshold {channel.threshold}.")
        else:
            lines.append("Not subscribed here (/subscribe to get the morning digest).")
        post = self.store.last_post(who.platform, who.channel_id)
        if post:
            lines.append(f"Last digest: {post['day']} ({post['status']}).")
        votes = self.store.vote_counts(who.platform, who.channel_id)
        if votes:
            top = sorted(votes.items(), key=lambda kv: -kv[1])[:5]
            lines.append("Most voted: " + ", ".join(f"{pid} 👍 {n}" for pid, n in top) + ".")
        marked = self.store.mark_counts(who.platform, who.channel_id)
        if marked:
            lines.append(f"Marked not for us (👎): {len(marked)} paper(s); they get no deep dive here.")
        follows = self.store.follows(who.platform, who.channel_id)
        if follows:
            lines.append("Following: " + ", ".join(follows) + ".")
        spent = self.store.spent_today()
        calls = sum(int(r["calls"]) for r in self.store.usage_by_kind(today()))  # type: ignore[call-overload]
        lines.append(f"LLM today: {calls} calls, ${spent:.4f}"
                     + (f" of ${self.settings.llm_daily_budget_usd:g} budget." if
                        self.settings.llm_daily_budget_usd is not None else "."))
        return Answer("\n".join(lines), ephemeral=True)

    # -- helpers -----------------------------------------------------------------------------
    async def _require_admin(self, who: Invocation, action: str) -> None:
        if who.is_admin is not None and not await who.is_admin():
            raise BadInput(f"Only chat administrators can {action}.")

    async def _subscribe(self, who: Invocation, *, threshold: int | None = None, time: str | None = None,
                         zone: str | None = None) -> Channel:
        channel = await self.db(subscribe_cli, self.store, self.settings.channel_defaults, who.platform,
                                who.channel_id, threshold=threshold, time=time, zone=zone, topic=who.topic)
        await self._notify(who)
        return channel

    async def _notify(self, who: Invocation) -> None:
        channel = await self.db(self.store.get_channel, who.platform, who.channel_id)
        if channel is not None:  # the listeners (the scheduler's jobs) live on the loop
            for listener in self.listeners:
                listener(channel)


def help_text() -> str:
    return "paperbot commands:\n" + "\n".join(COMMANDS.values())
