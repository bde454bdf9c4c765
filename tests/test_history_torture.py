"""The history under damage: broken pages, bad rows, a full disk (a small tmpfs: tests run as
root in CI), the -wal file removed under a process holding it, another program's SQLite file,
a read-only file system. Nothing the user saved is lost that can still be read, and every
command ends with exit 0 or one line and exit 2."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AUDIO, SAMPLES


@pytest.fixture(scope="module")
def report(analyzed):
    return analyzed(SAMPLES[0])


def cli(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "REHEARSE_HOME": str(home)})


def one_line(run: subprocess.CompletedProcess) -> str:
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 2 and len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    return lines[0]


def filled(home: Path, report, n: int) -> Path:
    from rehearse.history import store

    db = home / "history.sqlite3"
    for _ in range(n):
        store.save(report, "analyze", db=db)
    return db


def count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def mount_tmpfs(where: Path, size: str) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (these tests run as root, as in CI): {run.stderr.strip()}")
    return where


def fill_disk(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_damaged_pages_readable_sessions_are_salvaged(tmp_path, report):
    db = filled(tmp_path, report, 5)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    original = db.read_bytes()
    for page in range(2, len(original) // 4096):  # break one overflow chain: one session unreadable
        data = bytearray(original)
        data[page * 4096: page * 4096 + 4] = (99999).to_bytes(4, "big")
        db.write_bytes(bytes(data))
        conn = sqlite3.connect(db)
        readable = 0
        try:
            ids = [i for (i,) in conn.execute("SELECT id FROM sessions").fetchall()]
        except sqlite3.DatabaseError:  # this page held the table itself: try the next one
            ids = []
        for i in ids:
            try:
                conn.execute("SELECT report_json FROM sessions WHERE id = ?", (i,)).fetchone()
                readable += 1
            except sqlite3.DatabaseError:
                pass
        conn.close()
        if readable == 4:
            break
    assert readable == 4
    run = cli(tmp_path, "history", "--json")
    assert run.returncode == 0, run.stderr
    assert "4 of 5 sessions" in run.stderr and "moved aside" in run.stderr
    assert len(json.loads(run.stdout)["sessions"]) == 4
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*"))) >= 1  # the damaged file is kept


@pytest.mark.parametrize("damage", ["UPDATE sessions SET created_at = 'not a date' WHERE id = 2",
                                    "UPDATE sessions SET report_json = '{oops', principles = '[', shares = 'x' WHERE id = 2"])
def test_a_bad_row_is_skipped_with_a_warning(tmp_path, report, damage):
    db = filled(tmp_path, report, 3)
    conn = sqlite3.connect(db)
    conn.execute(damage)
    conn.commit()
    conn.close()
    for args in (["history"], ["progress"], ["progress", "--json"], ["export", "--csv", "-"], ["compare", "1", "3"],
                 ["show", "1"]):
        run = cli(tmp_path, *args)
        assert run.returncode == 0 and "Traceback" not in run.stderr, (args, run.stderr)
    run = cli(tmp_path, "history", "--json")
    assert [s["id"] for s in json.loads(run.stdout)["sessions"]] == [1, 3]
    assert "skipped 1 damaged session" in run.stderr
    assert "damaged" in one_line(cli(tmp_path, "show", "2", "--json" if "oops" in damage else "--explain"))


def test_disk_full_names_the_real_cause(tmp_path, report):
    mnt = mount_tmpfs(tmp_path / "small", "400k")
    try:
        filled(mnt, report, 1)
        fill_disk(mnt / "filler")
        from rehearse.errors import RehearseError
        from rehearse.history import store

        with pytest.raises(RehearseError) as caught:
            store.save(report, "analyze", db=mnt / "history.sqlite3")
        assert "disk is full" in str(caught.value), caught.value
        (mnt / "filler").unlink()
        assert count(mnt / "history.sqlite3") == 1  # what was saved before is intact
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_wal_removed_under_a_holder_is_retried(tmp_path, report):
    db = filled(tmp_path, report, 1)
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, time
c = sqlite3.connect({str(db)!r}, isolation_level=None)
c.execute("INSERT INTO sessions (created_at, source, file, duration_s, words_per_minute, fillers_per_minute, "
          "action_share, action_dominant, report_json) SELECT created_at, source, file, duration_s, words_per_minute, "
          "fillers_per_minute, action_share, action_dominant, report_json FROM sessions WHERE id = 1")
print("ready", flush=True)
time.sleep(3)
c.close()
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    Path(f"{db}-wal").unlink()
    from rehearse.history import store

    new_id = store.save(report, "analyze", db=db)  # retried until the holder closes and its WAL is checkpointed
    holder.wait(timeout=30)
    assert new_id == 3 and count(db) == 3


def test_another_programs_sqlite_is_refused_not_adopted(tmp_path, report):
    db = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    for args in (["history"], ["progress"], ["show", "1"]):
        assert "not a rehearse history" in one_line(cli(tmp_path, *args))
    from rehearse.errors import RehearseError
    from rehearse.history import store

    with pytest.raises(RehearseError):
        store.save(report, "analyze", db=db)
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    conn.close()
    ours = filled(tmp_path / "ours", report, 1)
    conn = sqlite3.connect(ours)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID
    conn.close()


def test_read_only_history_can_be_read(tmp_path, report):
    mnt = mount_tmpfs(tmp_path / "ro", "4m")
    try:
        filled(mnt, report, 3)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        for args in (["history", "--json"], ["progress"], ["show", "2"], ["export", "--csv", "-"]):
            run = cli(mnt, *args)
            assert run.returncode == 0 and "Traceback" not in run.stderr, (args, run.stderr)
        assert len(json.loads(cli(mnt, "history", "--json").stdout)["sessions"]) == 3
        run = cli(mnt, "analyze", str(AUDIO / f"{SAMPLES[0]}.wav"), "--json")  # analysed, not saved: one warning
        assert run.returncode == 0 and "read-only" in run.stderr and json.loads(run.stdout)["duration_s"] > 0
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_history_lists_every_session(tmp_path, report):
    filled(tmp_path, report, 23)
    assert len(json.loads(cli(tmp_path, "history", "--json").stdout)["sessions"]) == 23
    assert len(json.loads(cli(tmp_path, "progress", "--json").stdout)["sessions"]) == 20
