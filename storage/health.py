"""The database as `paperbot check` sees it: it opens, it can be written, and its schema is current."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.migrations import MIGRATIONS


def check_database(path: str) -> str:
    """A one-line description of a healthy database, or StoreError saying what is wrong and how to fix it.

    A missing file is created and migrated, as any command would; the write is a transaction rolled back, so
    the check changes nothing and waits at most 2 s for another process's write lock.
    """
    from storage.store import Store, StoreError

    store = Store(path)
    try:
        version = int(store.db.table("schema_version").get(1)["version"])
        store.db.conn.execute("PRAGMA busy_timeout = 2000")
        try:
            store.db.conn.execute("begin immediate")
            store.db.conn.execute("rollback")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"PAPERBOT_DB {path} cannot be written now ({exc}); another process may hold "
                             "its write lock, or the disk is full") from None
    finally:
        store.close()
    size = Path(path).stat().st_size if Path(path).exists() else 0
    return f"{path}: writable, schema version {version} of {len(MIGRATIONS)}, {size / 1e6:.1f} MB"
