"""Driver for tests/test_fuzz.py: runs `rehearse.cli.main` on many cases in ONE process (the
Whisper model loads once), each with its own REHEARSE_HOME, its stdout and stderr captured, and
prints one JSON line per case: {"id", "code", "err", "out", "rows"}.

    python tests/fuzz_cli.py CASES.json
CASES.json: [{"id": ..., "argv": [...], "home": DIR}, ...]. Not a test module itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import sys
from pathlib import Path


def rows(home: str) -> int | None:
    db = Path(home) / "history.sqlite3"
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def main() -> int:
    from rehearse.cli import main as cli

    cases = json.loads(Path(sys.argv[1]).read_text())
    real_out = sys.stdout
    for case in cases:
        os.environ["REHEARSE_HOME"] = case["home"]
        out, err = io.StringIO(), io.StringIO()
        argv = [os.fsdecode(os.fsencode(a)) for a in case["argv"]]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli(argv)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
        print(json.dumps({"id": case["id"], "code": code, "err": err.getvalue(), "out": out.getvalue(),
                          "rows": rows(case["home"])}), file=real_out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
