#!/usr/bin/env python3
"""Measure the STAR labeller against labelled answers: section shares, verdict, sentence labels.

Usage: python scripts/eval/eval_star.py [--sets tune,heldout2,...] [--modes transcript,debian,kokoro]
       [--renders own,slow,fast] [--rubric star] [--external PATH] [--external2 PATH]
       [--json OUT] [--details] [--prepare]

Sets (the split was fixed before the labeller was trained; scripts/eval/train_star.py trains on
the sets marked *trained on*, so their figures are in-sample):
  tune              scripts/corpus/star_answers.yaml (ours)                           trained on
  realstyle         scripts/corpus/star_realstyle.yaml (ours, real people's styles)    trained on
  external2_tune    ../shared/eval-data/star_external2.yaml, authors trained on        trained on
  heldout2          scripts/corpus/star_heldout2.yaml (ours)                           held out
  realstyle_blind   scripts/corpus/star_realstyle_blind.yaml (ours)                    held out
  realstyle2        scripts/corpus/star_realstyle2.yaml (ours, real styles, set 2)     not trained on
  realstyle2_blind  scripts/corpus/star_realstyle2_blind.yaml (ours, written blind)    held out
  external          ../shared/eval-data/star_external.yaml (18 real answers, 6 authors) held out
  external2_heldout star_external2.yaml, the 3 authors kept out of training             held out
Real answers are read in place and never copied.

Modes: `transcript` (the truth sentences and times; written answers timed at 150 words a minute),
`debian` and `kokoro` (end to end: each answer rendered with scripts/corpus/render_answers.py,
Debian voices or the neural Kokoro voices, then the real `analyze` pipeline and its sentences).
Our tune and heldout2 answers get three Debian renders (own voice and rate, slower, faster in
other voices); every other answer one render per voice family, voices taken in turn.

Figures per set and mode: share MAE (mean of the four sections), verdicts right, flattering
verdicts (Action said to dominate when it did not), borderline verdicts and firm verdicts that
are wrong, sentence accuracy (time overlap) and the label confusion matrix.

Rendered audio goes to build/eval-star/audio/ and each file's analysis to
build/eval-star/cache/<sha256>.json, so re-scoring never re-transcribes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
sys.path.insert(0, str(ROOT / "scripts" / "eval"))
sys.path.insert(0, str(ROOT))

import render_answers as ra  # noqa: E402
import train_star  # noqa: E402

from rehearse import rubric as rubric_mod  # noqa: E402
from rehearse.models import Sentence, Word  # noqa: E402

CORPUS = ROOT / "scripts" / "corpus"
EXTERNAL = ROOT.parent / "shared" / "eval-data" / "star_external.yaml"
BUILD = ROOT / "build" / "eval-star"
AUDIO_DIR = BUILD / "audio"
CACHE_DIR = BUILD / "cache"
LABELS = ["situation", "task", "action", "result"]
SETS = ["tune", "realstyle", "realstyle2", "external2_tune", "heldout2", "realstyle_blind", "realstyle2_blind", "external",
        "external2_heldout"]
HELD_OUT = {"heldout2", "realstyle_blind", "realstyle2_blind", "external", "external2_heldout"}

# Our tune/heldout2 answers: own voice and rate, and two other voice/rate combinations.
OTHER_VOICES = ["flite:awb", "espeak:en-gb", "flite:slt", "espeak:en-us+f3", "flite:kal",
                "espeak:en-us", "flite:rms", "festival:slt"]
RENDERS = {"own": None, "slow": 0.85, "fast": 1.2}
RATE_RANGE = (0.6, 1.45)
# One render per answer and family for the other sets, voices in turn.
DEBIAN_VOICES = ["espeak:en-us", "flite:slt", "festival:slt", "flite:awb", "espeak:en-gb", "flite:kal",
                 "flite:rms", "espeak:en-us+f3"]
KOKORO_VOICES = ["kokoro:am_michael", "kokoro:af_heart", "kokoro:bm_george", "kokoro:bf_emma",
                 "kokoro:am_adam", "kokoro:af_sarah", "kokoro:bm_lewis", "kokoro:bf_isabella"]

MODE_FINDINGS = {
    "context_heavy": "context_too_long", "task_heavy": "context_too_long", "missing_result": "no_measurable_result",
    "generic_values": "generic_values", "we_all_through": "action_told_as_we", "no_lesson": "no_lesson",
    "heroics": "heroics_without_mechanisms", "hedging": "hedging", "too_short": "too_short",
}


# ---------------------------------------------------------------- answers


def plain(text: str) -> str:
    """A real answer's braces, brackets and angle brackets are text, not render markup."""
    text = re.sub(r"[{}\[\]<>]", " ", text).replace("((", "(").replace("))", ")")
    return re.sub(r"\s+", " ", text).strip()


