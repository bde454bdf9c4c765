#!/usr/bin/env python3
"""Speed of the voice analysis (pitch and energy) as a share of the whole analysis of a
2-minute answer, each run a cold process (imports, model load, everything counted).

Target (issue 9): pitch + energy + wording (the pipeline's `voice` lap, which includes
importing parselmouth) <= 10 % of the whole `rehearse analyze` wall time on 2 cores, and no
numba JIT at run time (the process must not import numba or librosa at all).

    python scripts/bench/bench_voice.py                  # 2-minute file built from audio/
    python scripts/bench/bench_voice.py --file answer.wav --repeat 3
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
from bench import build_long_file

RUN = r"""
import json, sys, time
t0 = time.perf_counter()
from rehearse.pipeline import analyze
report = analyze(sys.argv[1])
wall = time.perf_counter() - t0
print(json.dumps({"timings": report.timings_s, "wall_in_process": wall,
                  "numba": "numba" in sys.modules, "librosa": "librosa" in sys.modules}))
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", type=Path)
    p.add_argument("--minutes", type=float, default=2.0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--target", type=float, default=0.10)
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or build_long_file(args.minutes * 60, Path(tmp) / "bench.wav")
        for _ in range(args.repeat):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", RUN, str(path)], capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            if proc.returncode:
                sys.exit(proc.stderr)
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append((wall, data))
    walls = [w for w, _ in rows]
    voice = [d["timings"]["voice"] for _, d in rows]
    shares = [v / w for v, w in zip(voice, walls, strict=True)]
    share = statistics.median(shares)
    print(f"file: {path.name if args.file else f'{args.minutes:g}-minute file built from audio/'}  "
          f"cores {len(os.sched_getaffinity(0))}  load {os.getloadavg()[0]:.2f}  runs {args.repeat} (medians)")
    print(f"whole analysis (cold process): {statistics.median(walls):6.2f} s   runs: {', '.join(f'{w:.2f}' for w in walls)}")
    print(f"voice lap (pitch, energy, wording, parselmouth import): {statistics.median(voice):5.3f} s   "
          f"runs: {', '.join(f'{v:.3f}' for v in voice)}")
    print(f"laps of the last run: {rows[-1][1]['timings']}")
    jit = any(d["numba"] or d["librosa"] for _, d in rows)
    print(f"numba or librosa imported: {jit}")
    ok = share <= args.target and not jit
    print(f"  {'PASS' if share <= args.target else 'FAIL'}  voice share of the whole analysis {share:.1%} "
          f"(target <= {args.target:.0%})")
    print(f"  {'PASS' if not jit else 'FAIL'}  no numba JIT at run time")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
