#!/usr/bin/env python3
"""Measure the STAR scorer against labelled answers: section shares, verdict, sentence labels.

Usage: python scripts/eval/eval_star.py [--corpus FILE ...] [--split tune|heldout|all] [--rubric star]
       [--no-audio] [--renders own,slow,fast] [--external PATH] [--json OUT] [--details]

Rows: corpus answers (by default scripts/corpus/star_answers.yaml and, when it exists,
scripts/corpus/star_heldout2.yaml) grouped by split, each
scored transcript-only (truth sentences and truth times) and end to end (audio rendered with
scripts/corpus/render_answers.py in several voices and rates, through the real `analyze` pipeline);
plus an external row: answers written and labelled by other people (transcript-only).

Rendered audio goes to build/eval-star/audio/ and each file's analysis to
build/eval-star/cache/<sha256>.json, so re-scoring never re-transcribes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
sys.path.insert(0, str(ROOT))

import render_answers as ra  # noqa: E402

from rehearse import rubric as rubric_mod  # noqa: E402
from rehearse.models import Sentence, Word  # noqa: E402

CORPORA = [ROOT / "scripts" / "corpus" / "star_answers.yaml", ROOT / "scripts" / "corpus" / "star_heldout2.yaml"]
EXTERNAL = ROOT.parent / "shared" / "eval-data" / "star_external.yaml"
BUILD = ROOT / "build" / "eval-star"
AUDIO_DIR = BUILD / "audio"
CACHE_DIR = BUILD / "cache"
LABELS = ["situation", "task", "action", "result"]
EXTERNAL_WPM = 150.0
EXTERNAL_GAP_S = 0.4

# Each answer is rendered in its own voice and rate, and in two other voice/rate combinations.
# The other voices rotate through this list (skipping the answer's own voice); rates scale the
# answer's own rate, so slow and fast speakers get slower and faster still.
OTHER_VOICES = ["flite:awb", "espeak:en-gb", "flite:slt", "espeak:en-us+f3", "flite:kal",
                "espeak:en-us", "flite:rms", "festival:slt"]
RENDERS = {"own": None, "slow": 0.85, "fast": 1.2}
RATE_RANGE = (0.6, 1.45)

# Failure modes labelled in the corpus -> the finding that should report them.
MODE_FINDINGS = {
    "context_heavy": "context_too_long",
    "task_heavy": "context_too_long",
    "missing_result": "no_measurable_result",
    "generic_values": "generic_values",
    "we_all_through": "action_told_as_we",
    "no_lesson": "no_lesson",
    "heroics": "heroics_without_mechanisms",
    "hedging": "hedging",
    "too_short": "too_short",
}


# ---------------------------------------------------------------- rendering


def render_plan(answers: list[dict]) -> list[tuple[dict, str, str, float]]:
    """(answer, tag, voice, rate) for every render of every answer."""
    plan = []
    for i, answer in enumerate(answers):
        own_voice = answer.get("voice", ra.DEFAULT_VOICE)
        own_rate = float(answer.get("rate", 1.0))
        others = [v for v in OTHER_VOICES if v != own_voice]
        for k, (tag, factor) in enumerate(RENDERS.items()):
            if factor is None:
                plan.append((answer, tag, own_voice, own_rate))
                continue
            voice = others[(i * 2 + k) % len(others)]
            rate = round(min(max(own_rate * factor, RATE_RANGE[0]), RATE_RANGE[1]), 3)
            plan.append((answer, tag, voice, rate))
    return plan


def _render(job: tuple[dict, str, str, float]) -> Path:
    answer, tag, voice, rate = job
    return ra.render_answer(answer, AUDIO_DIR, voice=voice, rate=rate, tag=tag)


def render_missing(plan: list[tuple[dict, str, str, float]]) -> None:
    todo = [job for job in plan if not (AUDIO_DIR / f"{job[0]['id']}.{job[1]}.truth.json").is_file()]
    if not todo:
        return
    print(f"rendering {len(todo)} answer(s) into {AUDIO_DIR}", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=2) as pool:
        for path in pool.map(_render, todo):
            print(f"  {path.name}", file=sys.stderr)


# ---------------------------------------------------------------- analysis cache


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cached_analysis(path: Path) -> dict:
    """Words, sentences and voice activity of one file, from the cache or the real pipeline."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache = CACHE_DIR / f"{file_hash(path)}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    from rehearse.audio import decode as audio
    from rehearse.audio import vad
    from rehearse.pipeline import analyze

    print(f"  analysing {path.name}", file=sys.stderr, flush=True)
    report = analyze(path)
    vcfg = rubric_mod.load("delivery")["vad"]
    samples = audio.decode(path)
    speech = vad.speech_regions(samples, vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"])
    data = {"file": path.name, "duration_s": report.duration_s, "transcript": report.transcript,
            "words": [w.model_dump() for w in report.words],
            "sentences": [s.model_dump() for s in report.sentences],
            "speech": [s.model_dump() for s in speech]}
    cache.write_text(json.dumps(data) + "\n")
    return data


def pipeline_sentences(data: dict) -> list[Sentence]:
    """Sentences as the current pipeline would split the cached words (voice activity is cached
    too, for splitting experiments)."""
    from rehearse.speech import transcribe
    tcfg = rubric_mod.load("delivery")["transcription"]
    words = [Word(**w) for w in data["words"]]
    return transcribe.split_sentences(words, tcfg["sentence_gap_s"])


# ---------------------------------------------------------------- truth


def truth_sentences(truth: dict) -> list[Sentence]:
    sents = []
    for s in truth["sentences"]:
        sents.append(Sentence(index=s["index"], text=s["text"], start_s=s["start_s"], end_s=s["end_s"],
                              word_start=0, word_end=0))
    return sents


def clean_text(text: str) -> str:
    """Script text as a transcript would read it: markup removed, filler names kept."""
    text = re.sub(r"\[[\d.]+\]", " ", text)
    text = re.sub(r"[{}<>]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def timed_external(answer: dict) -> tuple[list[Sentence], dict]:
    """External answers have no audio: each sentence lasts its word count at EXTERNAL_WPM."""
    sents, truth_sents, t = [], [], 0.0
    for i, (label, text) in enumerate(answer["sentences"]):
        text = clean_text(text)
        n = len(text.split())
        dur = n / EXTERNAL_WPM * 60
        sents.append(Sentence(index=i, text=text, start_s=round(t, 3), end_s=round(t + dur, 3), word_start=0, word_end=0))
        truth_sents.append({"index": i, "label": ra.LABELS[label], "start_s": t, "end_s": t + dur})
        t += dur + EXTERNAL_GAP_S
    end = truth_sents[-1]["end_s"]
    spans = [(s["label"], s["start_s"], s["end_s"]) for s in truth_sents]
    shares = shares_from_spans(spans, end)
    return sents, {"sentences": truth_sents, "section_shares": shares, "action_dominant": shares["action"] >= 0.5,
                   "duration_s": end, "speech_start_s": 0.0, "speech_end_s": end}


def shares_from_spans(spans: list[tuple[str, float, float]], end: float) -> dict[str, float]:
    """The truth rule of FORMAT.md: a run of one label lasts until the next run starts."""
    start = spans[0][1]
    time = dict.fromkeys(LABELS, 0.0)
    runs = [(lab, a) for i, (lab, a, _) in enumerate(spans) if i == 0 or spans[i - 1][0] != lab]
    ends = [a for _, a in runs[1:]] + [end]
    for (lab, a), b in zip(runs, ends):
        time[lab] += b - a
    return {k: v / (end - start) for k, v in time.items()}


# ---------------------------------------------------------------- scoring


def mapped_truth(truth: dict, star_rubric: dict) -> dict:
    """Truth relabelled for a rubric whose sections merge STAR ones (CAR: S, T -> challenge)."""
    mapping = star_rubric.get("cue_sections", {})
    if not mapping:
        return truth
    sections = star_rubric["sections"]
    shares = dict.fromkeys(sections, 0.0)
    for label, share in truth["section_shares"].items():
        shares[mapping.get(label, label)] += share
    sents = [{**s, "label": mapping.get(s["label"], s["label"])} for s in truth["sentences"]]
    verdict = star_rubric["verdict"]
    return {**truth, "sentences": sents, "section_shares": shares,
            "action_dominant": shares[verdict["section"]] >= float(verdict["min_share"])}


def sentence_accuracy(star, truth: dict) -> float:
    """For each truth sentence, the predicted label covering most of it (time overlap)."""
    pred = star.sentences
    if not pred:
        return 0.0
    owned = [(p.start_s, pred[i + 1].start_s if i + 1 < len(pred) else max(p.end_s, truth["sentences"][-1]["end_s"]), p.label)
             for i, p in enumerate(pred)]
    right = 0
    for t in truth["sentences"]:
        cover: dict[str, float] = {}
        for a, b, lab in owned:
            ov = min(b, t["end_s"]) - max(a, t["start_s"])
            if ov > 0:
                cover[lab] = cover.get(lab, 0.0) + ov
        if cover and max(cover, key=cover.get) == t["label"]:
            right += 1
    return right / len(truth["sentences"])


def score_one(sentences: list[Sentence], truth: dict, star_rubric: dict, answer: dict | None, duration_s: float) -> dict:
    from rehearse.star.label import score_star

    star = score_star(sentences, star_rubric)
    truth = mapped_truth(truth, star_rubric)
    shares = {s.label: s.share for s in star.sections}
    mae = mean(abs(shares.get(k, 0.0) - truth["section_shares"][k]) for k in star_rubric["sections"])
    return {
        "mae": mae,
        "verdict_ok": star.action_dominant == truth["action_dominant"],
        "sent_acc": sentence_accuracy(star, truth),
        "shares": shares,
        "truth_shares": truth["section_shares"],
        "findings": sorted({f.id for f in getattr(star, "findings", [])}),
        "principles": [p.name for p in getattr(star, "principles", []) if getattr(p, "shown", True)],
        "score": getattr(getattr(star, "score", None), "total", None),
    }


def summarise(rows: list[dict]) -> dict:
    if not rows:
        return {}
    return {"n": len(rows), "mae": mean(r["mae"] for r in rows), "max_mae": max(r["mae"] for r in rows),
            "verdict": sum(r["verdict_ok"] for r in rows), "sent_acc": mean(r["sent_acc"] for r in rows)}


def finding_stats(rows: list[tuple[dict, dict]]) -> dict[str, dict]:
    """Per labelled failure mode: how often its finding fires on labelled vs unlabelled answers."""
    out = {}
    for mode, finding in MODE_FINDINGS.items():
        pos = [r for a, r in rows if mode in a["failure_modes"]]
        clean = [r for a, r in rows if not a["failure_modes"]]
        if not pos:
            continue
        out[mode] = {"finding": finding, "recall": mean(finding in r["findings"] for r in pos), "n": len(pos),
                     "false_alarm_on_strong": mean(finding in r["findings"] for r in clean) if clean else None}
    return out


def principle_stats(rows: list[tuple[dict, dict]]) -> dict:
    hits, total, extra = 0, 0, []
    for a, r in rows:
        labelled = set(a.get("principles", []))
        found = set(r["principles"])
        hits += len(labelled & found)
        total += len(labelled)
        extra.append(len(found - labelled))
    return {"recall": hits / total if total else None, "extra_per_answer": mean(extra) if extra else None}


def load_answers(files: list[Path] | None) -> list[dict]:
    """Answers of every corpus file; each gets `row`: its split, or for a file other than the
    main corpus, the file's name without `star_` (star_heldout2.yaml -> heldout2)."""
    if files is None:
        files = [f for i, f in enumerate(CORPORA) if i == 0 or f.is_file()]
    answers, seen = [], set()
    for f in files:
        if not f.is_file():
            raise SystemExit(f"eval_star: no corpus file {f}")
        row_name = None if f.resolve() == CORPORA[0].resolve() else f.stem.removeprefix("star_")
        for a in yaml.safe_load(f.read_text())["answers"]:
            if a["id"] in seen:
                raise SystemExit(f"eval_star: answer id {a['id']} appears twice")
            seen.add(a["id"])
            answers.append({**a, "row": row_name or a["split"]})
    return answers


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, nargs="+", default=None,
                   help="answer files (default: star_answers.yaml, plus star_heldout2.yaml if it exists)")
    p.add_argument("--split", choices=["tune", "heldout", "all"], default="all")
    p.add_argument("--rubric", default="star")
    p.add_argument("--no-audio", action="store_true", help="transcript-only rows (no rendering or transcription)")
    p.add_argument("--renders", default=",".join(RENDERS), help="which renders to score end to end")
    p.add_argument("--external", type=Path, default=EXTERNAL)
    p.add_argument("--no-external", action="store_true")
    p.add_argument("--json", type=Path, help="write every per-answer row here")
    p.add_argument("--details", action="store_true", help="print per-answer rows")
    p.add_argument("--prepare", action="store_true", help="only render and analyse (fill the cache), then stop")
    args = p.parse_args(argv)

    star_rubric = rubric_mod.load(args.rubric)
    answers = load_answers(args.corpus)
    splits = ["tune", "heldout"] if args.split == "all" else [args.split]
    answers = [a for a in answers if a["split"] in splits]
    tags = [t for t in args.renders.split(",") if t]
    plan = [job for job in render_plan(answers) if job[1] in tags]
    if not args.no_audio:
        render_missing(plan)
    elif any(not (AUDIO_DIR / f"{a['id']}.{t}.truth.json").is_file() for a, t, _, _ in plan):
        render_missing(plan)  # truth times come from the renders; cheap without Whisper
    if args.prepare:
        for answer, tag, _, _ in plan:
            cached_analysis(AUDIO_DIR / f"{answer['id']}.{tag}.wav")
        return 0

    table: dict[tuple[str, str], list[dict]] = {}
    labelled: dict[tuple[str, str], list[tuple[dict, dict]]] = {}
    details = []
    for answer, tag, voice, rate in plan:
        stem = f"{answer['id']}.{tag}"
        truth = json.loads((AUDIO_DIR / f"{stem}.truth.json").read_text())
        modes = [("transcript", truth_sentences(truth), truth["duration_s"])]
        if not args.no_audio:
            data = cached_analysis(AUDIO_DIR / f"{stem}.wav")
            modes.append(("audio", pipeline_sentences(data), data["duration_s"]))
        for mode, sents, dur in modes:
            row = score_one(sents, truth, star_rubric, answer, dur)
            row.update(id=answer["id"], tag=tag, voice=voice, rate=rate, split=answer["row"], mode=mode)
            table.setdefault((answer["row"], mode), []).append(row)
            labelled.setdefault((answer["row"], mode), []).append((answer, row))
            details.append(row)

    if not args.no_external and args.external.is_file():
        for answer in yaml.safe_load(args.external.read_text())["answers"]:
            sents, truth = timed_external(answer)
            row = score_one(sents, truth, star_rubric, answer, truth["duration_s"])
            row.update(id=answer["id"], tag="text", split="external", mode="transcript")
            table.setdefault(("external", "transcript"), []).append(row)
            details.append(row)

    if args.details:
        for r in details:
            s = " ".join(f"{k[0].upper()}{r['shares'].get(k, 0):.2f}/{r['truth_shares'][k]:.2f}" for k in star_rubric["sections"])
            print(f"{r['split']:8} {r['mode']:10} {r['id']:8} {r['tag']:5} mae={r['mae']:.3f} "
                  f"verdict={'ok' if r['verdict_ok'] else 'XX'} sent={r['sent_acc']:.2f} {s} "
                  f"score={r['score']} findings={','.join(r['findings'])}")
        print()

    print(f"STAR accuracy (rubric {args.rubric}; renders: {', '.join(tags)})")
    print("| rows | mode | answers×renders | share MAE (mean / worst) | verdict accuracy | sentence-label accuracy |")
    print("|---|---|---|---|---|---|")
    for (split, mode), rows in table.items():
        s = summarise(rows)
        print(f"| {split} | {'transcript-only' if mode == 'transcript' else 'end-to-end audio'} | {s['n']} | "
              f"{s['mae']:.3f} / {s['max_mae']:.3f} | {s['verdict']}/{s['n']} ({s['verdict'] / s['n']:.0%}) | {s['sent_acc']:.1%} |")

    print("\nFindings against labelled failure modes (recall on labelled answers; false alarms on answers with none)")
    print("| rows | mode | failure mode | finding | n | recall | fires on strong answers |")
    print("|---|---|---|---|---|---|---|")
    for (split, mode), rows in labelled.items():
        for fm, st in finding_stats(rows).items():
            fa = "—" if st["false_alarm_on_strong"] is None else f"{st['false_alarm_on_strong']:.0%}"
            print(f"| {split} | {mode} | {fm} | {st['finding']} | {st['n']} | {st['recall']:.0%} | {fa} |")
    print("\nLeadership Principles (labelled principles shown; extra principles per answer)")
    for (split, mode), rows in labelled.items():
        st = principle_stats(rows)
        if st["recall"] is not None:
            print(f"  {split:8} {mode:10} recall {st['recall']:.0%}, extra {st['extra_per_answer']:.1f} per answer")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(details, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
