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
  backchannels         the interviewer's "Mm-hm." or "Right." inside an answer (truth backchannels[]):
                       how many the report took as a follow-up, and as a main question (a new answer)
  candidate questions  the candidate's own questions in the closing (truth candidate_questions[])
                       found among the report's candidate_questions[]
  voice agreement      the voice method on its own (rehearse.interview.turns.by_voice, before the
                       wording and interjection rules): per 10 ms of the truth's speech (segments[];
                       for the old format the question and answer sentence spans), the share whose
                       speaker matches, where a unit of the transcript covers it. "used" counts the
                       two-voice files where the method trusted itself (detection = voices) and its
                       agreement there; "forced" labels every two-voice file with the method's own
                       split whatever its separation; "one voice declined" counts files read by one
                       voice for both where the method rightly did not claim two voices
  turn speakers        the same agreement for the report's final turns[] speakers (all methods)

Each corpus gets its own rendering folder (build/eval-interview for interviews.yaml,
build/eval-interview-<name> for interviews_<name>.yaml) and its own rows.

    python scripts/eval/eval_interview.py --split tune --files                       # tuning loop
    python scripts/eval/eval_interview.py --split tune --files --turns --ids iv_t01   # how each unit was read
    python scripts/eval/eval_interview.py --corpus scripts/corpus/interviews_real.yaml --split heldout
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

CORPORA = ROOT / "scripts" / "corpus"
OUT = ROOT / "build" / "eval-interview"
VOICE: dict = {}  # what the voice method labelled in the file being analysed (see spy_on_voices)


def out_dir(corpus: Path) -> Path:
    """build/eval-interview for interviews.yaml, build/eval-interview-<name> for interviews_<name>.yaml."""
    name = corpus.stem.removeprefix("interviews").lstrip("_")
    return OUT.with_name(f"{OUT.name}-{name}") if name else OUT


def spy_on_voices() -> None:
    """Record the voice method's own labels for each analysed file in VOICE: `used` the labels it
    gave (None when it did not trust two voices), `forced` the labels of its own two-cluster split
    with no separation threshold (computed on a copy: the analysis is unchanged)."""
    import copy

    from rehearse.interview import turns

    real = turns.by_voice

    def by_voice(samples, units, cfg, min_score, speech=None, voices=None, **kw):
        forced = copy.deepcopy(units)
        for u in forced:
            u.speaker = "candidate"
        real(samples, forced, {**cfg, "min_separation": 0.0, "sure_separation": 0.0}, min_score, speech, **kw)
        VOICE["forced"] = [(u.start_s, u.end_s, u.speaker) for u in forced]
        separation = real(samples, units, cfg, min_score, speech, voices, **kw)
        trusted = separation is not None and separation >= cfg["min_separation"]
        VOICE["used"] = [(u.start_s, u.end_s, u.speaker) for u in units] if trusted else None
        return separation

    turns.by_voice = by_voice


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
    bcs = [b for turn in truth["turns"] for b in turn.get("backchannels", [])]
    all_fus = [f for _, _, ans in detected for f in ans.followups]
    bc_fu = bc_main = 0
    for b in bcs:
        if any(a < b["end_s"] and z > b["start_s"] for a, z, _ in detected):
            bc_main += 1
            details.append(f"  BACKCHANNEL as a main question {b['start_s']:.1f}-{b['end_s']:.1f} {b['text']!r}")
        elif any(f.start_s < b["end_s"] and f.end_s > b["start_s"] for f in all_fus):
            bc_fu += 1
            details.append(f"  backchannel as a follow-up {b['start_s']:.1f}-{b['end_s']:.1f} {b['text']!r}")
    cq_truth = truth.get("candidate_questions", [])
    cq_found = sum(any(overlap(q.start_s, q.end_s, c["start_s"], c["end_s"]) > 0 for q in report.candidate_questions)
                   for c in cq_truth)
    for c in cq_truth:
        if not any(overlap(q.start_s, q.end_s, c["start_s"], c["end_s"]) > 0 for q in report.candidate_questions):
            details.append(f"  candidate question NOT FOUND {c['start_s']:.1f}-{c['end_s']:.1f} {c['text'][:60]!r}")
    for q in report.candidate_questions:
        if not any(overlap(q.start_s, q.end_s, c["start_s"], c["end_s"]) > 0 for c in cq_truth):
            details.append(f"  extra candidate question {q.start_s:.1f}-{q.end_s:.1f} {q.text[:60]!r}")
    one_voice = truth["interviewer"] == truth["candidate"] and not truth["stereo"]
    used, forced = VOICE.get("used"), VOICE.get("forced")
    return {"questions": len(truth["turns"]), "found": found, "extra": extra, "bounds": bounds, "text": text_ok,
            "wers": wers, "details": details, "fu_total": fu_total, "fu_found": fu_found, "fu_split": fu_split,
            "smalltalk": smalltalk, "bc_total": len(bcs), "bc_fu": bc_fu, "bc_main": bc_main, "cq_total": len(cq_truth), "cq_found": cq_found, "one_voice": one_voice,
            "voice_used": agreement(used, truth) if used is not None else None,
            "voice_forced": agreement(forced, truth) if forced is not None else None,
            "turn_speakers": agreement([(t.start_s, t.end_s, t.speaker) for t in report.turns], truth),
            "detection": f"{report.detection} (voice separation {report.voice_separation})"}


