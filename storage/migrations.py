"""Forward-only schema migrations. Append a function `_mNNN_what` to MIGRATIONS; never edit or reorder one.

The order is checked when this module is imported (`check_order`): the N-th entry must be named `_mN_…`,
so a merge that puts two migrations under one number, or out of order, fails at once instead of
skipping a step on databases that already ran one of them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.table("papers").create({
        "arxiv_id": str, "title": str, "abstract": str, "authors": str, "published": str,
        "upvotes": int, "source": str, "github": str, "first_seen": str,
    }, pk="arxiv_id")
    db.table("day_papers").create({"day": str, "arxiv_id": str, "rank": int}, pk=("day", "arxiv_id"))
    db.table("scores").create({
        "arxiv_id": str, "model": str, "prompt_version": str, "score": int, "reason": str, "created_at": str,
    }, pk=("arxiv_id", "model", "prompt_version"))
    db.table("analyses").create({
        "arxiv_id": str, "model": str, "prompt_version": str, "body": str, "used_model": str,
        "created_at": str,
    }, pk=("arxiv_id", "model", "prompt_version"))
    db.table("channels").create({
        "platform": str, "channel_id": str, "threshold": int, "post_time": str, "timezone": str,
        "active": int, "empty_note": int, "created_at": str, "updated_at": str,
    }, pk=("platform", "channel_id"))
    db.table("posts").create({
        "platform": str, "channel_id": str, "day": str, "status": str, "owner": str,
        "claimed_at": str, "finished_at": str, "quick_view_ref": str, "summary": str,
    }, pk=("platform", "channel_id", "day"))
    db.table("post_messages").create({
        "platform": str, "channel_id": str, "day": str, "arxiv_id": str, "kind": str,
        "position": int, "message_ref": str, "created_at": str,
    }, pk=("platform", "channel_id", "message_ref"))
    db.table("post_messages").create_index(["platform", "channel_id", "day", "arxiv_id"])
    db.table("votes").create({
        "platform": str, "channel_id": str, "arxiv_id": str, "user_id": str, "created_at": str,
    }, pk=("platform", "channel_id", "arxiv_id", "user_id"))
    db.table("seen_events").create({"event_id": str, "at": str}, pk="event_id")
    db.table("llm_usage").create({
        "id": int, "at": str, "day": str, "kind": str, "model": str, "prompt_tokens": int,
        "completion_tokens": int, "cost_usd": float, "ok": int,
    }, pk="id")
    db.table("llm_usage").create_index(["day"])


def _m002_votes_are_withdrawn_not_deleted(db: sqlite_utils.Database) -> None:
    db.table("votes").add_column("withdrawn_at", str)
    db.table("post_messages").create_index(["platform", "channel_id", "day"], if_not_exists=True)


def _m003_reactions(db: sqlite_utils.Database) -> None:
    # Which vote reactions each person has on which message: a vote stands while any of them does
    # (👍 and 🔥 on one deep dive, or :one: on the quick view and 👍 on the paper's own message).
    db.table("reactions").create({
        "platform": str, "channel_id": str, "message_ref": str, "user_id": str, "reaction": str,
        "present": int, "at": str,
    }, pk=("platform", "channel_id", "message_ref", "user_id", "reaction"))
    db.table("reactions").create_index(["platform", "channel_id", "user_id"])


def _m004_channel_topics(db: sqlite_utils.Database) -> None:
    # A Telegram forum supergroup subscribed from one of its topics gets the digest in that topic.
    db.table("channels").add_column("topic", str)


def _m005_paper_ai_summary(db: sqlite_utils.Database) -> None:
    # HF's ai_summary: what the report shows in a deep-dive slot when there is no LLM
    db.table("papers").add_column("ai_summary", str)


def _m006_full_texts_and_answers(db: sqlite_utils.Database) -> None:
    # A paper's extracted full text, compressed; body is null when only the abstract was found.
    db.table("paper_texts").create({
        "arxiv_id": str, "source": str, "chars": int, "body": bytes, "fetched_at": str,
    }, pk="arxiv_id")
    db.table("answers").create({
        "arxiv_id": str, "question": str, "model": str, "prompt_version": str, "body": str, "created_at": str,
    }, pk=("arxiv_id", "question", "model", "prompt_version"))
    db.table("papers").add_column("thumbnail", str)


def _m007_taste(db: sqlite_utils.Database) -> None:
    # Papers added to a taste by hand (`paperbot taste add/import`); votes join them from `votes`.
    # ('', '') is the default taste. No user ids: only votes need to know who.
    db.table("taste").create({"platform": str, "channel_id": str, "arxiv_id": str, "added_at": str},
                             pk=("platform", "channel_id", "arxiv_id"))
    # A channel's own interests (comma-separated); null = PAPERBOT_KEYWORDS.
    db.table("channels").add_column("keywords", str)
    # The digest a quick view shows (JSON), so a vote can redraw its counts in place.
    db.table("posts").add_column("view", str)


def _m008_pool_categories(db: sqlite_utils.Database) -> None:
    # A paper of the day's pool may come from HF, arXiv's listing or both (`source` then holds
    # "hf,arxiv"); the deep dive's header names its arXiv categories.
    db.table("papers").add_column("categories", str)


def _m009_post_log(db: sqlite_utils.Database) -> None:
    # Each digest message's intent, committed before the platform is called and confirmed after
    # (storage.post_log). Messages recorded before it count as sent.
    db.table("post_log").create({
        "platform": str, "channel_id": str, "day": str, "key": str, "arxiv_id": str, "state": str,
        "refs": str, "started_at": str, "sent_at": str,
    }, pk=("platform", "channel_id", "day", "key"))
    db.execute(
        "insert or ignore into post_log (platform, channel_id, day, key, arxiv_id, state, refs, started_at, sent_at) "
        "select platform, channel_id, day, case kind when 'deep_dive' then 'dive:' || arxiv_id else kind end, "
        "arxiv_id, 'sent', '[]', min(created_at), min(created_at) from post_messages "
        "where kind in ('quick_view', 'weekly') or (kind = 'deep_dive' and arxiv_id is not null) "
        "group by 1, 2, 3, 4")


def _m010_post_papers(db: sqlite_utils.Database) -> None:
    # Which papers a quick view listed, at which position (was a JSON list in posts.summary searched with LIKE).
    db.table("post_papers").create({"platform": str, "channel_id": str, "day": str, "position": int,
                                    "arxiv_id": str}, pk=("platform", "channel_id", "day", "position"))
    db.table("post_papers").create_index(["platform", "channel_id", "arxiv_id"])
    rows = db.execute("select platform, channel_id, day, summary from posts where summary is not null").fetchall()
    for platform, channel_id, day, summary in rows:
        try:
            listed = [str(pid) for pid in json.loads(summary)]
        except (ValueError, TypeError):
            continue
        db.conn.executemany("insert or ignore into post_papers values (?, ?, ?, ?, ?)",
                       [(platform, channel_id, day, n, pid) for n, pid in enumerate(listed)])


def _m011_announcements_and_seen(db: sqlite_utils.Database) -> None:
    # An arXiv announcement's listing (feed or API window), kept so a rerun of that day asks nothing.
    db.table("arxiv_announcements").create({
        "day": str, "categories": str, "papers": str, "replaced": str, "source": str, "stored_at": str,
    }, pk=("day", "categories"))
    # What each channel was shown: papers (version 0) and new versions of liked papers (kind 'update').
    db.table("channel_seen").create({
        "platform": str, "channel_id": str, "arxiv_id": str, "version": int, "kind": str, "day": str, "at": str,
    }, pk=("platform", "channel_id", "kind", "arxiv_id", "version"))
    # The arXiv announcements each channel's digests took: the next morning starts after the latest.
    db.table("channel_announcements").create({"platform": str, "channel_id": str, "day": str, "at": str},
                                             pk=("platform", "channel_id", "day"))


def _m012_marks_and_follows(db: sqlite_utils.Database) -> None:
    # 👎 "not for us": one mark per person, paper and channel, withdrawn rather than deleted (like votes);
    # user_id '' is a mark made with `paperbot taste add --not`. And each channel's followed authors.
    db.table("marks").create({
        "platform": str, "channel_id": str, "arxiv_id": str, "user_id": str, "created_at": str,
        "withdrawn_at": str,
    }, pk=("platform", "channel_id", "arxiv_id", "user_id"))
    db.table("follows").create({"platform": str, "channel_id": str, "name_key": str, "name": str, "added_at": str},
                               pk=("platform", "channel_id", "name_key"))


MIGRATIONS: list[Migration] = [_m001_initial, _m002_votes_are_withdrawn_not_deleted, _m003_reactions,
                               _m004_channel_topics, _m005_paper_ai_summary,
                               _m006_full_texts_and_answers, _m007_taste, _m008_pool_categories,
                               _m009_post_log, _m010_post_papers,
                               _m011_announcements_and_seen, _m012_marks_and_follows]


def check_order(migrations: list[Migration]) -> None:
    """The N-th migration is named `_mN_…` (zero-padded to three digits): numbers unique, gap-free, in order."""
    for number, step in enumerate(migrations, start=1):
        found = re.match(r"_m(\d{3})_", step.__name__)
        if found is None or int(found[1]) != number:
            raise RuntimeError(f"storage.migrations: entry {number} of MIGRATIONS is {step.__name__}; each must be "
                               f"named _m{number:03d}_… in order. Renumber the migrations added at the end.")


check_order(MIGRATIONS)


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration past the stored version, each in its own transaction; return the version."""
    if "schema_version" not in db.table_names():
        db.table("schema_version").create({"id": int, "version": int}, pk="id")
        db.table("schema_version").insert({"id": 1, "version": 0})
    version = int(db.table("schema_version").get(1)["version"])
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            step(db)
            db.table("schema_version").update(1, {"version": number})
    return len(MIGRATIONS)
