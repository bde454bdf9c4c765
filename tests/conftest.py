"""Shared fixtures: real audio from the bundled samples and real TTS, the real model."""

from __future__ import annotations

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
def analyzed():
    """Analyse each bundled sample once per test session with the real default model."""
    from rehearse.pipeline import analyze

    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = analyze(AUDIO / f"{name}.wav")
        return cache[name]

    return get
