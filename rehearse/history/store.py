"""History store: every analysed answer, one row each, in a local SQLite file.

The database is `rehearse.paths.history_db()` (REHEARSE_HOME moves it). It runs in WAL mode
with a busy timeout, and every write is one short `BEGIN IMMEDIATE` transaction retried while
another process holds the lock, so several rehearse processes can save at once. The schema
is versioned with `PRAGMA user_version`: MIGRATIONS[i] takes a database from version i to
i + 1, each in its own transaction. A file SQLite cannot read (not a database, or damaged) is
renamed aside — kept, never deleted — with a one-line warning, and a new history is started.

Public API (other commands call these): `save(report, source) -> id`, `sessions(...)`,
`get(id)`, `get_report(id)`, `delete(id, audio=False)`.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rehearse import paths
from rehearse.errors import RehearseError
from rehearse.models import Report, Session

SOURCES = ("analyze", "practice", "interview")
BUSY_TIMEOUT_S = 10.0      # SQLite waits this long for a lock before giving up once...
RETRY_FOR_S = 60.0         # ...and a locked write is retried, with jitter, for this long in all
CORRUPT_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
APPLICATION_ID = 0x52485253  # "RHRS": `PRAGMA application_id` marks the file as rehearse's history
IO_RETRY_FOR_S = 30.0        # an I/O error (a -wal file removed under another process) is retried this long
FULL_BELOW_BYTES = 1 << 20   # an I/O error with less free space than this is a full disk

T = TypeVar("T")

# ---- schema ---------------------------------------------------------------------------------
# Version 1: the first schema shipped (the headline numbers and the full report JSON).
SCHEMA_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    question TEXT,
    question_id TEXT,
    duration_s REAL NOT NULL,
    words_per_minute REAL NOT NULL,
    fillers_per_minute REAL NOT NULL,
    action_share REAL NOT NULL,
    action_dominant INTEGER NOT NULL,
    report_json TEXT NOT NULL
);
CREATE INDEX sessions_created_at ON sessions (created_at);
"""

# Version 2: every column the issue asks for, and a key that groups attempts of one question.
V2_COLUMNS = {
    "audio_path": "TEXT",
    "question_key": "TEXT",
    "principles": "TEXT NOT NULL DEFAULT '[]'",
    "level": "TEXT",
    "target_s": "REAL",
    "rubric": "TEXT",
    "rehearse_version": "TEXT",
    "span_s": "REAL",
    "word_count": "INTEGER",
    "articulation_wpm": "REAL",
    "filled_pauses_per_minute": "REAL",
    "markers_per_minute": "REAL",
    "long_pauses": "INTEGER",
    "long_pauses_per_minute": "REAL",
    "shares": "TEXT NOT NULL DEFAULT '{}'",
    "structure_score": "REAL",
}


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    for name, decl in V2_COLUMNS.items():
        conn.execute(f"ALTER TABLE sessions ADD COLUMN {name} {decl}")
    conn.execute("CREATE INDEX sessions_question_key ON sessions (question_key)")
    for row_id, report_json in conn.execute("SELECT id, report_json FROM sessions").fetchall():
        cols = columns(json.loads(report_json))
        new = {k: cols[k] for k in V2_COLUMNS}
        conn.execute(f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in new)} WHERE id = ?", [*new.values(), row_id])


def _create_v1(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1.split(";"):  # not executescript: it would commit the open transaction
        if statement.strip():
            conn.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _create_v1,        # 0 -> 1
    _migrate_1_to_2,   # 1 -> 2
]
CURRENT_VERSION = len(MIGRATIONS)


# ---- what is stored ---------------------------------------------------------------------------
def question_key(question_id: str | None, text: str | None) -> str | None:
    """Attempts of one question share this: the bank id, else the text in lower case without punctuation."""
    if question_id:
        return f"id:{question_id.strip().lower()}"
    if text and text.strip():
        return "text:" + " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    return None


