#!/usr/bin/env python3
"""Accuracy of interview mode on rendered mock interviews, per split (tune, heldout, blind).

Renders the corpus (default scripts/corpus/interviews.yaml; --corpus interviews_real.yaml or a
blind set) into build/eval-interview/ (once), runs the real `analyze_interview` on each
(Whisper's output cached in build/eval-delivery/whisper, keyed by audio and settings, so
re-tuning turn detection does not re-transcribe) and reports:

  questions found      truth main questions matched by a detected main question (overlapping it)
  extra questions      detected main questions that match none
  answer boundaries    answers whose start AND end are both within --tolerance (1.5 s) of the truth
  question text        matched questions whose text has a word error rate <= 0.25 against the
                       question asked (lead-ins not counted), and the mean WER
  follow-ups found     truth follow-ups matched by a detected follow-up of the same answer
  follow-ups split     truth follow-ups taken as a main question (a new answer) instead
  small talk answered  detected answers that are small talk or the closing, not a main question's answer
  voice agreement      the voice method on its own: of the truth's spoken lines (segments[]), the
                       share of speech time whose speaker (report turns[]) matches, in files where
                       two voices were heard (detection = voices), with the share of speech covered

    python scripts/eval/eval_interview.py --split tune --files                       # tuning loop
    python scripts/eval/eval_interview.py --corpus scripts/corpus/interviews_real.yaml
    python scripts/eval/eval_interview.py --wording-only    # as if one voice: wording and pauses only
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


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def score(report, truth: dict, tolerance: float) -> dict:
    found, bounds, text_ok, wers, details = 0, 0, 0, [], []
    detected = [(a.question_start_s, a.question_end_s, a) for a in report.answers if a.question_start_s is not None]
    used = set()
    fu_total = fu_found = fu_split = 0
    for turn in truth["turns"]:
        qa, qb = turn["question_start_s"], turn["question_end_s"]
        match = next((k for k, (a, b, _) in enumerate(detected) if k not in used and a < qb and b > qa), None)
        line = f"  q{turn['index'] + 1} {qa:7.1f}-{qb:6.1f} ans {turn['answer_start_s']:7.1f}-{turn['answer_end_s']:6.1f}"
        fus = turn.get("followups", [])
        fu_total += len(fus)
        for f in fus:  # a follow-up taken as a main question is split off as a new answer
            if any(a < f["question_end_s"] and b > f["question_start_s"] for a, b, _ in detected):
                fu_split += 1
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
        got_fu = sum(any(d.start_s < f["question_end_s"] and d.end_s > f["question_start_s"] for d in ans.followups)
                     for f in fus)
        fu_found += got_fu
        fu_note = f" follow-ups {got_fu}/{len(fus)}" if fus else ""
        details.append(line + f"  got {ans.start_s:7.1f}-{ans.end_s:6.1f} {'ok ' if ok else 'OFF'} wer {w:.2f}{fu_note} "
                              f"{ans.question[:60]!r}")
    extra = len(detected) - len(used)
    if not detected and report.answers:
        extra = 0
    # small talk reported as an answer: a detected answer that is no truth question's answer and
    # lies mostly over small talk or the closing
    chat = [(x["start_s"], x["end_s"]) for x in truth.get("smalltalk", []) + truth.get("closing", [])]
    smalltalk = 0
    for k, (_, _, ans) in enumerate(detected):
        if k in used:
            continue
        on_chat = sum(overlap(ans.start_s, ans.end_s, a, b) for a, b in chat)
        on_answers = sum(overlap(ans.start_s, ans.end_s, t["answer_start_s"], t["answer_end_s"]) for t in truth["turns"])
        if on_chat > on_answers or (ans.length_s <= 0 and any(overlap(ans.question_start_s, ans.question_end_s, a, b)
                                                               for a, b in chat)):
            smalltalk += 1
            details.append(f"  SMALL TALK as answer: {ans.start_s:.1f}-{ans.end_s:.1f} {ans.question[:60]!r}")
    for k, (a, b, ans) in enumerate(detected):
        if k not in used:
            details.append(f"  extra question {a:.1f}-{b:.1f} {ans.question[:60]!r}")
    voice = agreement(report, truth)
    return {"questions": len(truth["turns"]), "found": found, "extra": extra, "bounds": bounds, "text": text_ok,
            "wers": wers, "details": details, "fu_total": fu_total, "fu_found": fu_found, "fu_split": fu_split,
            "smalltalk": smalltalk, "voice": voice,
            "detection": f"{report.detection} (voice separation {report.voice_separation})"}


def agreement(report, truth: dict) -> tuple[float, float] | None:
    """(agreeing seconds, covered seconds, speech seconds) of the speaker labels against segments[]
    truth, per 10 ms; None without segments."""
    if "segments" not in truth:
        return None
    import numpy as np

    n = int(truth["duration_s"] * 100) + 2
    want, got = np.full(n, -1), np.full(n, -1)
    for seg in truth["segments"]:
        want[int(seg["start_s"] * 100): int(seg["end_s"] * 100)] = seg["speaker"] == "interviewer"
    for t in report.turns:
        got[int(t.start_s * 100): int(t.end_s * 100)] = t.speaker == "interviewer"
    speech = want >= 0
    covered = speech & (got >= 0)
    return float((want[covered] == got[covered]).sum()) / 100, float(covered.sum()) / 100, float(speech.sum()) / 100


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT / "scripts" / "corpus" / "interviews.yaml")
    p.add_argument("--split", choices=["tune", "heldout", "blind"])
    p.add_argument("--ids")
    p.add_argument("--files", action="store_true", help="per-interview and per-question details")
    p.add_argument("--tolerance", type=float, default=1.5)
    p.add_argument("--wording-only", action="store_true",
                   help="ignore voices and channels: turns from question wording and pauses only")
    p.add_argument("--no-cache", action="store_true", help="transcribe again (real timings)")
    p.add_argument("--out", type=Path, default=OUT, help=f"where the rendered interviews are kept (default {OUT})")
    args = p.parse_args(argv)
    if not args.no_cache:
        whisper_cache.install()
    if args.wording_only:
        from rehearse import rubric

        cfg = rubric.load("interview")  # the cached dict the analysis reads
        cfg["speakers"]["min_separation"] = float("inf")
        cfg["channels"]["min_share"] = 2.0
    interviews = yaml.safe_load(args.corpus.read_text())["interviews"]
    wanted = set(args.ids.split(",")) if args.ids else None
    totals: dict[str, dict] = {}
    for iv in interviews:
        if (args.split and iv.get("split") != args.split) or (wanted and iv["id"] not in wanted):
            continue
        wav = args.out / f"{iv['id']}.wav"
        truth_path = args.out / f"{iv['id']}.truth.json"
        if not wav.is_file() or not truth_path.is_file():
            render_interviews.render_interview(iv, args.out)
        truth = json.loads(truth_path.read_text())
        report = analyze_interview(wav)
        s = score(report, truth, args.tolerance)
        keys = ("questions", "found", "extra", "bounds", "text", "fu_total", "fu_found", "fu_split", "smalltalk")
        t = totals.setdefault(iv.get("split", "?"), {**dict.fromkeys(keys, 0), "wers": [], "files": 0,
                                                      "voice": [0.0, 0.0, 0.0], "voice_files": 0, "modes": {}})
        t["files"] += 1
        for k in keys:
            t[k] += s[k]
        t["wers"] += s["wers"]
        t["modes"][report.detection] = t["modes"].get(report.detection, 0) + 1
        if s["voice"] and report.detection == "voices":
            t["voice_files"] += 1
            t["voice"] = [x + y for x, y in zip(t["voice"], s["voice"])]
        if args.files:
            print(f"{iv['id']} ({iv.get('split')}, {truth['interviewer']} / {truth['candidate']}"
                  f"{', stereo' if truth['stereo'] else ''}): detection={s['detection']} found {s['found']}/"
                  f"{s['questions']} extra {s['extra']} bounds {s['bounds']}/{s['questions']} follow-ups "
                  f"{s['fu_found']}/{s['fu_total']} split {s['fu_split']} small talk answered {s['smalltalk']}"
                  + (f" voice agreement {s['voice'][0] / max(s['voice'][1], 1e-9):.3f} cover "
                     f"{s['voice'][1] / max(s['voice'][2], 1e-9):.2f}" if s["voice"] else ""))
            print("\n".join(s["details"]))
    print(f"{'split':8} {'files':>5} {'questions found':>16} {'extra':>6} {f'answers ±{args.tolerance:g}s':>14} "
          f"{'question text':>14} {'mean WER':>9} {'follow-ups found':>17} {'split off':>9} {'small talk':>10} "
          f"{'voice agreement':>16}  detection")
    for split, t in totals.items():
        q = t["questions"]
        mean_wer = sum(t["wers"]) / len(t["wers"]) if t["wers"] else float("nan")
        agree, cover, speech = t["voice"]
        voice = f"{agree / cover:.3f} ({cover / speech:.2f} cov, {t['voice_files']} f)" if cover else "-"
        fus = f"{t['fu_found']}/{t['fu_total']}" if t["fu_total"] else "-"
        print(f"{split:8} {t['files']:>5} {t['found']:>10}/{q:<5} {t['extra']:>6} {t['bounds']:>8}/{q:<5} "
              f"{t['text']:>8}/{q:<5} {mean_wer:>9.3f} {fus:>17} {t['fu_split']:>9} {t['smalltalk']:>10} {voice:>16}  "
              + ", ".join(f"{m} {n}" for m, n in sorted(t["modes"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
