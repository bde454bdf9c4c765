"""History store and the progress commands: real SQLite files in temporary folders, real reports
of the bundled recordings (real Whisper model), real subprocesses writing at once."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import AUDIO, PRACTICE_WEEK, load_truth, rehearse, write_wav

from rehearse.history import store as history
from rehearse.history.progress import progress_sessions, select, summarize
from rehearse.models import Question, Report

# The first schema rehearse shipped, frozen here as it was (history.py may change, this may not).
V1_DDL = """
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
PRAGMA user_version = 1;
"""

QUESTION = Question(text="Tell me about a time you took ownership of a problem nobody owned.", id="own-01",
                    principles=["Ownership"], level="new grad", target_s=120)
OTHER = Question(text="Describe a time you disagreed with a decision.", principles=["Have Backbone; Disagree and Commit"])


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh data directory for this test only (the CLI subprocesses inherit it)."""
    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def one_line_error(run) -> str:
    assert run.code == 2, (run.code, run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rehearse: error: "), run.err
    assert "Traceback" not in run.err
    return lines[0]


# ---- the store ----------------------------------------------------------------------------------
def test_save_stores_the_numbers_and_the_full_report(tmp_path, analyzed):
    db = tmp_path / "h.sqlite3"
    report: Report = analyzed("filler_heavy").model_copy(update={"question": QUESTION})
    sid = history.save(report, "practice", db=db)
    s = history.get(sid, db=db)
    assert (s.source, s.question, s.question_id, s.principles, s.level, s.target_s) == (
        "practice", QUESTION.text, "own-01", ["Ownership"], "new grad", 120)
    assert s.words_per_minute == report.pacing.words_per_minute
    assert s.articulation_wpm == report.pacing.articulation_wpm
    assert s.fillers_per_minute == report.fillers_per_minute
    minutes = report.pacing.speaking_span_s / 60
    filled = sum(f.kind == "filled_pause" for f in report.fillers)
    assert filled > 0 and s.filled_pauses_per_minute == pytest.approx(filled / minutes, abs=0.01)
    assert s.markers_per_minute == pytest.approx((len(report.fillers) - filled) / minutes, abs=0.01)
    assert s.long_pauses == len(report.pauses)
    assert s.action_share == report.star.action_share and s.action_dominant == report.star.action_dominant
    assert s.shares == {x.label: pytest.approx(x.share, abs=1e-4) for x in report.star.sections}
    assert s.structure_score == report.star.score.total
    assert history.get_report(sid, db=db).model_dump() == report.model_dump()

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.CURRENT_VERSION
        stored = json.loads(conn.execute("SELECT report_json FROM sessions WHERE id = ?", (sid,)).fetchone()[0])
    assert stored["transcript"] == report.transcript


WRITER = """
import json, sys, time
from pathlib import Path
from rehearse.history import store as history
from rehearse.models import Report
report = Report.model_validate_json(Path(sys.argv[1]).read_text())
db, source, n, go = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])
while not go.exists():
    time.sleep(0.001)
times = []
ids = []
for _ in range(n):
    ids.append(history.save(report, source, db=db))
    times.append(time.time())
print(json.dumps({"ids": ids, "times": times}))
"""


def test_two_processes_writing_at_once_both_succeed(tmp_path, analyzed):
    """Two real processes start on a database that does not exist yet (both create the schema) and
    save 40 answers each as fast as they can, interleaved."""
    report_file = tmp_path / "report.json"
    report_file.write_text(analyzed("strong_answer").model_dump_json())
    db, go, n = tmp_path / "shared.sqlite3", tmp_path / "go", 40
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(report_file), str(db), source, str(n), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for source in ("practice", "interview")]
    time.sleep(1.0)  # both imported and waiting
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    a, b = results
    # they really wrote at the same time: each saved while the other was saving
    assert a["times"][0] < b["times"][-1] and b["times"][0] < a["times"][-1]
    interleaved = sorted([(t, "a") for t in a["times"]] + [(t, "b") for t in b["times"]])
    switches = sum(x[1] != y[1] for x, y in itertools.pairwise(interleaved))
    assert switches >= 3, interleaved
    stored = history.sessions(db=db)
    assert len(stored) == 2 * n
    assert sorted(s.id for s in stored) == sorted(a["ids"] + b["ids"])
    assert sum(s.source == "practice" for s in stored) == n and sum(s.source == "interview" for s in stored) == n
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_save_waits_for_a_long_write_by_another_process(tmp_path, analyzed):
    """While this process holds the write lock for 2 s, a real second process saves: it waits
    (busy timeout and retry) and succeeds once the lock is released, and both rows are kept."""
    report_file = tmp_path / "report.json"
    report_file.write_text(analyzed("we_answer").model_dump_json())
    db, go = tmp_path / "h.sqlite3", tmp_path / "go"
    first = history.save(analyzed("we_answer"), "analyze", db=db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE sessions SET source = 'practice' WHERE id = ?", (first,))
    go.touch()
    held = time.time()
    other = subprocess.Popen([sys.executable, "-c", WRITER, str(report_file), str(db), "interview", "1", str(go)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    assert other.poll() is None  # still waiting for the lock
    conn.execute("COMMIT")
    conn.close()
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    saved = json.loads(out)
    assert saved["times"][0] - held >= 2.0
    assert [(s.id, s.source) for s in history.sessions(db=db)] == [(first, "practice"), (saved["ids"][0], "interview")]


def test_garbage_database_is_moved_aside_and_kept(home):
    home.mkdir(parents=True)
    db = home / "history.sqlite3"
    garbage = b"these are not the bytes of an SQLite database\n" * 200
    db.write_bytes(garbage)
    run = rehearse("progress")
    assert run.code == 0, run.err
    warning = run.err.strip().splitlines()
    assert len(warning) == 1 and "damaged" in warning[0] and str(db) in warning[0], run.err
    aside = [p for p in home.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(aside) == 1 and aside[0].name in warning[0]
    assert aside[0].read_bytes() == garbage  # kept exactly as it was
    assert "No sessions saved yet" in run.out
    with sqlite3.connect(db) as conn:  # a new, working history took its place
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.CURRENT_VERSION


def test_damaged_pages_are_found_and_the_file_kept(tmp_path, analyzed, capsys):
    db = tmp_path / "h.sqlite3"
    for name in ("strong_answer", "we_answer", "context_heavy"):
        history.save(analyzed(name), "analyze", db=db)
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0
    size = db.stat().st_size
    with db.open("r+b") as fh:  # the header is intact; some pages in the middle are overwritten
        fh.seek(size // 3)
        fh.write(bytes(range(256)) * 24)
    damaged = db.read_bytes()
    kept = history.sessions(db=db)  # the sessions that can still be read are copied into the new history
    err = capsys.readouterr().err
    assert "damaged" in err and "moved aside" in err and len(err.strip().splitlines()) == 1
    assert f"{len(kept)} of " in err and len(kept) < 3
    aside = list(tmp_path.glob("h.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    sid = history.save(analyzed("strong_answer"), "analyze", db=db)  # the new history works
    assert [s.id for s in history.sessions(db=db)][-1] == sid


def test_first_schema_version_is_migrated(tmp_path, analyzed):
    """A history file written with schema v1 (the first shipped) gains every v2 column, filled from the
    stored report JSON, and keeps its rows and ids."""
    db = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript(V1_DDL)
    rows = [("2026-01-05T09:00:00+00:00", "practice", analyzed("context_heavy").model_copy(update={"question": QUESTION})),
            ("2026-01-07T09:00:00+00:00", "analyze", analyzed("we_answer")),
            ("2026-01-09T09:00:00+00:00", "practice", analyzed("strong_answer").model_copy(update={"question": QUESTION}))]
    for created, source, r in rows:
        q = r.question
        conn.execute("INSERT INTO sessions (created_at, source, file, question, question_id, duration_s, words_per_minute,"
                     " fillers_per_minute, action_share, action_dominant, report_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (created, source, r.file, q.text if q else None, q.id if q else None, r.duration_s,
                      r.pacing.words_per_minute, r.fillers_per_minute, r.star.action_share, int(r.star.action_dominant),
                      r.model_dump_json()))
    conn.execute("DELETE FROM sessions WHERE id = 2")  # a gap in the ids, as after a delete
    conn.execute("INSERT INTO sessions SELECT 4, '2026-01-08T09:00:00+00:00', source, file, question, question_id, duration_s,"
                 " words_per_minute, fillers_per_minute, action_share, action_dominant, report_json FROM sessions WHERE id = 3")
    conn.commit()
    conn.close()

    migrated = history.sessions(db=db)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == history.CURRENT_VERSION == 2
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [s.id for s in migrated] == [1, 4, 3]  # oldest first by date
    first, _, last = migrated
    context, strong = rows[0][2], rows[2][2]
    assert first.articulation_wpm == context.pacing.articulation_wpm
    assert first.structure_score == context.star.score.total
    assert first.shares["situation"] == pytest.approx(context.star.sections[0].share, abs=1e-4)
    assert first.long_pauses == len(context.pauses)
    assert first.question_key == last.question_key == "id:own-01" and first.principles == ["Ownership"]
    assert (first.attempt, migrated[1].attempt, last.attempt) == (1, 2, 3)
    assert last.markers_per_minute is not None and last.rubric == "STAR"
    assert history.get_report(3, db=db).transcript == strong.transcript
    new = history.save(strong, "analyze", db=db)  # and it takes new rows after the old ids
    assert new == 5


def test_newer_schema_is_refused_with_one_line(home):
    home.mkdir(parents=True)
    with sqlite3.connect(home / "history.sqlite3") as conn:  # a history a newer rehearse wrote
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, created_at TEXT, report_json TEXT)")
        conn.execute(f"PRAGMA application_id = {history.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 99")
    line = one_line_error(rehearse("history"))
    assert "newer rehearse" in line and "v99" in line
    assert (home / "history.sqlite3").exists()


# ---- filters and questions ----------------------------------------------------------------------
@pytest.fixture
def dated(tmp_path, analyzed):
    """Six saved answers a day apart: three attempts of one question, one of another, two without."""
    db = tmp_path / "h.sqlite3"
    start = datetime(2026, 3, 1, 10, 0)
    plan = [("context_heavy", QUESTION), ("filler_heavy", None), ("we_answer", QUESTION), ("we_answer", OTHER),
            ("strong_answer", QUESTION), ("filler_heavy", None)]
    ids = [history.save(analyzed(n).model_copy(update={"question": q}), "practice" if q else "analyze",
                        created_at=start + timedelta(days=i), db=db) for i, (n, q) in enumerate(plan)]
    return db, ids, analyzed


def test_filters_last_dates_principle_question(dated):
    db, ids, _ = dated
    assert [s.id for s in select(last=2, db=db)[0]] == ids[-2:]
    assert [s.id for s in select(since="2026-03-02", until="2026-03-04", db=db)[0]] == ids[1:4]
    assert [s.id for s in select(principle="owner", db=db)[0]] == [ids[0], ids[2], ids[4]]  # alias of Ownership
    assert [s.id for s in select(principle="disagree and commit", db=db)[0]] == [ids[3]]
    assert [s.id for s in select(question="own-01", db=db)[0]] == [ids[0], ids[2], ids[4]]
    assert [s.id for s in select(question="DISAGREED with", db=db)[0]] == [ids[3]]
    assert [s.id for s in select(question="own-01", last=2, db=db)[0]] == [ids[2], ids[4]]
    assert [s.id for s in select(source="analyze", db=db)[0]] == [ids[1], ids[5]]
    assert select(since="2027-01-01", db=db)[0] == []


def test_attempts_of_one_question_are_grouped(dated):
    db, ids, analyzed = dated
    sessions, filters = select(db=db)
    progress = summarize(sessions, filters)
    assert [s.attempt for s in sessions] == [1, None, 2, 1, 3, None]
    assert len(progress.questions) == 1  # the other question was answered once
    group = progress.questions[0]
    assert group.question == QUESTION.text and group.sessions == [ids[0], ids[2], ids[4]]
    action = next(t for t in group.trends if t.metric == "action_share")
    first, last = analyzed("context_heavy").star.action_share, analyzed("strong_answer").star.action_share
    assert action.first == pytest.approx(first, abs=1e-4) and action.last == pytest.approx(last, abs=1e-4)
    assert action.direction == "up" and action.better is True
    assert action.words.startswith(f"Action share up from {first * 100:.0f} % to {last * 100:.0f} % over 3 attempts")


def test_cli_filters_and_bad_input(home, analyzed):
    for i, name in enumerate(("context_heavy", "strong_answer")):
        history.save(analyzed(name).model_copy(update={"question": QUESTION}), "practice",
                     created_at=datetime(2026, 4, 1 + i, 12))
    run = rehearse("history", "--by-question")
    assert run.code == 0, run.err
    assert "(2 attempts)" in run.out and "Tell me about a time you took ownership" in run.out
    listed = json.loads(rehearse("history", "--json", "--since", "2026-04-02").out)["sessions"]
    assert [s["created_at"][:10] for s in listed] == ["2026-04-02"]
    assert "not a date" in one_line_error(rehearse("progress", "--since", "last tuesday"))
    assert "--last" in one_line_error(rehearse("progress", "--last", "zero"))
    assert "after --until" in one_line_error(rehearse("progress", "--since", "2026-05-01", "--until", "2026-04-01"))
    assert "no such session" in one_line_error(rehearse("show", "99"))
    assert "not a session id" in one_line_error(rehearse("compare", "1", "two"))
    assert "no such session" in one_line_error(rehearse("delete", "42"))
    filtered = rehearse("progress", "--principle", "Dive Deep")
    assert filtered.code == 0 and "No sessions match" in filtered.out


def test_delete_keeps_the_recording_unless_asked(home, tmp_path, analyzed):
    kept = []
    for i in range(2):
        audio = tmp_path / f"take{i}.wav"
        shutil.copy(AUDIO / "strong_answer.wav", audio)
        kept.append(audio)
        history.save(analyzed("strong_answer").model_copy(update={"audio_path": str(audio)}), "practice")
    run = rehearse("delete", "1")
    assert run.code == 0, run.err
    assert "was kept" in run.out and kept[0].exists()
    assert [s.id for s in history.sessions()] == [2]
    run = rehearse("delete", "last", "--audio")
    assert run.code == 0, run.err
    assert "Deleted its recording" in run.out and not kept[1].exists()
    assert history.sessions() == []
    assert "no such session" in one_line_error(rehearse("show", "2"))


# ---- from real recordings, through the real command line ------------------------------------------
ORDER = PRACTICE_WEEK  # filler_heavy, context_heavy, we_answer, strong_answer: a made-up practice week


@pytest.fixture(scope="module")
def practised(practised_cli):
    """The bundled recordings analysed one after another with `rehearse analyze` (saved by default),
    then one more with --no-save (conftest's practised_cli: run once per test run, into a history of
    its own)."""
    assert practised_cli["order"] == ORDER
    for run in [*practised_cli["runs"], practised_cli["skipped"], practised_cli["progress"]]:
        assert run["code"] == 0, (run["args"], run["err"])
    return (Path(practised_cli["home"]), [run["out"] for run in practised_cli["runs"]],
            json.loads(practised_cli["progress"]["out"]), json.loads(practised_cli["skipped"]["out"]))


@pytest.fixture
def in_practised(practised, monkeypatch):
    monkeypatch.setenv("REHEARSE_HOME", str(practised[0]))
    return practised


def test_history_fills_itself_and_no_save_skips(practised):
    home, outputs, progress, skipped = practised
    assert all(f"Saved as session {i}" in out for i, out in enumerate(outputs, 1))
    sessions = progress["sessions"]
    assert len(sessions) == len(ORDER)  # the --no-save run is not there
    assert skipped["transcript"] and (home / "history.sqlite3").exists()
    for s, name in zip(sessions, ORDER):
        truth = load_truth(name)
        for key in ("id", "created_at", "duration_s", "words_per_minute", "fillers_per_minute", "action_share", "action_dominant"):
            assert key in s
        assert s["file"] == str((AUDIO / f"{name}.wav").resolve()) and s["source"] == "analyze"
        assert s["duration_s"] == pytest.approx(truth["duration_s"], abs=0.05)
        assert s["words_per_minute"] == pytest.approx(truth["words_per_minute"], rel=0.08)
        assert s["action_dominant"] == truth["action_dominant"]
        assert s["action_share"] == pytest.approx(truth["section_shares"]["action"], abs=0.12)
    assert [s["created_at"] for s in sessions] == sorted(s["created_at"] for s in sessions)


def test_trends_from_real_recordings(practised):
    _, _, progress, _ = practised
    sessions = progress["sessions"]
    trends = {t["metric"]: t for t in progress["trends"]}
    n, k = len(sessions), 2  # four sessions: the first two against the last two

    def ends(key):
        values = [s[key] for s in sessions]
        return sum(values[:k]) / k, sum(values[-k:]) / k

    first, last = ends("action_share")
    action = trends["action_share"]
    assert (action["first"], action["last"], action["compared"]) == (pytest.approx(first, abs=1e-4), pytest.approx(last, abs=1e-4), k)
    assert last > first + 0.1 and action["direction"] == "up"  # context_heavy's short action pulls the start down
    assert action["words"].startswith(f"Action share up from {first * 100:.0f} % to {last * 100:.0f} % over your last {n} sessions")

    first, last = ends("fillers_per_minute")
    fillers = trends["fillers_per_minute"]
    assert first > last, "filler_heavy opens the week"
    assert fillers["direction"] == "down" and fillers["better"] is True
    assert fillers["words"].startswith(f"fillers per minute down {(first - last) / first * 100:.0f} % over your last {n} sessions")
    best = min(sessions, key=lambda s: s["fillers_per_minute"])
    assert fillers["best"] == best["fillers_per_minute"]

    pace = trends["words_per_minute"]
    inside = [130 <= s["words_per_minute"] <= 160 for s in sessions]
    assert pace["target"] == [130, 160] and pace["in_target"] == sum(inside)
    assert pace["first_in_target"] == (inside.index(True) + 1 if any(inside) else None)


def test_progress_terminal_view(in_practised):
    run = rehearse("progress")
    assert run.code == 0, run.err
    for text in ("Action share up from", "fillers per minute down", "Time to target", "pace: ", "best", "▁"):
        assert text in run.out, text
    narrowed = json.loads(rehearse("progress", "--json", "--last", "2").out)
    assert [s["id"] for s in narrowed["sessions"]] == [3, 4]
    assert progress_sessions(last=2) == narrowed["sessions"]  # what the HTML view will read


def test_plot_is_a_real_png_with_target_bands(in_practised, tmp_path):
    out = tmp_path / "progress.png"
    run = rehearse("progress", "--plot", str(out))
    assert run.code == 0, run.err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 800 and height >= 600 and len(data) > 20_000, (width, height, len(data))
    import matplotlib.image
    import numpy as np

    from rehearse.report.plot import BAND_ALPHA, BAND_COLOUR
    pixels = matplotlib.image.imread(out)[..., :3]
    band = np.array([int(BAND_COLOUR[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    shade = BAND_ALPHA * band + (1 - BAND_ALPHA)  # the band colour over the white axes
    shaded = np.all(np.abs(pixels - shade) < 0.02, axis=-1).mean()
    assert shaded > 0.02, shaded  # target bands are drawn
    assert len(np.unique(pixels.reshape(-1, 3).round(2), axis=0)) > 20  # lines, markers and text, not a blank
    assert "bad.txt" in one_line_error(rehearse("progress", "--plot", str(tmp_path / "bad.txt")))


def test_show_compare_export(in_practised, tmp_path, analyzed):
    stored = json.loads(rehearse("show", "4", "--json").out)
    assert stored["file"].endswith("strong_answer.wav") and stored["transcript"] == analyzed("strong_answer").transcript
    shown = rehearse("show", "last")
    assert shown.code == 0 and "Session 4" in shown.out and "STAR timing" in shown.out and "Top tips" in shown.out

    both = json.loads(rehearse("compare", "2", "4", "--json").out)
    rows = {r["metric"]: r for r in both["rows"]}
    a, b = both["sessions"]
    assert rows["action_share"]["change"] == pytest.approx(b["action_share"] - a["action_share"], abs=1e-4)
    assert rows["action_share"]["better"] is True  # context_heavy -> strong_answer
    side = rehearse("compare", "2", "4")
    assert side.code == 0 and "compare #2 #4" in side.out and "context_heavy.wav" in side.out
    assert "Action dominant" in side.out and "✘ no" in side.out and "✔ yes" in side.out

    out = tmp_path / "sessions.csv"
    run = rehearse("export", "--csv", str(out))
    assert run.code == 0 and "4 sessions" in run.out
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    sessions = json.loads(rehearse("progress", "--json").out)["sessions"]
    assert [int(r["id"]) for r in table] == [s["id"] for s in sessions]
    for row, s in zip(table, sessions):
        assert float(row["words_per_minute"]) == s["words_per_minute"]
        assert float(row["share_action"]) == pytest.approx(s["action_share"], abs=1e-4)


def test_empty_history_says_how_to_start(home):
    run = rehearse("progress")
    assert run.code == 0 and run.err == ""
    assert "No sessions saved yet" in run.out and "rehearse analyze" in run.out
    as_json = rehearse("progress", "--json")
    assert as_json.code == 0 and json.loads(as_json.out)["sessions"] == []
    plot = rehearse("progress", "--plot", str(home.parent / "p.png"))
    assert plot.code == 0 and "no sessions" in plot.err and not (home.parent / "p.png").exists()
    assert "No sessions saved yet" in rehearse("history").out


def test_analyze_still_reports_when_history_cannot_be_saved(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("REHEARSE_HOME points at a file")
    monkeypatch.setenv("REHEARSE_HOME", str(not_a_folder))
    from rehearse.audio.decode import decode

    answer = write_wav(tmp_path / "answer.wav", decode(AUDIO / "we_answer.wav")[:16000 * 12])  # the history, not the audio, is under test
    run = rehearse("analyze", str(answer), "--json")
    assert run.code == 0
    assert json.loads(run.out)["transcript"]
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rehearse: warning:") and "not saved to history" in lines[0], run.err