def columns(report: dict[str, Any]) -> dict[str, Any]:
    """The stored columns, from a report as JSON data (also used to fill new columns of old rows)."""
    pacing = report.get("pacing") or {}
    star = report.get("star") or {}
    question = report.get("question") or {}
    minutes = max(float(pacing.get("speaking_span_s") or 0) / 60, 1e-6)
    fillers = report.get("fillers") or []
    principles = list(question.get("principles") or [])
    asked = (star.get("asked_principle") or {}).get("name")
    if asked and asked not in principles:
        principles.append(asked)
    shares = {s["label"]: round(float(s.get("share") or 0), 4) for s in star.get("sections") or []}
    score = star.get("score") or {}
    long_pauses = len(report.get("pauses") or [])
    return {
        "file": report.get("file") or "",
        "audio_path": report.get("audio_path"),
        "question": question.get("text"),
        "question_id": question.get("id"),
        "question_key": question_key(question.get("id"), question.get("text")),
        "principles": json.dumps(principles),
        "level": question.get("level"),
        "target_s": question.get("target_s"),
        "rubric": star.get("rubric"),
        "rehearse_version": report.get("rehearse_version"),
        "duration_s": float(report.get("duration_s") or 0),
        "span_s": pacing.get("speaking_span_s"),
        "word_count": pacing.get("word_count"),
        "words_per_minute": float(pacing.get("words_per_minute") or 0),
        "articulation_wpm": pacing.get("articulation_wpm"),
        "fillers_per_minute": float(report.get("fillers_per_minute") or 0),
        "filled_pauses_per_minute": round(sum(f.get("kind") == "filled_pause" for f in fillers) / minutes, 2),
        "markers_per_minute": round(sum(f.get("kind") == "discourse_marker" for f in fillers) / minutes, 2),
        "long_pauses": long_pauses,
        "long_pauses_per_minute": round(long_pauses / minutes, 2),
        "action_share": float(star.get("action_share") or 0),
        "shares": json.dumps(shares),
        "action_dominant": int(bool(star.get("action_dominant"))),
        "structure_score": score.get("total"),
    }


# ---- connection -------------------------------------------------------------------------------
def _warn(message: str) -> None:
    print(f"rehearse: warning: {message}", file=sys.stderr)


def _is_corrupt(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorname", "") in CORRUPT_CODES


def _is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
        or "locked" in str(exc) or "busy" in str(exc))


def _retry(action: Callable[[], T]) -> T:
    """Run `action`, again and again while another process holds the database lock."""
    deadline = time.monotonic() + RETRY_FOR_S
    delay = 0.02
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.5)


def _move_aside(path: Path, reason: str, inode: int | None) -> Path | None:
    """Rename a damaged database (and its WAL files) next to itself; never delete it."""
    try:
        if inode is not None and path.stat().st_ino != inode:
            return None  # another process already moved it and started a new one
    except FileNotFoundError:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        path.rename(aside)
    except FileNotFoundError:
        return None
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + suffix))
    return aside


def _readable_rows(source: sqlite3.Connection) -> tuple[list[dict], int]:
    """Every session row of a damaged database that can still be read, and how many rows there were
    (as far as the damage lets them be counted)."""
    ids: list[int] = []
    for sql in ("SELECT id FROM sessions ORDER BY id", "SELECT id FROM sessions INDEXED BY sessions_created_at",
                "SELECT rowid FROM sessions"):
        try:
            ids = sorted({r[0] for r in source.execute(sql).fetchall()})
            break
        except sqlite3.Error:
            continue
    rows = []
    for session_id in ids:
        try:
            row = source.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        except sqlite3.Error:
            continue
        if row is not None:
            rows.append(dict(zip(row.keys(), tuple(row))))
    return rows, len(ids)


def _copy_rows(rows: list[dict], into: sqlite3.Connection) -> int:
    wanted = {r[1] for r in into.execute("PRAGMA table_info(sessions)")}

    def work(c: sqlite3.Connection) -> int:
        n = 0
        for row in rows:
            data = {k: v for k, v in row.items() if k in wanted}
            try:
                c.execute(f"INSERT OR IGNORE INTO sessions ({', '.join(data)}) VALUES ({', '.join('?' * len(data))})",
                          list(data.values()))
                n += 1
            except sqlite3.IntegrityError:  # a required column lost in the damage
                continue
        return n
    return _write(into, work)


def _salvage(aside: Path, into: sqlite3.Connection) -> tuple[int, int]:
    """Copy the readable sessions of the damaged file moved aside into the new history."""
    try:
        source = sqlite3.connect(aside, timeout=BUSY_TIMEOUT_S)
        source.row_factory = sqlite3.Row
    except sqlite3.Error:
        return 0, 0
    try:
        rows, total = _readable_rows(source)
    finally:
        source.close()
    return _copy_rows(rows, into) if rows else 0, total


