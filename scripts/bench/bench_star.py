#!/usr/bin/env python3
"""The STAR stage's share of the analysis time, and what its model costs in memory, in one run.

Targets (issue 19): the STAR stage <= 3 % of `rehearse analyze`'s time; a model, if added,
<= 150 MB RSS and loaded once per process.

Each file is analysed in a fresh process by the real pipeline (Whisper included); the STAR stage
is `timings_s["star"]` (labelling, share ranges, findings, principles, follow-ups, score) against
the sum of all stages. The warm-up that `analyze` starts in a thread while Whisper transcribes
(compiling the rubric's patterns, reading the weights: rehearse/star/prepare.py) is STAR work done
earlier, so it is reported too, and the share with it counted as if it were not overlapped.
The model's memory is the RSS a fresh process gains by reading the weights and labelling one
answer (after the imports), and how often the weights are read when that process labels the
answer ten times.

    python scripts/bench/bench_star.py                       # the three sample answers in audio/
    python scripts/bench/bench_star.py --file a.wav --file b.wav
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ANALYSE = r"""
import json, sys
from rehearse.pipeline import analyze
from rehearse.star import prepare
r = analyze(sys.argv[1])
print(json.dumps({"timings": r.timings_s, "duration": r.duration_s, "sentences": len(r.star.sentences),
                  "warm": prepare.warm_s}))
"""

MEMORY = r"""
import json, sys
def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024
from rehearse import rubric
from rehearse.models import Sentence
from rehearse.star import classifier
from rehearse.star.label import score_star
texts = ["I was on a team that ran the billing service.", "My job was to fix the wrong invoices.",
         "I compared the invoices with the contracts and found the rounding bug.",
         "I moved the discount logic into one function and added tests.",
         "The errors went from forty a month to two, and I learned to check the money paths first."]
sents = [Sentence(index=i, text=t, start_s=4.0 * i, end_s=4.0 * i + 3.5, word_start=0, word_end=0) for i, t in enumerate(texts)]
star_rubric = rubric.load("star")
before = rss()
score_star(sents, star_rubric)
after = rss()
for _ in range(9):
    score_star(sents, star_rubric)
info = classifier.load_model.cache_info()
print(json.dumps({"rss_before_mb": before, "rss_after_mb": after, "reads": info.misses, "cached_uses": info.hits,
                  "weights_bytes": classifier.model_path(star_rubric).stat().st_size}))
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", type=Path, action="append", help="audio file(s) to analyse (default: audio/*.wav samples)")
    args = p.parse_args(argv)
    files = args.file or sorted((ROOT / "audio").glob("*.wav"))
    if not files:
        raise SystemExit("bench_star: no audio files (give --file)")
    shares, with_warm = [], []
    print("| file | length | sentences | analysis | STAR stage | share | STAR warm-up (during transcription) | share, warm-up counted |")
    print("|---|---|---|---|---|---|---|---|")
    for f in files:
        out = subprocess.run([sys.executable, "-c", ANALYSE, str(f)], capture_output=True, text=True, check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total = sum(r["timings"].values())
        star = r["timings"]["star"]
        warm = r["warm"] or 0.0
        shares.append(star / total)
        with_warm.append((star + warm) / total)
        print(f"| {f.name} | {r['duration']:.0f} s | {r['sentences']} | {total:.2f} s | {star * 1000:.0f} ms | {star / total:.2%} "
              f"| {warm * 1000:.0f} ms | {(star + warm) / total:.2%} |")
    print(f"\nSTAR stage: median {statistics.median(shares):.2%}, worst {max(shares):.2%} of the analysis time (target <= 3 %); "
          f"counting its warm-up (patterns compiled, weights read in a thread while Whisper transcribes) as STAR "
          f"time too: median {statistics.median(with_warm):.2%}, worst {max(with_warm):.2%}")
    out = subprocess.run([sys.executable, "-c", MEMORY], capture_output=True, text=True, check=True, cwd=ROOT)
    m = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"Model: weights {m['weights_bytes'] / 1024:.0f} kB, RSS +{m['rss_after_mb'] - m['rss_before_mb']:.1f} MB "
          f"for reading them and labelling one answer (target <= 150 MB); read {m['reads']} time(s) for "
          f"{m['reads'] + m['cached_uses']} answers in one process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
