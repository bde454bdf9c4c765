#!/usr/bin/env python3
"""Accuracy of interview mode on rendered mock interviews, per split (tune, heldout).

Renders scripts/corpus/interviews.yaml into build/eval-interview/ (once), runs the real
`analyze_interview` on each (Whisper's output cached in build/eval-delivery/whisper, keyed by
audio and settings, so re-tuning turn detection does not re-transcribe) and reports:

  questions found      truth questions matched by a detected question turn (overlapping it)
  extra questions      detected question turns that match no truth question
  answer boundaries    answers whose start AND end are both within --tolerance (2 s) of the truth
  question text        matched questions whose text has a word error rate <= 0.25 against the
                       question asked (lead-ins such as "Thanks." not counted), and the mean WER

    python scripts/eval/eval_interview.py --split tune --files     # tuning loop
    python scripts/eval/eval_interview.py                          # both splits
    python scripts/eval/eval_interview.py --wording-only           # as if one voice: wording and pauses only
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))

import render_interviews
import whisper_cache

from rehearse.interview.answers import analyze_interview

OUT = ROOT / "build" / "eval-interview"


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split())


def wer(ref: str, hyp: str) -> float:
    import jiwer

    ref, hyp = norm(ref), norm(hyp)
    if not hyp:
        return 1.0
    return float(jiwer.wer(ref, hyp))


def score(report, truth: dict, tolerance: float) -> dict:
    found, bounds, text_ok, wers, details = 0, 0, 0, [], []
    detected = [(a.question_start_s, a.question_end_s, a) for a in report.answers if a.question_start_s is not None]
    used = set()
    for turn in truth["turns"]:
        qa, qb = turn["question_start_s"], turn["question_end_s"]
        match = next((k for k, (a, b, _) in enumerate(detected) if k not in used and a < qb and b > qa), None)
        line = f"  q{turn['index'] + 1} {qa:7.1f}-{qb:6.1f} ans {turn['answer_start_s']:7.1f}-{turn['answer_end_s']:6.1f}"
        if match is None:
            details.append(line + "  NOT FOUND")
            continue
        used.add(match)
        found += 1
        ans = detected[match][2]
        ok = abs(ans.start_s - turn["answer_start_s"]) <= tolerance and abs(ans.end_s - turn["answer_end_s"]) <= tolerance
        bounds += ok
        w = wer(turn["question"], ans.question)
        wers.append(w)
        text_ok += w <= 0.25
        details.append(line + f"  got {ans.start_s:7.1f}-{ans.end_s:6.1f} {'ok ' if ok else 'OFF'} wer {w:.2f} "
                              f"{ans.question[:70]!r}")
    extra = len(detected) - len(used)
    if not detected and report.answers:
        extra = 0
    return {"questions": len(truth["turns"]), "found": found, "extra": extra, "bounds": bounds, "text": text_ok,
            "wers": wers, "details": details,
            "detection": f"{report.detection} (voice separation {report.voice_separation})"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT / "scripts" / "corpus" / "interviews.yaml")
    p.add_argument("--split", choices=["tune", "heldout"])
    p.add_argument("--ids")
    p.add_argument("--files", action="store_true", help="per-interview and per-question details")
    p.add_argument("--tolerance", type=float, default=2.0)
    p.add_argument("--wording-only", action="store_true",
                   help="ignore voices and channels: turns from question wording and pauses only")
    p.add_argument("--no-cache", action="store_true", help="transcribe again (real timings)")
    args = p.parse_args(argv)
    if not args.no_cache:
        whisper_cache.install()
    if args.wording_only:
        from rehearse import rubric

        cfg = rubric.load("interview")  # the cached dict the analysis reads
        cfg["voice"]["min_separation"] = float("inf")
        cfg["channels"]["min_share"] = 2.0
    interviews = yaml.safe_load(args.corpus.read_text())["interviews"]
    wanted = set(args.ids.split(",")) if args.ids else None
    totals: dict[str, dict] = {}
    for iv in interviews:
        if (args.split and iv.get("split") != args.split) or (wanted and iv["id"] not in wanted):
            continue
        wav = OUT / f"{iv['id']}.wav"
        truth_path = OUT / f"{iv['id']}.truth.json"
        if not wav.is_file() or not truth_path.is_file():
            render_interviews.render_interview(iv, OUT)
        truth = json.loads(truth_path.read_text())
        report = analyze_interview(wav)
        s = score(report, truth, args.tolerance)
        t = totals.setdefault(iv.get("split", "?"), {"questions": 0, "found": 0, "extra": 0, "bounds": 0, "text": 0,
                                                      "wers": [], "files": 0})
        t["files"] += 1
        for k in ("questions", "found", "extra", "bounds", "text"):
            t[k] += s[k]
        t["wers"] += s["wers"]
        if args.files:
            print(f"{iv['id']} ({iv.get('split')}, {truth['interviewer']} / {truth['candidate']}"
                  f"{', stereo' if truth['stereo'] else ''}): detection={s['detection']} found {s['found']}/"
                  f"{s['questions']} extra {s['extra']} bounds {s['bounds']}/{s['questions']}")
            print("\n".join(s["details"]))
    print(f"{'split':8} {'files':>5} {'questions found':>16} {'extra':>6} {f'answers ±{args.tolerance:g}s':>14} "
          f"{'question text':>14} {'mean WER':>9}")
    for split, t in totals.items():
        q = t["questions"]
        mean_wer = sum(t["wers"]) / len(t["wers"]) if t["wers"] else float("nan")
        print(f"{split:8} {t['files']:>5} {t['found']:>10}/{q:<5} {t['extra']:>6} {t['bounds']:>8}/{q:<5} "
              f"{t['text']:>8}/{q:<5} {mean_wer:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
