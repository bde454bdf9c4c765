#!/usr/bin/env python3
"""Time and peak memory of `rehearse analyze FILE --interview` on a generated 60-minute interview.

Target (issue 6): a 60-minute recording analysed with at most 1 GB peak RSS. The interview is
rendered with scripts/corpus/render_interviews.py from the STAR corpora (every answer in full, asked
by an interviewer voice, answered in turn by several candidate voices) until it is at least
`--minutes` long, then cut at the first turn change after that length; it is cached in
build/bench-interview/. The analysis runs in a fresh process (imports, model load, decoding
and transcription all counted); wall time, peak RSS (ru_maxrss of the child) and the questions
found against the truth are printed.

    python scripts/bench/bench_interview.py                 # 60 minutes
    python scripts/bench/bench_interview.py --minutes 10    # a quicker check
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))

import render_interviews

OUT = ROOT / "build" / "bench-interview"
CANDIDATES = ["flite:slt", "festival:slt", "espeak:en-us+f3"]


def build(minutes: float) -> Path:
    wav = OUT / f"interview_{minutes:g}min.wav"
    if wav.is_file() and wav.with_suffix(".truth.json").is_file():
        return wav
    answers = []
    for name in ("star_answers.yaml", "star_heldout2.yaml"):
        answers += yaml.safe_load((ROOT / "scripts" / "corpus" / name).read_text())["answers"]
    # ~70 s per full answer and question: render enough turns, then cut at `minutes`
    turns = [{"question": a["question"], "answer": a["id"]} for a in answers]
    need = int(minutes * 60 / 60) + 4
    turns = (turns * (need // len(turns) + 1))[:need]
    parts, truth_turns, offset = [], [], 0.0
    for k in range(0, len(turns), 6):  # one rendered interview per candidate voice, six questions each
        iv = {"id": f"bench{k}", "interviewer": "espeak:en-gb", "candidate": CANDIDATES[(k // 6) % len(CANDIDATES)],
              "answers_from": ["star_answers.yaml", "star_heldout2.yaml"], "turns": turns[k:k + 6]}
        audio, truth = render_interviews.build(iv, render_interviews.load_answers(iv["answers_from"]))
        parts.append(audio[:, 0])
        for t in truth["turns"]:
            truth_turns.append({**{key: (v + offset if key.endswith("_s") else v) for key, v in t.items()
                                   if key not in ("sentences", "fillers")}})
        offset += len(audio) / 16000
        if offset >= minutes * 60:
            break
    audio = np.concatenate(parts)
    end = next((t["question_start_s"] - 0.5 for t in truth_turns if t["question_start_s"] >= minutes * 60), None)
    if end is not None:
        audio = audio[: int(end * 16000)]
        truth_turns = [t for t in truth_turns if t["answer_end_s"] <= end]
    OUT.mkdir(parents=True, exist_ok=True)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(audio.astype("<i2").tobytes())
    wav.with_suffix(".truth.json").write_text(json.dumps({"duration_s": len(audio) / 16000, "turns": truth_turns}))
    return wav


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--file", type=Path, help="analyse this recording instead of a generated one")
    args = p.parse_args(argv)
    wav = args.file or build(args.minutes)
    with wave.open(str(wav), "rb") as w:
        duration = w.getnframes() / w.getframerate()
    out = OUT / (wav.stem + ".report.json")
    cmd = [sys.executable, "-m", "rehearse", "analyze", str(wav), "--interview", "--json"]
    start = time.perf_counter()
    with out.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"analysis failed: {proc.stderr.read().decode()}")
    report = json.loads(out.read_text())
    print(f"file        {wav} ({duration / 60:.1f} min)")
    print(f"command     {' '.join(cmd[1:])}")
    print(f"wall time   {wall:.0f} s ({wall / duration:.3f} x audio length)")
    print(f"peak RSS    {usage.ru_maxrss / 1024:.0f} MB (target <= 1024 MB)")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"CPU time    {cpu:.0f} s ({cpu / duration:.3f} x audio length; counts every core, unlike wall time)")
    turns = report["timings_s"].get("turns", 0.0)
    print(f"turns       {turns:.1f} s ({turns / duration:.3f} x audio length): units, speaker embeddings "
          f"({report['detection']}, separation {report['voice_separation']}), structure")
    print(f"stages      {report['timings_s']}")
    truth_path = wav.with_suffix(".truth.json")
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text())
        found = sum(any(a["question_start_s"] is not None and a["question_start_s"] < t["question_end_s"]
                        and a["question_end_s"] > t["question_start_s"] for a in report["answers"])
                    for t in truth["turns"])
        print(f"questions   {found}/{len(truth['turns'])} found, {len(report['answers'])} answers reported")
    print(f"load        {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