def speaker_truth(truth: dict) -> list[tuple[float, float, str]]:
    """Who speaks when: segments[], or for the old format the question and answer sentence spans."""
    if "segments" in truth:
        return [(x["start_s"], x["end_s"], x["speaker"]) for x in truth["segments"]]
    spans = []
    for turn in truth["turns"]:
        spans.append((turn["question_start_s"], turn["question_end_s"], "interviewer"))
        spans += [(x["start_s"], x["end_s"], "candidate") for x in turn["sentences"]]
    return spans


def agreement(labels: list[tuple[float, float, str]], truth: dict) -> tuple[float, float, float]:
    """(agreeing seconds, covered seconds, speech seconds) of speaker labels (start, end, speaker)
    against the truth, per 10 ms of the truth's speech."""
    import numpy as np

    n = int(truth["duration_s"] * 100) + 2
    want, got = np.full(n, -1), np.full(n, -1)
    for a, b, who in speaker_truth(truth):
        want[int(a * 100): int(b * 100)] = who == "interviewer"
    for a, b, who in labels:
        got[int(a * 100): int(b * 100)] = who == "interviewer"
    speech = want >= 0
    covered = speech & (got >= 0)
    return float((want[covered] == got[covered]).sum()) / 100, float(covered.sum()) / 100, float(speech.sum()) / 100


