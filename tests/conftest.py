"""Shared fixtures: real audio from the bundled samples and real TTS, the real model."""

from __future__ import annotations

import fcntl
import json
import os
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
def analyzed(tmp_path_factory):
    """Each bundled sample analysed once per test run with the real default model: the first
    worker to need it analyses it and leaves the report (the JSON contract) for the others."""
    from rehearse.models import Report
    from rehearse.pipeline import analyze

    base = tmp_path_factory.getbasetemp()  # under xdist: <this run's folder>/popen-gwN
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "analyzed"
    shared.mkdir(exist_ok=True)
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
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

