#!/usr/bin/env python3
"""Which pitch tracker rehearse uses: accuracy against a known pitch, and cold-process time.

Accuracy: answers of the voice corpus spoken flat (espeak, no intonation) with known shifts,
glides and rises (scripts/corpus/render_answers.py), so the pitch at every moment is the voice's
constant base plus the applied semitones. For each tracker: frames voiced by the tracker
inside sentences, error = tracked semitones - applied semitones - the answer's base (median
difference). Reported: median |error|, share of frames off by more than 1 semitone (gross
errors), and the share of the answer's sound frames the tracker called voiced.

Needs librosa: pip install ".[eval]".

Time: each tracker in a fresh process (import and, for librosa, numba's cached JIT load) on a
2-minute answer. Not included: librosa's very first call after installing compiles its numba
functions (yin took 16.7 s instead of 2.7 s the first time on the build machine).

    python scripts/eval/measure_pitch_trackers.py                 # tune answers of the voice corpus
    python scripts/eval/measure_pitch_trackers.py --ids vo_shifted,vo_mono_mid --no-time
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra

SR = 16000
HOP = 160
FMIN, FMAX = 60.0, 500.0

TRACK = r"""
import sys, time, json
import numpy as np
t0 = time.perf_counter()
name, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
x = np.fromfile(path, dtype="<i2").astype(np.float32) / 32768
if name == "praat_ac":
    import parselmouth
    p = parselmouth.Sound(x.astype(np.float64), 16000).to_pitch_ac(time_step=0.01, pitch_floor=60, pitch_ceiling=500)
    t, f = p.xs(), p.selected_array["frequency"]
elif name == "praat_cc":
    import parselmouth
    p = parselmouth.Sound(x.astype(np.float64), 16000).to_pitch_cc(time_step=0.01, pitch_floor=60, pitch_ceiling=500)
    t, f = p.xs(), p.selected_array["frequency"]
else:
    import librosa
    if name == "librosa_yin":
        f = librosa.yin(x, fmin=60, fmax=500, sr=16000, frame_length=1024, hop_length=160)
        # yin has no voicing decision: call a frame voiced where its RMS is within 30 dB of the loudest
        rms = librosa.feature.rms(y=x, frame_length=1024, hop_length=160)[0]
        f = np.where(20 * np.log10(rms + 1e-9) > 20 * np.log10(rms.max()) - 30, f, 0)
    else:
        f, voiced, _ = librosa.pyin(x, fmin=60, fmax=500, sr=16000, frame_length=1024, hop_length=160)
        f = np.where(voiced, f, 0)
    t = librosa.frames_to_time(np.arange(len(f)), sr=16000, hop_length=160)
np.save(out, np.stack([np.asarray(t), np.nan_to_num(np.asarray(f))]))
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""
TRACKERS = ["praat_ac", "praat_cc", "librosa_yin", "librosa_pyin"]


def run_tracker(name: str, audio: np.ndarray, tmp: Path) -> tuple[np.ndarray, np.ndarray, float]:
    raw, out = tmp / "x.raw", tmp / "f0.npy"
    audio.astype("<i2").tofile(raw)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", TRACK, name, str(raw), str(out)], capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{name} failed: {proc.stderr}")
    t, f = np.load(out)
    return t, f, wall


def applied(truth: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Applied semitones at every sample, and where a flat sentence has sound (a natural
    sentence's intonation is unknown)."""
    st = np.full(n, np.nan)
    for s in truth["sentences"]:
        if s["pitch"] != "flat":
            continue
        a, b = round(s["start_s"] * SR), round(s["end_s"] * SR)
        st[a:b] = ra.applied_pitch(b - a, s["pitch_st"][0], s["pitch_st"][1], s["rise_st"])
    return st, ~np.isnan(st)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT / "scripts" / "corpus" / "voice_answers.yaml")
    p.add_argument("--ids", help="answers to use (default: the tune answers spoken flat)")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "eval-voice" / "audio")
    p.add_argument("--no-time", action="store_true")
    args = p.parse_args()
    answers = yaml.safe_load(args.corpus.read_text())["answers"]
    wanted = set(args.ids.split(",")) if args.ids else None
    answers = [a for a in answers if (a["id"] in wanted if wanted else a["split"] == "tune" and a.get("pitch") == "flat")]
    errors: dict[str, list[np.ndarray]] = {k: [] for k in TRACKERS}
    voiced_share: dict[str, list[float]] = {k: [] for k in TRACKERS}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clips = []
        for a in answers:
            wav = ra.render_answer(a, args.out)
            truth = json.loads(wav.with_suffix(".truth.json").read_text())
            audio = ra.to_16k(wav)
            clips.append(audio)
            target, sound = applied(truth, len(audio))
            loud = np.abs(audio) > 300
            for name in TRACKERS:
                t, f, _ = run_tracker(name, audio, tmp)
                idx = np.clip(np.round(t * SR).astype(int), 0, len(audio) - 1)
                ok = (f > 0) & sound[idx]
                diff = 12 * np.log2(f[ok] / 100) - target[idx][ok]
                errors[name].append(diff - np.median(diff))
                frames_with_sound = sound[idx] & loud[idx]
                voiced_share[name].append(float(np.mean((f > 0)[frames_with_sound])))
            print(f"  measured {a['id']}", file=sys.stderr)
        print(f"accuracy on {len(answers)} flat answers ({', '.join(a['id'] for a in answers)}):")
        print(f"  {'tracker':14s} {'median |err| st':>16s} {'gross >1 st':>12s} {'voiced share':>13s}")
        for name in TRACKERS:
            e = np.abs(np.concatenate(errors[name]))
            print(f"  {name:14s} {np.median(e):16.3f} {np.mean(e > 1):12.3%} {np.mean(voiced_share[name]):13.1%}")
        if not args.no_time:
            long = np.concatenate(clips)[: 120 * SR]
            print(f"cold-process time on a {len(long) / SR:.0f}-s answer (import + track), 2 runs each:")
            for name in TRACKERS:
                walls = [run_tracker(name, long, tmp)[2] for _ in range(2)]
                print(f"  {name:14s} {min(walls):6.2f} s  (runs: {', '.join(f'{w:.2f}' for w in walls)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