def load_sets(names: list[str], external: Path, external2: Path) -> dict[str, list[dict]]:
    def corpus(name: str) -> list[dict]:
        return yaml.safe_load((CORPUS / name).read_text())["answers"]

    def real(path: Path, keep) -> list[dict]:
        if not path.is_file():
            raise SystemExit(f"eval_star: no file {path}")
        out = []
        for a in yaml.safe_load(path.read_text())["answers"]:
            if keep(train_star.author(a["source"])):
                out.append({**a, "real": True, "sentences": [[e[0], plain(e[1])] for e in a["sentences"]]})
        return out

    loaders = {
        "tune": lambda: corpus("star_answers.yaml"),
        "heldout2": lambda: corpus("star_heldout2.yaml"),
        "realstyle": lambda: corpus("star_realstyle.yaml"),
        "realstyle_blind": lambda: corpus("star_realstyle_blind.yaml"),
        "realstyle2": lambda: corpus("star_realstyle2.yaml"),
        "realstyle2_blind": lambda: corpus("star_realstyle2_blind.yaml"),
        "external": lambda: real(external, lambda who: True),
        "external2_tune": lambda: real(external2, lambda who: who not in train_star.HELD_OUT_AUTHORS),
        "external2_heldout": lambda: real(external2, lambda who: who in train_star.HELD_OUT_AUTHORS),
    }
    return {n: loaders[n]() for n in names}


# ---------------------------------------------------------------- rendering


def render_plan(set_name: str, answers: list[dict], family: str, tags: list[str]) -> list[tuple[dict, str, str, float]]:
    """(answer, tag, voice, rate) for every render of every answer of one set in one voice family."""
    plan = []
    for i, answer in enumerate(answers):
        if family == "kokoro":
            plan.append((answer, "kokoro", KOKORO_VOICES[i % len(KOKORO_VOICES)], 1.0))
        elif set_name in ("tune", "heldout2"):
            own_voice, own_rate = answer.get("voice", ra.DEFAULT_VOICE), float(answer.get("rate", 1.0))
            others = [v for v in OTHER_VOICES if v != own_voice]
            for k, (tag, factor) in enumerate(RENDERS.items()):
                if tag not in tags:
                    continue
                if factor is None:
                    plan.append((answer, tag, own_voice, own_rate))
                else:
                    rate = round(min(max(own_rate * factor, RATE_RANGE[0]), RATE_RANGE[1]), 3)
                    plan.append((answer, tag, others[(i * 2 + k) % len(others)], rate))
        else:
            plan.append((answer, "deb", DEBIAN_VOICES[i % len(DEBIAN_VOICES)], 1.0))
    return plan


def _render(job: tuple[dict, str, str, float]) -> Path:
    answer, tag, voice, rate = job
    keep = {k: v for k, v in answer.items() if k in ("id", "sentences", "gap_s", "rate")}
    return ra.render_answer(keep, AUDIO_DIR, voice=voice, rate=rate, tag=tag)


