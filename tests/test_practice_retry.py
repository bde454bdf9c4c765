"""The interactive practice loop on a real terminal (a pseudo-terminal): preparation countdown,
live view, stop with Enter, the report, retry, and the new attempt against the previous one.
Audio comes through the PulseAudio virtual microphone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT
from test_practice_mic import DEVICE, play, spoken, virtual_mic  # noqa: F401 - fixtures

from rehearse.practice.compare import rows

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A process whose stdin, stdout and stderr are a pseudo-terminal."""

    def __init__(self, *args: str):
        master, slave = os.openpty()
        env = {**os.environ, "COLUMNS": "120", "LINES": "50", "TERM": "xterm-256color"}
        self.proc = subprocess.Popen([sys.executable, "-m", "rehearse", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=ROOT, env=env, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self.raw += data

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def wait_for(self, needle: str, after: int = 0, timeout: float = 120) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            at = self.text.find(needle, after)
            if at >= 0:
                return at
            if self.proc.poll() is not None:
                time.sleep(0.3)
                at = self.text.find(needle, after)
                if at >= 0:
                    return at
                pytest.fail(f"exited {self.proc.returncode} before {needle!r}:\n{self.text[-3000:]}")
            time.sleep(0.1)
        self.proc.kill()
        pytest.fail(f"no {needle!r} within {timeout} s:\n{self.text[-3000:]}")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())


def test_retry_shows_the_new_attempt_against_the_previous_one(virtual_mic, spoken):  # noqa: F811
    term = Terminal("practice", "--id", "deep-root-cause", "--prep", "1", "--device", DEVICE, "--max-seconds", "40")
    term.wait_for("Walk me through the hardest bug")
    term.wait_for("Prepare your answer")
    mark = 0
    for attempt in range(2):
        mark = term.wait_for("REC", after=mark)
        player = play(spoken, virtual_mic)
        time.sleep(8)
        term.type("\n")  # Enter stops recording
        mark = term.wait_for("stopped (enter)", after=mark)
        player.wait(timeout=30)
        mark = term.wait_for("Try this question again?", after=mark)
        if attempt == 0:
            assert "against the previous one" not in term.text
            term.type("y\n")
        else:
            report = term.text[mark - 6000:mark]
            assert "This attempt against the previous one" in report
            for measure in ("Situation time", "Action time", "Pace", "Fillers"):
                assert measure in report, measure
            term.type("n\n")
    assert term.proc.wait(timeout=30) == 0, term.text[-3000:]
    assert "Traceback" not in term.text
    assert term.text.count("ready ") >= 2  # "ready N s after you stopped" under each report


def test_comparison_rows_give_section_times_pace_and_fillers(analyzed):
    before, after = analyzed("filler_heavy"), analyzed("strong_answer")
    table = {name: (a, b, change) for name, a, b, change in rows(before, after)}
    action = next(s for s in after.star.sections if s.label == "action").duration_s
    assert table["Action time"][1] == f"{action:.0f} s"
    assert table["Pace"][0] == f"{before.pacing.words_per_minute:.0f} wpm"
    assert table["Fillers"] == (str(len(before.fillers)), str(len(after.fillers)),
                                f"{len(after.fillers) - len(before.fillers):+d}")
    assert {f"{label.capitalize()} time" for label in ("situation", "task", "action", "result")} <= set(table)
