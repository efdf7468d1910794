import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path

from analysis.models import Analysis, DeepDive, Score
from storage.migrations import MIGRATIONS
from storage.store import Store
from tests.helpers import day_papers


def test_migrations_from_an_empty_file_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    Store(path).close()
    store = Store(path)  # reopening applies nothing twice
    assert store.db.table("schema_version").get(1)["version"] == len(MIGRATIONS)
    assert {"papers", "scores", "analyses", "channels", "posts", "votes", "llm_usage"} <= set(store.db.table_names())
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_papers_keep_the_day_that_first_listed_them(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    papers = day_papers()[:3]
    store.save_papers(papers, "2026-01-22")
    store.save_papers([papers[0].model_copy(update={"upvotes": 999})], "2026-01-23")
    row = store.db.table("papers").get(papers[0].arxiv_id)
    assert row["first_seen"] == "2026-01-22" and row["upvotes"] == 999
    assert store.get_paper(papers[1].arxiv_id) == papers[1]
    assert store.day_has("2026-01-23", papers[0].arxiv_id) and not store.day_has("2026-01-23", papers[1].arxiv_id)


def test_saving_the_arxiv_copy_of_a_paper_keeps_what_hf_knew(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    hf = day_papers()[0].model_copy(update={"upvotes": 42, "ai_summary": "HF summary", "thumbnail": "https://t/1.png",
                                            "sources": ["hf", "arxiv"], "categories": ["cs.CV"]})
    others = [p.model_copy(update={"sources": ["arxiv"]}) for p in day_papers()[1:]]
    store.save_papers([hf, *others], "2026-01-22")
    arxiv = hf.model_copy(update={"upvotes": 0, "ai_summary": None, "thumbnail": None, "sources": ["arxiv"],
                                  "categories": ["cs.LG", "cs.CV"], "title": "arXiv's title"})
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.save_papers([arxiv, *others], "2026-01-21")  # a rerun of an earlier day's pool, arXiv only
    store.db.conn.set_trace_callback(None)
    got = store.get_paper(hf.arxiv_id)
    assert got is not None and got.upvotes == 42 and got.ai_summary == "HF summary" and got.thumbnail == hf.thumbnail
    assert got.sources == ["hf", "arxiv"] and got.categories == ["cs.LG", "cs.CV"] and got.title == hf.title
    assert store.db.table("papers").get(hf.arxiv_id)["first_seen"] == "2026-01-22"
    # a few statements for the whole batch, not a lookup per paper
    assert sum("from papers" in s.lower() for s in statements) <= 2 < len(others)
    newer = arxiv.model_copy(update={"upvotes": 50, "ai_summary": "newer"})
    store.save_papers([newer])
    got = store.get_paper(hf.arxiv_id)
    assert got is not None and got.upvotes == 50 and got.ai_summary == "newer"


def test_cache_is_keyed_by_paper_model_and_prompt_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.save_scores([Score(arxiv_id="2601.00001", score=77, reason="r")], "m1", "v1")
    assert store.cached_scores(["2601.00001"], "m1", "v1")["2601.00001"].score == 77
    assert store.cached_scores(["2601.00001"], "m2", "v1") == {}
    assert store.cached_scores(["2601.00001"], "m1", "v2") == {}
    dive = DeepDive(key_contribution="k", methodology=["m"], takeaways=["t"], limitations=["l"])
    store.save_analysis(Analysis(arxiv_id="2601.00001", deep_dive=dive, model="m1"), "m1", "v1")
    cached = store.cached_analysis("2601.00001", "m1", "v1")
    assert cached is not None and cached.deep_dive == dive
    assert store.cached_analysis("2601.00001", "m1", "v2") is None


def test_usage_and_spend_of_the_day(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.record_usage(kind="score", model="m", prompt_tokens=100, completion_tokens=10, cost_usd=0.25, ok=True)
    store.record_usage(kind="score", model="m", prompt_tokens=0, completion_tokens=0, cost_usd=0.0, ok=False)
    store.record_usage(kind="deep_dive", model="m", prompt_tokens=50, completion_tokens=500, cost_usd=0.5, ok=True)
    assert store.spent_today() == 0.75
    rows = {r["kind"]: r for r in store.usage_by_kind()}
    assert rows["score"]["calls"] == 2 and rows["deep_dive"]["completion_tokens"] == 500


def test_claims_new_busy_done_and_resume_after_a_dead_owner(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    assert store.claim_post("slack", "C1", "2026-01-23").state == "new"
    assert store.claim_post("slack", "C1", "2026-01-23", owner="elsewhere:1:x").state == "busy"
    assert store.begin_message("slack", "C1", "2026-01-23", "quick_view") == "new"
    store.quick_view_sent("slack", "C1", "2026-01-23", "111.1", [], None)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store.db.execute("update posts set owner = ?", [f"{_host()}:{dead.stdout.strip()}:x"])
    store.db.conn.commit()
    claim = store.claim_post("slack", "C1", "2026-01-23")
    assert claim.state == "resume" and claim.quick_view_ref == "111.1"
    store.finish_post("slack", "C1", "2026-01-23")
    assert store.claim_post("slack", "C1", "2026-01-23").state == "done"


def test_a_claim_released_before_anything_was_sent_can_be_taken_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.claim_post("telegram", "-100", "2026-01-23")
    store.release_post("telegram", "-100", "2026-01-23")
    assert store.post_status("telegram", "-100", "2026-01-23") is None
    assert store.claim_post("telegram", "-100", "2026-01-23", owner="other:1:y").state == "new"


def _claim(path: str, owner: str, queue: "multiprocessing.Queue[str]") -> None:
    queue.put(Store(path).claim_post("slack", "C1", "2026-01-23", owner=owner).state)


def test_two_processes_claiming_at_once_get_exactly_one_new(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    Store(path).close()
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_claim, args=(path, f"remote{i}:1:x", queue)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    states = sorted(queue.get(timeout=5) for _ in workers)
    assert states == ["busy", "busy", "busy", "new"]


def test_votes_one_per_person_and_events_seen_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    assert store.set_vote("slack", "C1", "2601.00001", "U1", True)
    assert not store.set_vote("slack", "C1", "2601.00001", "U1", True)
    assert store.set_vote("slack", "C1", "2601.00001", "U2", True)
    assert store.set_vote("slack", "C2", "2601.00001", "U1", True)
    assert store.vote_counts("slack", "C1") == {"2601.00001": 2}
    assert store.set_vote("slack", "C1", "2601.00001", "U1", False)
    assert not store.set_vote("slack", "C1", "2601.00001", "U1", False)
    assert store.vote_counts("slack", "C1") == {"2601.00001": 1}
    assert store.first_time("Ev1") and not store.first_time("Ev1")


def test_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    from storage.store import StoreError

    try:
        Store(tmp_path / "missing-dir" / "t.db")
    except StoreError as exc:
        assert "PAPERBOT_DB" in str(exc)
    else:
        raise AssertionError("opening a file in a missing directory should fail")


def _host() -> str:
    import socket

    return socket.gethostname()


def test_sqlite_itself_is_recent_enough() -> None:
    assert sqlite3.sqlite_version_info >= (3, 24)  # upsert syntax


def test_upgrading_a_version_1_database_keeps_its_data(tmp_path: Path) -> None:
    import sqlite_utils

    from storage.migrations import MIGRATIONS, migrate

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db.table("schema_version").create({"id": int, "version": int}, pk="id")
    db.table("schema_version").insert({"id": 1, "version": 0})
    MIGRATIONS[0](db)  # the schema as the first release left it
    db.table("schema_version").update(1, {"version": 1})
    db.table("votes").insert({"platform": "slack", "channel_id": "C1", "arxiv_id": "2601.00001", "user_id": "U1",
                              "created_at": "2026-01-23T08:30:00+00:00"})
    db.close()
    store = Store(path)
    assert store.db.table("schema_version").get(1)["version"] == len(MIGRATIONS) >= 2
    assert store.vote_counts("slack", "C1") == {"2601.00001": 1}
    assert migrate(store.db) == len(MIGRATIONS)  # idempotent


def test_a_vote_taken_back_is_withdrawn_not_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.set_vote("slack", "C1", "2601.00001", "U1", True)
    store.set_vote("slack", "C1", "2601.00001", "U1", False)
    assert store.vote_counts("slack", "C1") == {}
    assert store.db.table("votes").count == 1
    assert store.set_vote("slack", "C1", "2601.00001", "U1", True)  # voting again revives it
    assert store.vote_counts("slack", "C1") == {"2601.00001": 1}


def test_anonymous_tallies_follow_the_latest_count(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.set_anonymous_votes("telegram", "-1", "2601.00001", 3)
    store.set_vote("telegram", "-1", "2601.00001", "42", True)
    assert store.vote_counts("telegram", "-1") == {"2601.00001": 4}
    store.set_anonymous_votes("telegram", "-1", "2601.00001", 1)
    assert store.vote_counts("telegram", "-1") == {"2601.00001": 2}


def test_a_locked_database_is_waited_for(tmp_path: Path) -> None:
    import threading
    import time

    path = tmp_path / "t.db"
    store = Store(path)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("begin exclusive")
    releaser = threading.Timer(0.5, other.commit)
    releaser.start()
    started = time.monotonic()
    assert store.claim_post("slack", "C1", "2026-01-23").state == "new"  # waits instead of "database is locked"
    assert time.monotonic() - started >= 0.4
    releaser.join()


async def test_a_locked_database_is_one_line_off_the_loop_and_in_a_slow_command(tmp_path: Path) -> None:
    from bot.shared.slow import not_posted
    from storage.errors import BUSY_LINE, DatabaseBusy

    store = Store(tmp_path / "t.db")
    store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write lock
    try:
        try:
            await store.call(store.update_channel, "slack", "C1", threshold=70, wait_ms=100)
        except DatabaseBusy as exc:
            assert str(exc) == BUSY_LINE
        else:
            raise AssertionError("a write under another's lock succeeded")
        assert (await store.call(store.get_channel, "slack", "C1", wait_ms=100)).threshold == 60  # reads go on
        store.tune(busy_ms=100, synchronous="NORMAL", direct_busy_ms=100)
        try:
            store.record_usage(kind="score", model="m", prompt_tokens=1, completion_tokens=1, cost_usd=0.0, ok=True)
        except sqlite3.OperationalError as raw:  # what the LLM cache's writes still raise where they run
            line = not_posted("deepdive", raw)
            assert BUSY_LINE in line and "OperationalError" not in line, line
        else:
            raise AssertionError("a direct write under another's lock succeeded")
    finally:
        other.execute("COMMIT")
        other.close()
    store.close()


def test_migrations_out_of_order_fail_at_import_not_on_a_database() -> None:
    from storage.migrations import check_order

    check_order(MIGRATIONS)
    for wrong in ([*MIGRATIONS[:3], MIGRATIONS[4], MIGRATIONS[3]], [*MIGRATIONS, MIGRATIONS[-1]]):
        try:
            check_order(wrong)
        except RuntimeError as exc:
            assert "Renumber" in str(exc)
        else:
            raise AssertionError("a misordered list of migrations passed")


def test_old_posts_keep_their_listed_papers_and_messages_after_the_post_log_migrations(tmp_path: Path) -> None:
    import json

    import sqlite_utils

    from storage.migrations import migrate

    db = sqlite_utils.Database(tmp_path / "old.db")
    db.table("schema_version").create({"id": int, "version": int}, pk="id")
    db.table("schema_version").insert({"id": 1, "version": 0})
    for number, step in enumerate(MIGRATIONS[:8], start=1):  # a database from before the post log
        step(db)
        db.table("schema_version").update(1, {"version": number})
    db.table("posts").insert({"platform": "slack", "channel_id": "C1", "day": "2026-01-22", "status": "posted",
                              "quick_view_ref": "1.1", "summary": json.dumps(["2601.00001", "2601.00002"])})
    db.table("post_messages").insert_all([
        {"platform": "slack", "channel_id": "C1", "day": "2026-01-22", "kind": "quick_view", "message_ref": "1.1"},
        {"platform": "slack", "channel_id": "C1", "day": "2026-01-22", "kind": "deep_dive", "message_ref": "1.2",
         "arxiv_id": "2601.00002"}])
    db.conn.commit()
    migrate(db)
    db.close()
    store = Store(tmp_path / "old.db")
    assert store.listed_papers("slack", "C1", "1.1") == ["2601.00001", "2601.00002"]
    assert store.dived_before("slack", "C1", "2026-01-23") == {"2601.00002"}
    assert store.begin_message("slack", "C1", "2026-01-22", "dive:2601.00002") == "sent"
    store.close()