def render_missing(plan: list[tuple[dict, str, str, float]]) -> None:
    todo = [job for job in plan if not (AUDIO_DIR / f"{job[0]['id']}.{job[1]}.truth.json").is_file()]
    if not todo:
        return
    print(f"rendering {len(todo)} answer(s) into {AUDIO_DIR}", file=sys.stderr)
    kokoro = [j for j in todo if j[2].startswith("kokoro:")]
    for path in map(_render, kokoro):  # one Kokoro process, one model load
        print(f"  {path.name}", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=2) as pool:
        for path in pool.map(_render, [j for j in todo if not j[2].startswith("kokoro:")]):
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
    speech = vad.speech_regions(audio.decode(path), vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"])
    data = {"file": path.name, "duration_s": report.duration_s, "transcript": report.transcript,
            "words": [w.model_dump() for w in report.words],
            "sentences": [s.model_dump() for s in report.sentences],
            "speech": [s.model_dump() for s in speech]}
    cache.write_text(json.dumps(data) + "\n")
    return data


def pipeline_sentences(data: dict) -> list[Sentence]:
    """Sentences as the current pipeline splits the cached words."""
    from rehearse.speech import transcribe
    tcfg = rubric_mod.load("delivery")["transcription"]
    return transcribe.split_sentences([Word(**w) for w in data["words"]], tcfg["sentence_gap_s"])


# ---------------------------------------------------------------- truth


def truth_sentences(truth: dict) -> list[Sentence]:
    return [Sentence(index=s["index"], text=s["text"], start_s=s["start_s"], end_s=s["end_s"], word_start=0, word_end=0)
            for s in truth["sentences"]]


def timed_truth(answer: dict) -> dict:
    """A written answer timed by word count, as scripts/eval/train_star.py times it."""
    sents, labels = train_star.timed(answer)
    shares = train_star.shares(sents, labels, LABELS)
    return {"sentences": [{"index": s.index, "label": lab, "text": s.text, "start_s": s.start_s, "end_s": s.end_s}
                          for s, lab in zip(sents, labels)],
            "section_shares": shares, "action_dominant": shares["action"] >= 0.5}


# ---------------------------------------------------------------- scoring


def mapped_truth(truth: dict, star_rubric: dict) -> dict:
    """Truth relabelled for a rubric whose sections merge STAR ones (CAR: S, T -> challenge)."""
    mapping = star_rubric.get("cue_sections", {})
    if not mapping:
        return truth
    shares = dict.fromkeys(star_rubric["sections"], 0.0)
    for label, share in truth["section_shares"].items():
        shares[mapping.get(label, label)] += share
    sents = [{**s, "label": mapping.get(s["label"], s["label"])} for s in truth["sentences"]]
    verdict = star_rubric["verdict"]
    return {**truth, "sentences": sents, "section_shares": shares,
            "action_dominant": shares[verdict["section"]] >= float(verdict["min_share"])}


def sentence_labels(star, truth: dict) -> list[str | None]:
    """For each truth sentence, the predicted label covering most of it (time overlap)."""
    pred = star.sentences
    owned = [(p.start_s, pred[i + 1].start_s if i + 1 < len(pred) else max(p.end_s, truth["sentences"][-1]["end_s"]), p.label)
             for i, p in enumerate(pred)]
    out = []
    for t in truth["sentences"]:
        cover: dict[str, float] = {}
        for a, b, lab in owned:
            ov = min(b, t["end_s"]) - max(a, t["start_s"])
            if ov > 0:
                cover[lab] = cover.get(lab, 0.0) + ov
        out.append(max(cover, key=cover.get) if cover else None)
    return out


def score_one(sentences: list[Sentence], truth: dict, star_rubric: dict) -> dict:
    from rehearse.star.label import score_star

    star = score_star(sentences, star_rubric)
    truth = mapped_truth(truth, star_rubric)
    sections = star_rubric["sections"]
    shares = {s.label: s.share for s in star.sections}
    pred = sentence_labels(star, truth)
    conf = star.confidence
    return {
        "mae": mean(abs(shares.get(k, 0.0) - truth["section_shares"][k]) for k in sections),
        "verdict_ok": star.action_dominant == truth["action_dominant"],
        "flattering": star.action_dominant and not truth["action_dominant"],
        "verdict": conf.verdict if conf else ("dominant" if star.action_dominant else "not_dominant"),
        "range": [conf.share_low, conf.share_high] if conf else None,
        "truth_dominant": truth["action_dominant"],
        "pairs": [[t["label"], p] for t, p in zip(truth["sentences"], pred)],
        "shares": shares, "truth_shares": truth["section_shares"],
        "findings": sorted({f.id for f in star.findings}),
        "principles": [p.name for p in star.principles if p.shown],
        "score": star.score.total if star.score else None,
    }


def summarise(rows: list[dict]) -> dict:
    pairs = [p for r in rows for p in r["pairs"]]
    firm = [r for r in rows if r["verdict"] != "borderline"]
    return {"n": len(rows), "mae": mean(r["mae"] for r in rows), "max_mae": max(r["mae"] for r in rows),
            "verdict": sum(r["verdict_ok"] for r in rows), "flattering": sum(r["flattering"] for r in rows),
            "borderline": len(rows) - len(firm),
            "firm_wrong": sum((r["verdict"] == "dominant") != r["truth_dominant"] for r in firm),
            "sent_acc": sum(t == p for t, p in pairs) / len(pairs),
            "confusion": Counter((t, p) for t, p in pairs)}


def confusion_line(c: Counter, sections: list[str]) -> str:
    """truth → predicted counts, row by row: 'S: 30/2/1/0' (columns in section order)."""
    return " · ".join(f"{t[0].upper()}: " + "/".join(str(c[(t, p)]) for p in sections) for t in sections)


def finding_stats(rows: list[tuple[dict, dict]]) -> dict[str, dict]:
    out = {}
    for mode, finding in MODE_FINDINGS.items():
        pos = [r for a, r in rows if mode in a.get("failure_modes", [])]
        clean = [r for a, r in rows if not a.get("failure_modes")]
        if pos:
            out[mode] = {"finding": finding, "recall": mean(finding in r["findings"] for r in pos), "n": len(pos),
                         "false_alarm_on_strong": mean(finding in r["findings"] for r in clean) if clean else None}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of: {', '.join(SETS)}")
    p.add_argument("--modes", default="transcript,debian,kokoro", help="transcript, debian, kokoro")
    p.add_argument("--renders", default=",".join(RENDERS), help="Debian renders of our tune/heldout2 answers")
    p.add_argument("--rubric", default="star")
    p.add_argument("--external", type=Path, default=EXTERNAL)
    p.add_argument("--external2", type=Path, default=train_star.EXTERNAL2)
    p.add_argument("--json", type=Path, help="write every per-answer row here")
    p.add_argument("--details", action="store_true", help="print per-answer rows")
    p.add_argument("--prepare", action="store_true", help="only render and analyse (fill the cache), then stop")
    p.add_argument("--rendered-only", action="store_true",
                   help="end to end: score only the renders already analysed (the table says how many)")
    args = p.parse_args(argv)

    names = [s for s in args.sets.split(",") if s]
    if unknown := set(names) - set(SETS):
        raise SystemExit(f"eval_star: unknown set(s) {', '.join(sorted(unknown))}")
    modes = [m for m in args.modes.split(",") if m]
    star_rubric = rubric_mod.load(args.rubric)
    sections = star_rubric["sections"]
    sets = load_sets(names, args.external, args.external2)
    tags = [t for t in args.renders.split(",") if t]

    plans = {(s, fam): render_plan(s, answers, fam, tags) for s, answers in sets.items()
             for fam in ("debian", "kokoro") if fam in modes}
    if args.rendered_only:
        def analysed(job) -> bool:
            wav = AUDIO_DIR / f"{job[0]['id']}.{job[1]}.wav"
            return wav.is_file() and (CACHE_DIR / f"{file_hash(wav)}.json").is_file()
        plans = {k: [j for j in plan if analysed(j)] for k, plan in plans.items()}
    for plan in plans.values():
        render_missing(plan)
    if args.prepare:
        for plan in plans.values():
            for answer, tag, _, _ in plan:
                cached_analysis(AUDIO_DIR / f"{answer['id']}.{tag}.wav")
        return 0

    table: dict[tuple[str, str], list[dict]] = {}
    labelled: dict[tuple[str, str], list[tuple[dict, dict]]] = {}
    details = []
    for set_name, answers in sets.items():
        if "transcript" in modes:
            for answer in answers:
                truth = timed_truth(answer) if answer.get("real") else None
                if truth is None:  # our answers: the truth times of their own (first Debian) render
                    tag = "own" if set_name in ("tune", "heldout2") else "deb"
                    job = next(j for j in render_plan(set_name, answers, "debian", list(RENDERS))
                               if j[0]["id"] == answer["id"] and j[1] == tag)
                    render_missing([job])
                    truth = json.loads((AUDIO_DIR / f"{answer['id']}.{tag}.truth.json").read_text())
                row = score_one(truth_sentences(truth), truth, star_rubric)
                row.update(id=answer["id"], set=set_name, mode="transcript", voice="-")
                table.setdefault((set_name, "transcript"), []).append(row)
                labelled.setdefault((set_name, "transcript"), []).append((answer, row))
                details.append(row)
        for fam in ("debian", "kokoro"):
            if fam not in modes:
                continue
            for answer, tag, voice, _ in plans[(set_name, fam)]:
                stem = f"{answer['id']}.{tag}"
                truth = json.loads((AUDIO_DIR / f"{stem}.truth.json").read_text())
                row = score_one(pipeline_sentences(cached_analysis(AUDIO_DIR / f"{stem}.wav")), truth, star_rubric)
                row.update(id=answer["id"], set=set_name, mode=fam, voice=voice)
                table.setdefault((set_name, fam), []).append(row)
                labelled.setdefault((set_name, fam), []).append((answer, row))
                details.append(row)

    if args.details:
        for r in details:
            s = " ".join(f"{k[0].upper()}{r['shares'].get(k, 0):.2f}/{r['truth_shares'][k]:.2f}" for k in sections)
            print(f"{r['set']:17} {r['mode']:10} {r['id']:8} {r['voice']:18} mae={r['mae']:.3f} "
                  f"verdict={'ok' if r['verdict_ok'] else 'XX'} {r['verdict']} sent={mean(t == q for t, q in r['pairs']):.2f} {s}")
        print()

    print(f"STAR accuracy (rubric {args.rubric}); sets marked * were trained on (in-sample)")
    print("| set | mode | answers×renders | share MAE (mean / worst) | verdict right | flattering | borderline | firm & wrong | sentence accuracy | confusion (truth row → predicted S/T/A/R) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (set_name, mode), rows in table.items():
        s = summarise(rows)
        mark = "" if set_name in HELD_OUT else " *"
        print(f"| {set_name}{mark} | {mode} | {s['n']} | {s['mae']:.3f} / {s['max_mae']:.3f} | {s['verdict']}/{s['n']} "
              f"({s['verdict'] / s['n']:.0%}) | {s['flattering']} | {s['borderline']} | {s['firm_wrong']} | "
              f"{s['sent_acc']:.1%} | {confusion_line(s['confusion'], sections)} |")

    print("\nFindings against labelled failure modes (recall on labelled answers; false alarms on answers with none)")
    print("| set | mode | failure mode | finding | n | recall | fires on strong answers |")
    print("|---|---|---|---|---|---|---|")
    for (set_name, mode), rows in labelled.items():
        for fm, st in finding_stats(rows).items():
            fa = "—" if st["false_alarm_on_strong"] is None else f"{st['false_alarm_on_strong']:.0%}"
            print(f"| {set_name} | {mode} | {fm} | {st['finding']} | {st['n']} | {st['recall']:.0%} | {fa} |")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(details, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
