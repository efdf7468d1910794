"""A database locked by another process, through the real `paperbot serve`: a command is answered within a
second with one line saying so (never HTTP 500, never an exception's name), and works again once it is free."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from storage.errors import BUSY_LINE
from tests.fakes.slack import FakeSlack
from tests.helpers import free_port
from tests.test_serve import CHANNEL, port_open, slash


def test_a_command_under_a_held_lock_is_acked_at_once_with_one_line(env: dict, slack_env: dict,
                                                                   slack: FakeSlack) -> None:
    port = free_port()
    script = str(Path(sys.executable).parent / "paperbot")
    run_env = {**os.environ, "PAPERBOT_PORT": str(port)}
    subprocess.run([script, "channel", "add", "slack", CHANNEL], env=run_env, check=True, capture_output=True)
    proc = subprocess.Popen([script, "serve"], env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        (busy_took, busy), (free_took, free) = asyncio.run(_under_a_lock(port, env["PAPERBOT_DB"]))
    finally:
        proc.terminate()
        err = proc.communicate(timeout=30)[1]
    print(f"/threshold under a held write lock acked in {busy_took:.2f} s; once free in {free_took:.2f} s")
    assert busy.status_code == 200 and BUSY_LINE in busy.text, busy.text
    assert "OperationalError" not in busy.text and "locked" not in busy.text
    assert busy_took < 1.0, busy_took
    assert free.status_code == 200 and "Threshold set to 70" in free.text, free.text
    assert "Traceback" not in err and "OperationalError" not in err, err[-2000:]


async def _under_a_lock(port: int, db: str) -> tuple[tuple[float, httpx.Response], tuple[float, httpx.Response]]:
    await port_open(port)
    async with httpx.AsyncClient(timeout=10) as client:
        await slash(client, port, "")  # serve is warm: the first command's imports are not what is measured
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another process's write, held for as long as this test needs
        try:
            busy = await slash(client, port, "70")
        finally:
            locker.execute("COMMIT")
            locker.close()
        return busy, await slash(client, port, "70")