def _salvage_in_memory(path: Path, reason: str) -> sqlite3.Connection:
    """A damaged history that cannot be moved aside (read-only): its readable sessions, in memory."""
    from urllib.parse import quote

    conn = _empty()
    try:
        source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
        source.row_factory = sqlite3.Row
        rows, total = _readable_rows(source)
        source.close()
    except sqlite3.Error:
        rows, total = [], 0
    copied = _copy_rows(rows, conn) if rows else 0
    _warn(f"{path}: history database is damaged ({reason}) and read-only, so it cannot be mended: "
          f"showing the {copied} of {total} sessions that can still be read")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def _check_owner(conn: sqlite3.Connection, path: Path) -> bool:
    """True when the file is rehearse's (marked, or an older rehearse history, or empty); another
    program's SQLite database at the path is refused, never adopted. False: not yet marked."""
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app == APPLICATION_ID:
        return True
    tables = _tables(conn)
    ours = "sessions" in tables and "report_json" in {r[1] for r in conn.execute("PRAGMA table_info(sessions)")}
    if app != 0 or (tables and not ours):
        raise RehearseError(str(path), "is not a rehearse history: another program's SQLite database is at this path "
                                       f"(move it away, or set {paths.ENV} to keep the history elsewhere)")
    return False


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version and "sessions" not in _tables(conn):  # an empty file that claims a schema: start it again
        version = 0
        conn.execute("PRAGMA user_version = 0")
    if version > CURRENT_VERSION:
        raise RehearseError(str(path), f"history was written by a newer rehearse (schema v{version}, this one knows "
                                       f"v{CURRENT_VERSION}); upgrade rehearse")
    while version < CURRENT_VERSION:
        def step(version: int = version) -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
                if now == version:
                    MIGRATIONS[version](conn)
                    conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
                return conn.execute("PRAGMA user_version").fetchone()[0]
            except BaseException:
                _rollback(conn)
                raise
        version = _retry(step)


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open; a failing ROLLBACK never hides the error that
    made it necessary (a full disk said "cannot rollback - no transaction is active")."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = NORMAL")
        problems = [r[0] for r in _retry(lambda: conn.execute("PRAGMA quick_check").fetchall())]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:2]))
        marked = _check_owner(conn, path)
        _migrate(conn, path)
        if not marked:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        return conn
    except BaseException:
        conn.close()
        raise