def ratio(x: list[float]) -> str:
    """agreement (coverage) from summed (agreeing, covered, speech) seconds."""
    return f"{x[0] / x[1]:.3f} ({x[1] / x[2]:.2f} cov)" if x[1] else "-"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, action="append",
                   help="corpus YAML (repeatable; default: interviews.yaml and interviews_real.yaml)")
    p.add_argument("--split", choices=["tune", "heldout", "blind"])
    p.add_argument("--ids")
    p.add_argument("--files", action="store_true", help="per-interview and per-question details")
    p.add_argument("--turns", action="store_true", help="with --files: every unit of the transcript, its speaker, "
                                                       "role and how they were decided")
    p.add_argument("--tolerance", type=float, default=1.5)
    p.add_argument("--wording-only", action="store_true",
                   help="ignore voices and channels: turns from question wording and pauses only")
    p.add_argument("--no-cache", action="store_true", help="transcribe again (real timings)")
    p.add_argument("--out", type=Path, help="where the rendered interviews are kept (default: per corpus, "
                                            f"{OUT}[-<name>])")
    p.add_argument("--rules-only", action="store_true",
                   help="main questions by the wording rules alone, without the turn model (rubrics/turn_model.json)")
    args = p.parse_args(argv)
    corpora = args.corpus or [CORPORA / "interviews.yaml", CORPORA / "interviews_real.yaml"]
    if args.out and len(corpora) > 1:
        p.error("--out needs a single --corpus")
    if not args.no_cache:
        whisper_cache.install()
    if args.rules_only:
        from rehearse import rubric

        rubric.load("interview")["structure"]["model"] = None
    if args.wording_only:
        from rehearse import rubric

        cfg = rubric.load("interview")  # the cached dict the analysis reads
        cfg["speakers"]["min_separation"] = float("inf")
        cfg["channels"]["min_share"] = 2.0
    else:
        spy_on_voices()
    wanted = set(args.ids.split(",")) if args.ids else None
    keys = ("questions", "found", "extra", "bounds", "text", "fu_total", "fu_found", "fu_split", "smalltalk",
            "cq_total", "cq_found", "bc_total", "bc_fu", "bc_main")
    totals: dict[str, dict] = {}
    for corpus in corpora:
        folder = args.out or out_dir(corpus)
        for iv in yaml.safe_load(corpus.read_text())["interviews"]:
            if (args.split and iv.get("split") != args.split) or (wanted and iv["id"] not in wanted):
                continue
            wav = folder / f"{iv['id']}.wav"
            truth_path = folder / f"{iv['id']}.truth.json"
            if not wav.is_file() or not truth_path.is_file():
                render_interviews.render_interview(iv, folder)
            truth = json.loads(truth_path.read_text())
            VOICE.clear()
            report = analyze_interview(wav)
            s = score(report, truth, args.tolerance)
            row = f"{corpus.stem.removeprefix('interviews').lstrip('_') or 'old'}/{iv.get('split', '?')}"
            t = totals.setdefault(row, {**dict.fromkeys(keys, 0), "wers": [], "files": 0, "modes": {},
                                        "used": [0.0] * 3, "forced": [0.0] * 3, "turn": [0.0] * 3,
                                        "two_voice": 0, "used_files": 0, "one_voice": 0, "declined": 0})
            t["files"] += 1
            for k in keys:
                t[k] += s[k]
            t["wers"] += s["wers"]
            t["modes"][report.detection] = t["modes"].get(report.detection, 0) + 1
            t["turn"] = [x + y for x, y in zip(t["turn"], s["turn_speakers"])]
            if s["one_voice"]:
                t["one_voice"] += 1
                t["declined"] += s["voice_used"] is None
            elif not truth["stereo"]:  # stereo files are told apart by channel first; the voice method is not asked
                t["two_voice"] += 1
                if s["voice_forced"]:
                    t["forced"] = [x + y for x, y in zip(t["forced"], s["voice_forced"])]
                if s["voice_used"]:
                    t["used_files"] += 1
                    t["used"] = [x + y for x, y in zip(t["used"], s["voice_used"])]
            if args.files:
                def fig(v):
                    return f"{v[0] / max(v[1], 1e-9):.3f} cov {v[1] / max(v[2], 1e-9):.2f}" if v else "-"
                print(f"{iv['id']} ({iv.get('split')}, {truth['interviewer']} / {truth['candidate']}"
                      f"{', stereo' if truth['stereo'] else ''}{', phone ' + truth['phone'] if truth.get('phone') else ''}"
                      f"): detection={s['detection']} found {s['found']}/{s['questions']} extra {s['extra']} bounds "
                      f"{s['bounds']}/{s['questions']} follow-ups {s['fu_found']}/{s['fu_total']} split {s['fu_split']} "
                      f"small talk answered {s['smalltalk']} candidate questions {s['cq_found']}/{s['cq_total']} | "
                      f"voice used {fig(s['voice_used'])} forced {fig(s['voice_forced'])} turn speakers "
                      f"{fig(s['turn_speakers'])}")
                print("\n".join(s["details"]))
                if args.turns:
                    for u in report.turns:
                        print(f"    {u.start_s:6.1f}-{u.end_s:6.1f} {u.speaker[:4]} {u.role or '-':10} {u.text[:70]!r}"
                              f"  | {' / '.join(u.why)}")
    cols = ("row", "files", "main questions", "extra", f"answers ±{args.tolerance:g}s", "question text", "mean WER",
            "follow-ups", "split off", "small talk", "cand. qs", "voice used", "voice forced", "1-voice declined",
            "turn speakers", "detection", "backchannels as follow-up / question")
    print(" | ".join(cols))
    for row, t in totals.items():
        q = t["questions"]
        mean_wer = sum(t["wers"]) / len(t["wers"]) if t["wers"] else float("nan")
        cells = (row, t["files"], f"{t['found']}/{q}", t["extra"], f"{t['bounds']}/{q}", f"{t['text']}/{q}",
                 f"{mean_wer:.3f}", f"{t['fu_found']}/{t['fu_total']}" if t["fu_total"] else "-", t["fu_split"],
                 t["smalltalk"], f"{t['cq_found']}/{t['cq_total']}" if t["cq_total"] else "-",
                 f"{t['used_files']}/{t['two_voice']} files, {ratio(t['used'])}" if t["two_voice"] else "-",
                 ratio(t["forced"]) if t["two_voice"] else "-",
                 f"{t['declined']}/{t['one_voice']}" if t["one_voice"] else "-", ratio(t["turn"]),
                 ", ".join(f"{m} {n}" for m, n in sorted(t["modes"].items())),
                 f"{t['bc_fu']} / {t['bc_main']} of {t['bc_total']}" if t["bc_total"] else "-")
        print(" | ".join(str(c) for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
