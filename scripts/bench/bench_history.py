#!/usr/bin/env python3
"""Speed and memory of the history store and the progress commands on a large history.

Fills a throwaway data directory with `--sessions` saved answers (a real report of the bundled
strong_answer.wav, analysed once, or `--report FILE.json` from `rehearse analyze --json`), then
measures, each command in a fresh process (imports counted), `--repeat` times, medians:

  save               one `history.save` (open, check, migrate check, insert, close)
  open               `history.connect()` alone: WAL set-up, PRAGMA quick_check, schema version
  progress           `rehearse progress` (terminal view, last 20)
  progress --json    `rehearse progress --json --since 3650d` (every session)
  progress --plot    `rehearse progress --plot FILE.png`
  history, show      `rehearse history`, `rehearse show last`
  concurrent         `--writers` processes saving `--each` answers at once into a fresh database

Targets (issue 7), on 2 shared cores, 1000 sessions:
  save <= 50 ms median; progress, history, show <= 2.5 s wall each (imports included);
  progress --plot <= 5 s; peak RSS <= 250 MB for any of them; concurrent writers: every save lands.

    python scripts/bench/bench_history.py                       # 1000 sessions
    python scripts/bench/bench_history.py --sessions 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys, time
from pathlib import Path
from rehearse.history import store as history
from rehearse.models import Report
report = Report.model_validate_json(Path(sys.argv[1]).read_text())
go = Path(sys.argv[4])
while not go.exists():
    time.sleep(0.001)
for _ in range(int(sys.argv[3])):
    history.save(report, "practice", db=Path(sys.argv[2]))
"""


# Runs the command line in the child and reports its own peak RSS (VmHWM counts from exec only;
# the rusage of a forked child would include the parent's pages).
CHILD = """
import atexit, sys
def peak():
    status = open("/proc/self/status").read()
    print("VmHWM", status.split("VmHWM:")[1].split()[0], file=sys.stderr)
atexit.register(peak)
sys.argv = ["rehearse", *sys.argv[1:]]
from rehearse.cli import main
sys.exit(main())
"""


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `rehearse ARGS` in one fresh process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], check=False, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed: rehearse {' '.join(args)}\n{proc.stderr}")
    kb = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("VmHWM")][-1]
    return wall, int(kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", type=Path, help="a report JSON (rehearse analyze --json); default: analyse audio/strong_answer.wav")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--each", type=int, default=50)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rehearse-bench-history-"))
    env = {**os.environ, "REHEARSE_HOME": str(work / "home"), "COLUMNS": "100"}
    os.environ["REHEARSE_HOME"] = env["REHEARSE_HOME"]
    from rehearse.history import store as history
    from rehearse.models import Question, Report

    if args.report:
        report = Report.model_validate_json(args.report.read_text())
    else:
        from rehearse.pipeline import analyze

        report = analyze(ROOT / "audio" / "strong_answer.wav")
    report_file = work / "report.json"
    report_file.write_text(report.model_dump_json())
    print(f"report: {report.file} ({len(report_file.read_bytes()) / 1024:.0f} KB of JSON)")

    questions = [Question(text=f"Practice question number {i}", id=f"q{i}", principles=["Ownership"]) for i in range(25)]
    start = datetime.now() - timedelta(days=args.sessions)
    saves = []
    for i in range(args.sessions):
        r = report.model_copy(update={"question": questions[i % len(questions)] if i % 3 else None})
        t = time.perf_counter()
        history.save(r, "practice" if i % 3 else "analyze", created_at=start + timedelta(days=i))
        saves.append(time.perf_counter() - t)
    db = history.paths.history_db()
    print(f"filled {args.sessions} sessions: {db.stat().st_size / 1e6:.1f} MB")
    saves.sort()
    print(f"save             median {statistics.median(saves) * 1000:6.1f} ms   p95 {saves[int(0.95 * len(saves))] * 1000:6.1f} ms")
    opens = []
    for _ in range(max(args.repeat, 5)):
        t = time.perf_counter()
        history.connect().close()
        opens.append(time.perf_counter() - t)
    print(f"open             median {statistics.median(opens) * 1000:6.1f} ms (quick_check included)")

    png = work / "progress.png"
    for name, cmd in (("progress", ["progress"]),
                      ("progress --json", ["progress", "--json", "--since", f"{args.sessions + 10}d"]),
                      ("progress --plot", ["progress", "--plot", str(png)]),
                      ("history", ["history"]),
                      ("show last", ["show", "last"])):
        runs = [timed(cmd, env) for _ in range(args.repeat)]
        print(f"{name:16} median {statistics.median(w for w, _ in runs):6.2f} s    peak RSS {max(m for _, m in runs):6.0f} MB")

    shared, go = work / "concurrent.sqlite3", work / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(report_file), str(shared), str(args.each), str(go)], env=env)
             for _ in range(args.writers)]
    time.sleep(1.5)
    t = time.perf_counter()
    go.touch()
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - t
    stored = len(history.sessions(db=shared))
    expected = args.writers * args.each
    print(f"concurrent       {args.writers} writers x {args.each}: {stored}/{expected} saved, exit codes {set(codes)}, "
          f"{wall:.2f} s ({wall / expected * 1000:.1f} ms per save)")
    print(json.dumps({"load_average": os.getloadavg(), "cpus": os.cpu_count()}))
    return 0 if stored == expected and set(codes) == {0} else 1


if __name__ == "__main__":
    sys.exit(main())