def _open_readonly(path: Path) -> sqlite3.Connection:
    """The history for reading only: opened read-only (a read-only file or folder can be read),
    never changed; an older schema is migrated in a copy in memory."""
    from urllib.parse import quote

    conn = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):  # immutable: no -shm can be made beside it
        try:
            conn = sqlite3.connect(f"file:{quote(str(path))}?{flags}", uri=True, timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None)
            conn.row_factory = sqlite3.Row
            problems = [r[0] for r in _retry(lambda c=conn: c.execute("PRAGMA quick_check").fetchall())]
            break
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
                conn = None
            if _is_corrupt(exc) or "immutable" in flags:
                raise
    assert conn is not None
    try:
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:2]))
        _check_owner(conn, path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > CURRENT_VERSION:
            raise RehearseError(str(path), f"history was written by a newer rehearse (schema v{version}, this one "
                                           f"knows v{CURRENT_VERSION}); upgrade rehearse")
        if version < CURRENT_VERSION or "sessions" not in _tables(conn):
            memory = sqlite3.connect(":memory:", isolation_level=None)
            memory.row_factory = sqlite3.Row
            conn.backup(memory)
            conn.close()
            conn = memory
            _migrate(conn, path)
        return conn
    except BaseException:
        conn.close()
        raise


def _empty() -> sqlite3.Connection:
    """An empty history in memory (a reading command where no history exists yet)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    _migrate(conn, Path(":memory:"))
    return conn


def _is_io(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN",
                                                         "SQLITE_READONLY"))
        or "disk I/O error" in str(exc))


def _problem(exc: BaseException, path: Path) -> str:
    """The real cause of a failed open or write, in words: a full disk is named as such even when
    SQLite only says "disk I/O error" (it could not make its -wal or -shm file)."""
    name = getattr(exc, "sqlite_errorname", "")
    try:
        st = os.statvfs(path.parent)
        free = st.f_bavail * st.f_frsize
    except OSError:
        free = None
    if name.startswith("SQLITE_FULL") or (free is not None and free < FULL_BELOW_BYTES
                                          and (name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "I/O" in str(exc))):
        return f"the disk is full ({'database or disk is full' if name.startswith('SQLITE_FULL') else str(exc)}; " \
               f"{(free or 0) // 1024} kB free)"
    if name.startswith("SQLITE_READONLY") or (name.startswith("SQLITE_CANTOPEN") and not os.access(path.parent, os.W_OK)):
        return f"the history is read-only ({exc})"
    return str(exc)


def connect(path: Path | None = None, readonly: bool = False) -> sqlite3.Connection:
    """An open, migrated connection; a damaged file is moved aside (its readable sessions copied
    into the new history) and a new one started. `readonly`: for commands that only read."""
    if path is None:
        where = paths.data_dir(create=False)
        if readonly and not (where / "history.sqlite3").exists():
            return _empty()
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RehearseError(str(where), f"cannot create the data folder for the history "
                                            f"({exc.strerror or exc}; {paths.ENV} sets another)") from None
        path = paths.history_db()
    path = Path(path)
    if readonly and path.exists() and os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
        readonly = False  # writable: opened as for a write, so an old schema is migrated, a damaged file mended
    if readonly:
        if not path.exists():
            return _empty()
        try:
            return _open_readonly(path)
        except RehearseError:
            raise
        except sqlite3.DatabaseError as exc:
            if not (_is_corrupt(exc) or type(exc) is sqlite3.DatabaseError):
                raise RehearseError(str(path), f"cannot read the history database ({_problem(exc, path)})") from None
            if not os.access(path.parent, os.W_OK):
                return _salvage_in_memory(path, str(exc))
            # damaged and writable: mended below, as a write would
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RehearseError(str(path.parent), f"cannot create the history folder ({exc.strerror or exc})") from None
    deadline = time.monotonic() + IO_RETRY_FOR_S
    attempts = 0
    while attempts < 3:
        try:
            inode = path.stat().st_ino if path.exists() else None
            return _open(path)
        except RehearseError:
            raise
        except sqlite3.DatabaseError as exc:
            if _is_io(exc) and "the disk is full" not in _problem(exc, path) and "read-only" not in _problem(exc, path) \
                    and time.monotonic() < deadline:
                time.sleep(0.5)  # a -wal file removed under another process: it is restored when that one closes
                continue
            if not (_is_corrupt(exc) or type(exc) is sqlite3.DatabaseError):
                raise RehearseError(str(path), f"cannot use the history database ({_problem(exc, path)})") from None
            attempts += 1
            aside = _move_aside(path, str(exc), inode)
            if aside is not None:
                try:
                    conn = _open(path)
                except sqlite3.Error:
                    continue
                copied, total = _salvage(aside, conn)
                _warn(f"{path}: history database is damaged ({exc}); moved aside to {aside.name} (kept, not deleted); "
                      f"{copied} of {total} sessions could still be read and were copied into a new history")
                return conn
        except OSError as exc:
            raise RehearseError(str(path), f"cannot open the history database ({exc.strerror or exc})") from None
    raise RehearseError(str(path), "history database is still unreadable after moving it aside")


def _write(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """One short write transaction, retried while another process writes."""
    def attempt() -> T:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
            return result
        except BaseException:
            _rollback(conn)
            raise
    return _retry(attempt)


# ---- API --------------------------------------------------------------------------------------
def _utc(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    try:
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a naive time is the user's local time
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError):  # at the ends of the calendar (0001-01-01, 9999-12-31): no zone shift
        return moment.replace(tzinfo=UTC).isoformat(timespec="seconds")


def save(report: Report, source: str, created_at: datetime | None = None, db: Path | None = None) -> int:
    """Store one analysed answer; returns its session id.

    `source` is "analyze", "practice" or "interview". The question comes from `report.question`,
    the kept recording from `report.audio_path`. `created_at` defaults to now.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    data = json.loads(report.model_dump_json())
    row = {"created_at": _utc(created_at), "source": source, **columns(data), "report_json": json.dumps(data)}
    if row["file"] and Path(row["file"]).exists():  # the history outlives the folder it was run from
        row["file"] = str(Path(row["file"]).resolve())
    sql = f"INSERT INTO sessions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    deadline = time.monotonic() + IO_RETRY_FOR_S
    while True:
        conn = connect(db)
        where = Path(db) if db is not None else paths.history_db()
        try:
            return _write(conn, lambda c: c.execute(sql, list(row.values())).lastrowid)
        except sqlite3.Error as exc:
            problem = _problem(exc, where)
            if _is_io(exc) and "disk is full" not in problem and "read-only" not in problem \
                    and time.monotonic() < deadline:
                time.sleep(0.5)  # e.g. a -wal file removed under another process holding the history
                continue
            raise RehearseError(str(where), f"cannot save to the history ({problem})") from None
        finally:
            conn.close()


SUMMARY = ", ".join(["id", "created_at", "source", "file", *[c for c in V2_COLUMNS if c not in ("rehearse_version",)],
                     "question", "question_id", "duration_s", "words_per_minute", "fillers_per_minute", "action_share",
                     "action_dominant"])


def _session(row: sqlite3.Row, attempt: int | None) -> Session:
    data = {k: row[k] for k in row.keys() if k not in ("report_json", "rehearse_version")}  # noqa: SIM118 (a Row iterates values)
    data["principles"] = json.loads(data.get("principles") or "[]")
    data["shares"] = json.loads(data.get("shares") or "{}")
    data["action_dominant"] = bool(data["action_dominant"])
    data["attempt"] = attempt
    return Session.model_validate(data)


def _all(conn: sqlite3.Connection, since: str | None = None, until: str | None = None,
         warn_damaged: bool = True) -> list[Session]:
    """Sessions oldest first, each with its attempt number among sessions of the same question."""
    rows = _retry(lambda: conn.execute(f"SELECT {SUMMARY} FROM sessions ORDER BY created_at, id").fetchall())
    counts: dict[str, int] = {}
    out = []
    damaged = []
    for row in rows:
        problem = _damage(row)
        if problem:
            damaged.append((row["id"], problem))
            continue
        key = row["question_key"]
        attempt = None
        if key:
            counts[key] = attempt = counts.get(key, 0) + 1
        if (since is None or row["created_at"] >= since) and (until is None or row["created_at"] <= until):
            out.append(_session(row, attempt))
    if damaged and warn_damaged:
        ids = ", ".join(str(i) for i, _ in damaged[:5]) + (", ..." if len(damaged) > 5 else "")
        _warn(f"history: skipped {len(damaged)} damaged session{'s' if len(damaged) != 1 else ''} "
              f"({ids}: {damaged[0][1]}); rehearse delete ID removes one")
    return out


def _damage(row: sqlite3.Row) -> str | None:
    """What is wrong with a stored row that cannot be shown (a bad date, unreadable data), or None."""
    try:
        datetime.fromisoformat(row["created_at"])
    except (TypeError, ValueError):
        return f"bad date {str(row['created_at'])[:30]!r}"
    try:
        _session(row, None)
    except (ValueError, TypeError, KeyError):  # unreadable JSON columns, a missing value
        return "unreadable data"
    return None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _principle_names(asked: str) -> set[str]:
    """The canonical principle name and what was typed, normalised, for matching stored principles."""
    names = {_norm(asked)}
    try:
        from rehearse import rubric
        from rehearse.star.principles import resolve

        principle = resolve(asked, rubric.load("principles"))
        names |= {_norm(principle["name"]), *(_norm(a) for a in principle.get("aliases", []))}
    except RehearseError:
        pass
    return names


def sessions(last: int | None = None, since: datetime | None = None, until: datetime | None = None,
             principle: str | None = None, question: str | None = None, source: str | None = None,
             db: Path | None = None) -> list[Session]:
    """Stored sessions, oldest first, filtered; `last` keeps the most recent N of those that match.

    `question` matches a question id exactly or any part of the question text (any case);
    `principle` matches a principle the question probes (by name or alias).
    """
    conn = connect(db, readonly=True)
    try:
        found = _all(conn, _utc(since) if since else None, _utc(until) if until else None)
    finally:
        conn.close()
    if principle:
        wanted = _principle_names(principle)
        found = [s for s in found if wanted & {_norm(p) for p in s.principles}]
    if question:
        q = _norm(question)
        found = [s for s in found if (s.question_id and _norm(s.question_id) == q) or (s.question and q in _norm(s.question))]
    if source:
        found = [s for s in found if s.source == source]
    if last is not None:
        found = found[-last:] if last > 0 else []
    return found


def _row(conn: sqlite3.Connection, session_id: int) -> sqlite3.Row:
    if not 0 < session_id < 2**63:
        raise RehearseError(f"session {session_id}", "no such session (rehearse history lists them)")
    row = _retry(lambda: conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone())
    if row is None:
        raise RehearseError(f"session {session_id}", "no such session (rehearse history lists them)")
    return row


def get(session_id: int, db: Path | None = None) -> Session:
    """One stored session (its summary columns), with its attempt number."""
    conn = connect(db, readonly=True)
    try:
        row = _row(conn, session_id)
        found = next((s for s in _all(conn, warn_damaged=False) if s.id == session_id), None)
        if found is None:
            raise RehearseError(f"session {session_id}", f"is damaged in the history ({_damage(row)}) and cannot be shown; "
                                                         f"rehearse delete {session_id} removes it")
        return found
    finally:
        conn.close()


def get_report_json(session_id: int, db: Path | None = None) -> str:
    """The report JSON exactly as stored with a session."""
    conn = connect(db, readonly=True)
    try:
        return _row(conn, session_id)["report_json"]
    finally:
        conn.close()


def get_report(session_id: int, db: Path | None = None) -> Report:
    """The full report stored with a session."""
    text = get_report_json(session_id, db)
    try:
        return Report.model_validate_json(text)
    except ValueError as exc:
        raise RehearseError(f"session {session_id}", f"stored report cannot be read by this rehearse ({exc.__class__.__name__})") from None


def latest_id(db: Path | None = None) -> int | None:
    conn = connect(db, readonly=True)
    try:
        row = conn.execute("SELECT id FROM sessions ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def delete(session_id: int, audio: bool = False, db: Path | None = None) -> tuple[Session, Path | None]:
    """Remove one session. Its kept recording is deleted only when `audio` is true, and only when no
    other session uses the same file. Returns the removed session and the deleted recording, if any."""
    session = get(session_id, db)
    conn = connect(db)
    try:
        def work(c: sqlite3.Connection) -> int:
            c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if session.audio_path is None:
                return 0
            return c.execute("SELECT count(*) FROM sessions WHERE audio_path = ?", (session.audio_path,)).fetchone()[0]
        others = _write(conn, work)
    finally:
        conn.close()
    removed = None
    if audio and session.audio_path and others == 0:
        target = Path(session.audio_path)
        if target.is_file():
            try:
                target.unlink()
                removed = target
            except OSError as exc:
                raise RehearseError(str(target), f"session deleted but its recording could not be ({exc.strerror})") from None
    return session, removed


def parse_when(text: str, end_of_day: bool = False) -> datetime:
    """A date for --since/--until: YYYY-MM-DD, an ISO date and time, or 'N days/weeks ago' as Nd / Nw."""
    text = text.strip()
    m = re.fullmatch(r"([0-9]+)\s*([dw])", text.lower())
    if m:
        days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        try:
            return datetime.now().astimezone() - timedelta(days=days)
        except (OverflowError, ValueError):  # further back than the calendar goes: since the beginning
            return datetime.min.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RehearseError(text, "not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM, or 7d / 2w for days / weeks ago") from None
    if end_of_day and len(text) == 10:  # a bare date as --until includes the whole day
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def session_id(text: str, db: Path | None = None) -> int:
    """A session id typed by the user: a number, or `last` for the most recent session."""
    if text.strip().lower() == "last":
        found = latest_id(db)
        if found is None:
            raise RehearseError("last", "no sessions saved yet (analyse an answer: rehearse analyze answer.wav)")
        return found
    if not re.fullmatch(r"[0-9]+", text.strip()):
        raise RehearseError(text, "not a session id (a number from rehearse history, or 'last')")
    number = int(text)
    if not 0 < number < 2**63:
        raise RehearseError(f"session {text.strip()}", "no such session (rehearse history lists them)")
    return number


def save_quietly(report: Report, source: str) -> int | None:
    """`save`, for commands whose report is already printed: a history problem becomes a one-line
    warning (the analysis is not lost with it) and None instead of an error."""
    try:
        return save(report, source)
    except RehearseError as exc:
        _warn(f"{exc.subject}: not saved to history: {exc.problem}")
        return None


def csv_rows(sessions: list[Session]) -> tuple[list[str], list[dict]]:
    """The header and one CSV row per session (`rehearse export`, the History page's export): every stored
    column; principles joined with ' | ', shares as share_<section>."""
    labels: list[str] = []
    for s in sessions:
        labels += [k for k in s.shares if k not in labels]
    out = []
    for s in sessions:
        data = s.model_dump(mode="json")
        shares = data.pop("shares")
        data["principles"] = " | ".join(data["principles"])
        data.update({f"share_{k}": shares.get(k) for k in labels})
        out.append(data)
    header = list(out[0]) if out else [k for k in Session.model_fields if k != "shares"]
    return header, out
