"""Shared fixtures: real audio from the bundled samples and real TTS, the real model."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
AUDIO = ROOT / "audio"


# Whisper (CTranslate2) waits for its threads passively: the suite runs two workers and their
# subprocesses on two cores, where OpenMP's default spinning burns CPU the other worker needs.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# and with two workers each Whisper gets one thread: two per worker only made them wait for each other
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("REHEARSE_THREADS", "1")


# The order in which the two xdist workers take the test files (pyproject: --dist loadfile
# --no-loadscope-reorder; xdist's own order is by number of tests, which says nothing of their cost):
# mostly the longest first, so that no long file starts last and keeps one worker busy while the other has
# finished, and so that the files that mostly wait on real time run beside files that compute.
# test_practice_mic first (one worker): its time is real time (speech played into the virtual microphone).
# test_interview and test_fuzz next (the other worker, beside it): they run two analyses at a time, using
# the core the microphone tests leave free. Then test_html on that worker, and test_serve (a browser
# waiting on real time) on the microphone's worker once it is done, beside test_html and what follows.
# Files not named here come last, in name order.
# Seconds each file took on one worker of the 2-core machine with the whole suite running (--durations).
LONGEST_FIRST = [
    "test_practice_mic.py",  # 168, mostly waiting on real-time audio
    "test_interview.py",  # ~58, two runs at a time
    "test_fuzz.py",  # ~45, two in-process drivers of ~40 cases each
    "test_html.py",  # ~77, a browser; makes conftest's practised_cli (the bundled samples, ~30 s)
    "test_serve.py",  # 104, a browser and a server, much of it real time
    "test_analyze.py",  # ~44
    "test_fillers.py",  # 31
    "test_star.py",  # 31
    "test_history.py",  # 21
    "test_star_labels.py",  # 18
    "test_history_torture.py",  # 18
    "test_folder_mode.py",  # 17
    "test_streaming.py",  # 11
    "test_bad_input.py",  # 11
    "test_delivery.py",  # 10
    "test_formats.py",  # 10
    "test_render_answers.py",  # 5
    "test_question_bank.py",  # 4
    "test_voice.py",  # 4
    "test_session_wav.py",  # 4
    "test_long_recordings.py",  # 3
]


def pytest_collection_modifyitems(config, items):
    """Test files in the order of LONGEST_FIRST (a stable sort: the tests of a file keep their order)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session", autouse=True)
def rehearse_home(tmp_path_factory) -> Path:
    """Everything rehearse stores goes to a throwaway data directory, never the tester's own."""
    home = tmp_path_factory.mktemp("rehearse-home")
    os.environ["REHEARSE_HOME"] = str(home)
    return home


@dataclass
class Run:
    code: int
    out: str
    err: str


