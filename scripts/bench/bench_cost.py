#!/usr/bin/env python3
"""Cost of `rehearse analyze` on recordings that are not speech: analysis time ÷ audio length and
peak RSS, each in a fresh process (imports, model load, decoding all counted).

Target (issue 22): at most 0.5 × the audio's length on 2 cores whatever the recording holds, and
each of these refused as "no speech heard (the recording holds noise / music)". Inputs are
generated into build/bench-cost/: the bundled sample answers reversed (one after another, to
`--seconds`), white noise, pink noise (sox), tones, synthetic music (chords, bass, drums, melody),
and for comparison the bundled answers played forwards. Wall time on a shared machine is
inflated by other work: CPU seconds ÷ 2 (what 2 idle cores would take) are printed beside it.

    python scripts/bench/bench_cost.py                # 96 s of each
    python scripts/bench/bench_cost.py --seconds 600  # 10 minutes of each
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "bench-cost"
RATE = 16000


def read(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def speech(seconds: float) -> np.ndarray:
    parts, total = [], 0
    while total < seconds * RATE:
        for wav in sorted((ROOT / "audio").glob("*.wav")):
            parts.append(read(wav))
            total += len(parts[-1])
    return np.concatenate(parts)[: int(seconds * RATE)]


def music(seconds: float, seed: int = 3) -> np.ndarray:
    """Chords with harmonics, a bass line, a kick drum and hats, a melody on top."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t)
    beat, roots = 0.5, [220.0, 174.61, 261.63, 196.0]
    for k in range(int(seconds / (4 * beat)) + 1):
        a, b = int(k * 4 * beat * RATE), int((k + 1) * 4 * beat * RATE)
        seg = t[a:b]
        for ratio in (1, 5 / 4, 3 / 2, 2):
            for h in range(1, 5):
                out[a:b] += 0.05 / h * np.sin(2 * np.pi * roots[k % 4] * ratio * h * seg)
        out[a:b] += 0.15 * np.sin(2 * np.pi * roots[k % 4] / 2 * seg)
    for k in range(int(seconds / beat)):
        a = int(k * beat * RATE)
        n = min(int(0.12 * RATE), len(out) - a)
        out[a:a + n] += 0.4 * np.exp(-np.arange(n) / (0.03 * RATE)) * np.sin(2 * np.pi * 60 * np.arange(n) / RATE)
    for k in range(int(seconds / (beat / 2))):
        a, b = int(k * beat / 2 * RATE), int((k + 1) * beat / 2 * RATE)
        out[a:b] += 0.08 * np.sin(2 * np.pi * 440 * 2 ** (rng.integers(0, 12) / 12) * t[a:b]) * np.hanning(b - a)
    return (0.6 * out / np.abs(out).max()).astype(np.float32)


def inputs(seconds: float) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * RATE)) / RATE
    made = {
        "reversed speech": write(OUT / f"reversed_{seconds:g}.wav", speech(seconds)[::-1].copy()),
        "white noise": write(OUT / f"white_{seconds:g}.wav", 0.2 * np.random.default_rng(1).normal(size=len(t))),
        "tones": write(OUT / f"tones_{seconds:g}.wav", 0.4 * np.sin(2 * np.pi * (300 + 100 * (t // 5 % 7)) * t)),
        "music": write(OUT / f"music_{seconds:g}.wav", music(seconds)),
        "speech (forwards)": write(OUT / f"speech_{seconds:g}.wav", speech(seconds)),
    }
    pink = OUT / f"pink_{seconds:g}.wav"
    subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(pink), "synth", str(seconds), "pinknoise"],
                   check=True)
    made["pink noise (sox)"] = pink
    return made


def run(path: Path) -> dict:
    env = {**os.environ, "REHEARSE_HOME": str(OUT / "home")}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "analyze", str(path), "--no-save"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode().strip()
    return {"code": os.waitstatus_to_exitcode(status), "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "said": err.split(": ", 2)[-1] if err else "analysed"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=96.0)
    args = ap.parse_args()
    print(f"{'input':20s} {'length':>7s} {'wall':>7s} {'wall/len':>8s} {'cpu/2/len':>9s} {'peak RSS':>9s}  result")
    for name, path in inputs(args.seconds).items():
        r = run(path)
        print(f"{name:20s} {args.seconds:6.0f}s {r['wall']:6.1f}s {r['wall'] / args.seconds:8.2f} "
              f"{r['cpu'] / 2 / args.seconds:9.2f} {r['rss_mb']:7.0f}MB  exit {r['code']}: {r['said'][:60]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
