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
    _warn(f"{path}: history database is damaged ({reason}); moved aside to {aside.name} (kept, not deleted) "
          f"and a new history was started")
    return aside


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
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
                conn.execute("ROLLBACK")
                raise
        version = _retry(step)


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = NORMAL")
        problems = [r[0] for r in _retry(lambda: conn.execute("PRAGMA quick_check").fetchall())]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:2]))
        _migrate(conn, path)
        return conn
    except BaseException:
        conn.close()
        raise


def connect(path: Path | None = None) -> sqlite3.Connection:
    """An open, migrated connection; a damaged file is moved aside and a new one started."""
    if path is None:
        where = paths.data_dir(create=False)
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RehearseError(str(where), f"cannot create the data folder for the history "
                                            f"({exc.strerror or exc}; {paths.ENV} sets another)") from None
        path = paths.history_db()
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RehearseError(str(path.parent), f"cannot create the history folder ({exc.strerror or exc})") from None
    for _ in range(3):
        try:
            inode = path.stat().st_ino if path.exists() else None
            return _open(path)
        except RehearseError:
            raise
        except sqlite3.DatabaseError as exc:
            if not (_is_corrupt(exc) or type(exc) is sqlite3.DatabaseError):
                raise RehearseError(str(path), f"cannot use the history database ({exc})") from None
            _move_aside(path, str(exc), inode)
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
            conn.execute("ROLLBACK")
            raise
    return _retry(attempt)


# ---- API --------------------------------------------------------------------------------------
def _utc(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the user's local time
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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
    conn = connect(db)
    try:
        return _write(conn, lambda c: c.execute(sql, list(row.values())).lastrowid)
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


def _all(conn: sqlite3.Connection, since: str | None = None, until: str | None = None) -> list[Session]:
    """Sessions oldest first, each with its attempt number among sessions of the same question."""
    rows = _retry(lambda: conn.execute(f"SELECT {SUMMARY} FROM sessions ORDER BY created_at, id").fetchall())
    counts: dict[str, int] = {}
    out = []
    for row in rows:
        key = row["question_key"]
        attempt = None
        if key:
            counts[key] = attempt = counts.get(key, 0) + 1
        if (since is None or row["created_at"] >= since) and (until is None or row["created_at"] <= until):
            out.append(_session(row, attempt))
    return out


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
    conn = connect(db)
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
    row = _retry(lambda: conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone())
    if row is None:
        raise RehearseError(f"session {session_id}", "no such session (rehearse history lists them)")
    return row


def get(session_id: int, db: Path | None = None) -> Session:
    """One stored session (its summary columns), with its attempt number."""
    conn = connect(db)
    try:
        _row(conn, session_id)
        return next(s for s in _all(conn) if s.id == session_id)
    finally:
        conn.close()


def get_report_json(session_id: int, db: Path | None = None) -> str:
    """The report JSON exactly as stored with a session."""
    conn = connect(db)
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
    conn = connect(db)
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
    m = re.fullmatch(r"(\d+)\s*([dw])", text.lower())
    if m:
        days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        return datetime.now().astimezone() - timedelta(days=days)
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
    if not text.strip().isdigit():
        raise RehearseError(text, "not a session id (a number from rehearse history, or 'last')")
    return int(text)


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