def rehearse(*args: str, timeout: float = 300) -> Run:
    """Run the real command line in a subprocess."""
    proc = subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def require_tool(name: str, package: str) -> str:
    """A system tool the test needs; missing means the test fails (CI must install it)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install the Debian package {package} (scripts/install-system-deps.sh)")
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def speak(text: str, path: Path, voice: str = "en-us") -> Path:
    """Real speech from espeak-ng, resampled to 16 kHz mono with sox."""
    espeak = require_tool("espeak-ng", "espeak-ng")
    sox = require_tool("sox", "sox")
    raw = path.with_suffix(".raw.wav")
    subprocess.run([espeak, "-v", voice, "-w", str(raw), text], check=True)
    subprocess.run([sox, str(raw), "-r", "16000", "-c", "1", "-b", "16", str(path)], check=True)
    raw.unlink()
    return path


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def load_truth(name: str) -> dict:
    return json.loads((AUDIO / f"{name}.truth.json").read_text())


SAMPLES = sorted(p.name.removesuffix(".truth.json") for p in AUDIO.glob("*.truth.json"))


@pytest.fixture(scope="session")
def analyzed(tmp_path_factory, practised_cli):
    """Each bundled sample analysed once per test run with the real default model, by the real command
    line: the report `rehearse analyze SAMPLE` saved in practised_cli's history (which test_history checks
    against the truth and test_html shows), read back as the JSON contract. A sample outside that practice
    week is analysed in process, by the first worker to need it, and its report left for the other."""
    from rehearse.models import Report
    from rehearse.pipeline import analyze

    base = tmp_path_factory.getbasetemp()  # under xdist: <this run's folder>/popen-gwN
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "analyzed"
    shared.mkdir(exist_ok=True)
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            if name in practised_cli["order"]:
                kept = practised_cli["reports"].get(name)
                if kept is None:
                    run = practised_cli["runs"][practised_cli["order"].index(name)]
                    pytest.fail(f"`rehearse analyze {name}.wav` saved no report (exit {run['code']}): {run['err'][-2000:]}")
                cache[name] = Report.model_validate_json(Path(kept).read_text())
                return cache[name]
            kept = shared / f"{name}.json"
            with open(shared / f"{name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if kept.exists():
                    cache[name] = Report.model_validate_json(kept.read_text())
                else:
                    cache[name] = analyze(AUDIO / f"{name}.wav")
                    kept.write_text(cache[name].model_dump_json())
        return cache[name]

    return get


@dataclass
class Transcribed:
    path: Path
    truth: dict
    samples: np.ndarray
    text: object  # rehearse.models.Transcription
    whisper: object
    spec: object


def corpus_answer(corpus: str, answer_id: str, first: int = 0) -> dict:
    """An answer of a corpus in scripts/corpus (from its `first` sentence on)."""
    import yaml

    answers = yaml.safe_load((ROOT / "scripts" / "corpus" / corpus).read_text())["answers"]
    answer = next(a for a in answers if a["id"] == answer_id)
    return {**answer, "id": f"{answer_id}_{first}", "sentences": answer["sentences"][first:]}


def render_and_transcribe(answer: dict, out: Path) -> Transcribed:
    """`answer` rendered by scripts/corpus/render_answers.py (its TTS must be installed) and transcribed
    by the real default model, as `rehearse analyze` does it."""
    sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
    import render_answers as ra

    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.speech import model as whisper_model
    from rehearse.speech.transcript import transcribe_speech

    for tool in ("espeak", "flite", "sox"):
        try:
            ra.check_tool(tool)
        except RuntimeError as e:
            pytest.fail(str(e))
    path = ra.render_answer(answer, out)
    samples = audio.decode(path)
    speech, speech_s = find_speech(samples, str(path))
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    text = transcribe_speech(samples, speech, spec, whisper)
    return Transcribed(path, json.loads(path.with_suffix(".truth.json").read_text()), samples, text, whisper, spec)



# ---- expensive artefacts made once per test run and shared by the two xdist workers -------------------
def shared_folder(tmp_path_factory) -> Path:
    """A folder of this test run that both workers see (under xdist: the parent of popen-gwN)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def once(tmp_path_factory):
    """`once(key, make)`: the first worker to ask runs `make(folder)` (which writes what it makes into
    `folder` and returns a JSON-able dict) and keeps the dict; the other worker waits on the lock and
    reads it. A `make` that fails keeps nothing, so the next test to ask runs it again and fails too."""
    root = shared_folder(tmp_path_factory) / "once"
    root.mkdir(exist_ok=True)
    cache: dict[str, dict] = {}

    def get(key: str, make) -> dict:
        if key not in cache:
            folder, kept = root / key, root / f"{key}.json"
            with open(root / f"{key}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if kept.exists():
                    cache[key] = json.loads(kept.read_text())
                else:
                    if folder.exists():  # a make that failed earlier: start clean
                        shutil.rmtree(folder)
                    folder.mkdir()
                    cache[key] = make(folder)
                    kept.write_text(json.dumps(cache[key]))
        return cache[key]

    return get


def cli_run(args: list[str], env: dict | None = None, timeout: float = 600) -> dict:
    """The real command line in a subprocess, its result as a dict (for `once`)."""
    proc = subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)
    return {"args": args, "env": env or {}, "code": proc.returncode, "out": proc.stdout, "err": proc.stderr}


