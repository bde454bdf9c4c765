"""Folder mode with bad files and a worker killed mid-run: every file gets its own row whatever
happens, the answers analysed are saved to the history, and the exit code says whether any failed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import read_wav, speak, write_wav


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> Path:
    return speak("Last year I owned the release pipeline, and I cut the build time in half.",
                 tmp_path_factory.mktemp("folder") / "answer.wav")


def sessions(home: Path) -> int:
    conn = sqlite3.connect(home / "history.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def test_bad_files_get_their_own_rows(tmp_path, answer):
    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copy(answer, folder / "a_good.wav")
    shutil.copy(answer, os.path.join(os.fsencode(folder), b"b_name-\xff.wav"))
    data = bytearray(answer.read_bytes())
    data[22:24] = struct.pack("<H", 0)  # a WAV header saying 0 channels
    (folder / "c_zero_channels.wav").write_bytes(bytes(data))
    (folder / "d_notes.mp3").write_text("not audio at all\n" * 50)
    home = tmp_path / "home"
    run = subprocess.run([sys.executable, "-m", "rehearse", "analyze", str(folder), "--json", "--jobs", "2"],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "REHEARSE_HOME": str(home)})
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    items = json.loads(run.stdout)
    status = {Path(i["file"]).name: i["status"] for i in items}
    assert status == {"a_good.wav": "analysed", "b_name-\\xff.wav": "analysed", "c_zero_channels.wav": "error",
                      "d_notes.mp3": "error"}, status
    errors = [line for line in run.stderr.splitlines() if line.startswith("rehearse: error:")]
    assert len(errors) == 2 and any("0 channels" in e for e in errors), run.stderr
    assert sessions(home) == 2  # every analysed answer is saved, as for one file
    again = subprocess.run([sys.executable, "-m", "rehearse", "analyze", str(folder), "--json"], capture_output=True,
                           text=True, timeout=300, env={**os.environ, "REHEARSE_HOME": str(home)})
    assert {i["status"] for i in json.loads(again.stdout) if i["status"] != "error"} == {"cached"}
    assert sessions(home) == 2  # results shown from the cache are not saved twice


def children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(proc.name))
            except (OSError, ValueError, IndexError):
                pass
    return sorted(found)


def test_worker_killed_mid_run(tmp_path, answer):
    folder = tmp_path / "recordings"
    folder.mkdir()
    longer = np.concatenate([read_wav(answer)] * 3)
    for i in range(3):
        write_wav(folder / f"take{i}.wav", longer)
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "analyze", str(folder), "--json", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "REHEARSE_HOME": str(home)})
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        if len(workers) >= 2:
            time.sleep(1.5)  # loading the model, analysing
            workers = children(proc.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed = workers[0]
        time.sleep(0.05)
    out, err = proc.communicate(timeout=300)
    assert killed is not None, "no worker process to kill"
    assert proc.returncode in (0, 2) and "Traceback" not in err and "internal error" not in err, err
    items = json.loads(out)
    assert [Path(i["file"]).name for i in items] == ["take0.wav", "take1.wav", "take2.wav"]
    analysed = [i for i in items if i["status"] == "analysed"]
    assert len(analysed) >= 2  # the files the dead worker left are analysed again in a process of their own
    assert sessions(home) == len(analysed)