OFFLINE = {"HF_HUB_OFFLINE": "1", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


@pytest.fixture(scope="session")
def filler_heavy_cli(practised_cli) -> dict:
    """`rehearse analyze audio/filler_heavy.wav --no-save --json --html PAGE --embed-audio --open`, run once
    (conftest's practised_cli: its --no-save run, into that history, which test_history checks it stayed
    out of) with the Hugging Face hub unreachable and $BROWSER a script that writes down what it is asked
    to open: test_analyze checks its JSON contract and that it needed no network, test_html opens its page
    in Chromium (the sample has fillers and long pauses to draw) and checks what --open handed the browser."""
    return practised_cli["skipped"]


@pytest.fixture(scope="session")
def interview_cli(once) -> dict:
    """The mock interview of tests/test_interview.py (`interview()`) rendered once and analysed once by
    the real command line, `analyze --interview --json --html PAGE --embed-audio`, into a history of
    its own and with the progress bar a terminal shows: test_interview reads the JSON and the bar,
    test_html opens the page and reads the saved sessions."""

    def make(folder: Path) -> dict:
        for tool, package in (("espeak-ng", "espeak-ng"), ("flite", "flite"), ("sox", "sox")):
            require_tool(tool, package)
        sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
        import render_interviews
        from test_interview import interview

        wav = render_interviews.render_interview(interview(), folder)
        page, home = folder / "interview.html", folder / "home"
        run = cli_run(["analyze", str(wav), "--interview", "--json", "--html", str(page), "--embed-audio"],
                      env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "120", "REHEARSE_HOME": str(home)})
        return {**run, "wav": str(wav), "truth": str(wav.with_suffix(".truth.json")), "page": str(page), "home": str(home)}

    return once("interview_cli", make)


@pytest.fixture(scope="session")
def voice_cli(once) -> dict:
    """tests/test_voice.py's ANSWER (flat voice, fading and rising sentence ends) rendered once and
    analysed once by the real command line, `analyze --json --html PAGE --embed-audio --no-save`:
    test_voice checks the JSON against the truth, test_html the page's voice lane."""

    def make(folder: Path) -> dict:
        from test_voice import ANSWER, render

        wav, _ = render(ANSWER, folder)
        page = folder / "voice.html"
        run = cli_run(["analyze", str(wav), "--json", "--html", str(page), "--embed-audio", "--no-save"], timeout=300)
        return {**run, "wav": str(wav), "truth": str(wav.with_suffix(".truth.json")), "page": str(page)}

    return once("voice_cli", make)


PRACTICE_WEEK = ["filler_heavy", "context_heavy", "we_answer", "strong_answer"]  # a made-up practice week


@pytest.fixture(scope="session")
def practised_cli(once) -> dict:
    """The bundled recordings analysed one after another by the real command line, `analyze SAMPLE` (the
    terminal report, saved by default) into a history of its own, then filler_heavy once more with
    `--no-save --json --html PAGE --embed-audio --open` (conftest's filler_heavy_cli), then `progress --json`:
    run once per test run. test_history checks the history and trends, test_analyze the terminal report of
    context_heavy, and the report each run saved is the `analyzed` fixture's report of that sample."""

    def make(folder: Path) -> dict:
        from rehearse.history import store

        home = folder / "home"
        env = {"REHEARSE_HOME": str(home)}
        runs = [cli_run(["analyze", str(AUDIO / f"{name}.wav")], env, timeout=300) for name in PRACTICE_WEEK]
        page, seen, browser = folder / "answer.html", folder / "seen.txt", folder / "browser.sh"
        browser.write_text(f"#!/bin/sh\necho \"$1\" > {seen}\n")
        browser.chmod(0o755)
        skipped = cli_run(["analyze", str(AUDIO / "filler_heavy.wav"), "--no-save", "--json", "--html", str(page),
                           "--embed-audio", "--open"], env={**env, **OFFLINE, "BROWSER": str(browser)}, timeout=300)
        skipped = {**skipped, "name": "filler_heavy", "page": str(page), "seen": str(seen)}
        reports = {}  # each saved run's report as the history stored it, before any test reads the history
        (folder / "reports").mkdir()
        for name, run in zip(PRACTICE_WEEK, runs):
            saved = re.search(r"Saved as session (\d+)\b", run["out"])
            if run["code"] == 0 and saved:
                kept = folder / "reports" / f"{name}.json"
                kept.write_text(store.get_report_json(int(saved.group(1)), db=home / "history.sqlite3"))
                reports[name] = str(kept)
        progress = cli_run(["progress", "--json"], env, timeout=300)
        return {"home": str(home), "order": PRACTICE_WEEK, "runs": runs, "skipped": skipped, "progress": progress,
                "reports": reports}

    return once("practised_cli", make)
