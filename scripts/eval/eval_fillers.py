#!/usr/bin/env python3
"""Filler accuracy on synthesised answers with exact truth: filled pauses, discourse markers,
repetitions, per split.

Renders the answer corpora (filler_answers.yaml, delivery_answers.yaml, star_answers.yaml,
star_heldout2.yaml, samples.yaml) with
scripts/corpus/render_answers.py, runs the real `rehearse analyze` pipeline on every file (Whisper's
output cached, see scripts/eval/whisper_cache.py), matches the reported fillers against the truth
files and prints one table per split.

    python scripts/eval/eval_fillers.py --split tune             # tuning data only
    python scripts/eval/eval_fillers.py --split heldout          # measure once, at the end
    python scripts/eval/eval_fillers.py --split tune --files     # per-file lines and every miss
    python scripts/eval/eval_fillers.py --prompt "" --hotwords "Um, uh."   # another Whisper hint
    python scripts/eval/eval_fillers.py --voices flite:kal,espeak:en-gb    # render again in more voices

Matching:
- filled pauses: a reported `filled_pause` matches a truth one if their spans, widened by
  --tolerance (0.5 s) each side, overlap; one to one, nearest centres first; the text (um/uh/
  hmm) need not agree; the pairing is an optimal assignment (most pairs, then nearest
  centres). "timed" = start and end both within 0.25 s of the truth.
- discourse markers: same text (case-insensitive) and spans within --marker-tolerance (1.0 s;
  truth marker times are estimated from character position).
- repetitions: a reported repetition or false start matches a truth one (markup `((...))`)
  if their spans, widened by 0.5 s, overlap.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))

import render_answers as ra  # noqa: E402
import whisper_cache  # noqa: E402

from rehearse import rubric  # noqa: E402

CORPORA = [ROOT / "scripts" / "corpus" / n for n in ("filler_answers.yaml", "delivery_answers.yaml", "star_answers.yaml",
                                                     "star_heldout2.yaml", "samples.yaml", "blind/filler_heldout2.yaml",
                                                     "blind/filler_heldout3.yaml", "blind/filler_heldout4.yaml",
                                                     "blind/filler_heldout5.yaml", "blind/filler_heldout6.yaml",
                                                     "blind/filler_heldout7.yaml", "blind/filler_heldout8.yaml", "blind/filler_heldout9.yaml",
                                                     "blind/filler_heldout10.yaml", "blind/filler_heldout11.yaml",
                                                     "blind/filler_heldout12.yaml", "blind/filler_heldout13.yaml",
                                                     "blind/filler_heldout14.yaml", "blind/filler_heldout15.yaml",
                                                     "blind/filler_heldout16.yaml", "blind/filler_heldout17.yaml",
                                                     "blind/filler_heldout18.yaml", "blind/filler_heldout19.yaml",
                                                     "blind/filler_heldout20.yaml", "blind/filler_heldout21.yaml",
                                                     "blind/filler_heldout22.yaml", "blind/filler_heldout23.yaml",
                                                     "blind/filler_heldout24.yaml", "blind/filler_heldout25.yaml")]
SPLITS = ("tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8",
          "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14",
          "heldout15", "heldout16", "heldout17", "heldout18", "heldout19", "heldout20", "heldout21", "heldout22",
          "heldout23", "heldout24", "heldout25")
OUT = ROOT / "build" / "eval-fillers"
TIMED_S = 0.25


# ---------------------------------------------------------------- rendering


def _key(answer: dict, voice: str | None) -> str:
    h = hashlib.sha1(json.dumps([answer, voice], sort_keys=True).encode())
    h.update(Path(ra.__file__).read_bytes())
    return h.hexdigest()[:16]


def _render(job: tuple[dict, str | None, Path]) -> None:
    answer, voice, out = job
    tag = voice.replace(":", "_").replace("+", "_") if voice else None
    ra.render_answer(answer, out, voice=voice, tag=tag)
    stem = f"{answer['id']}.{tag}" if tag else answer["id"]
    (out / f"{stem}.key").write_text(_key(answer, voice))


def render_all(answers: list[dict], voices: list[str | None]) -> list[Path]:
    """Render each answer in each voice (None = its own voice) unless already rendered."""
    out = OUT / "audio"
    out.mkdir(parents=True, exist_ok=True)
    jobs, paths = [], []
    for answer in answers:
        for voice in voices:
            tag = voice.replace(":", "_").replace("+", "_") if voice else None
            stem = f"{answer['id']}.{tag}" if tag else answer["id"]
            key = out / f"{stem}.key"
            paths.append(out / f"{stem}.wav")
            if not (paths[-1].is_file() and key.is_file() and key.read_text() == _key(answer, voice)):
                jobs.append((answer, voice, out))
    if jobs:
        print(f"rendering {len(jobs)} file(s) into {out} ...", file=sys.stderr, flush=True)
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(_render, jobs))
    return paths


# ---------------------------------------------------------------- matching


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def match(reported: list[dict], truth: list[dict], ok) -> list[tuple[int, int]]:
    """One-to-one pairs (reported index, truth index) that satisfy `ok`: as many pairs as
    possible, and among those the nearest centres (an optimal assignment; a greedy
    nearest-first pairing can leave two fillers unpaired that both lie within tolerance)."""
    from scipy.optimize import linear_sum_assignment

    if not reported or not truth:
        return []
    far = 1e6
    cost = [[abs((r["start_s"] + r["end_s"]) / 2 - (t["start_s"] + t["end_s"]) / 2) if ok(r, t) else far
             for t in truth] for r in reported]
    rows, cols = linear_sum_assignment(cost)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols) if cost[i][j] < far)


def compare(rep: list[dict], tru: list[dict], ok) -> dict:
    pairs = match(rep, tru, ok)
    hit_r, hit_t = {i for i, _ in pairs}, {j for _, j in pairs}
    return {"tp": len(pairs), "truth": len(tru), "reported": len(rep), "pairs": [(rep[i], tru[j]) for i, j in pairs],
            "missed": [t for j, t in enumerate(tru) if j not in hit_t],
            "false": [r for i, r in enumerate(rep) if i not in hit_r]}


def _plain(text: str, drop: set[str]) -> list[str]:
    words = [re.sub(r"[^a-z0-9']", "", w) for w in text.lower().replace("-", " ").split()]
    return [w for w in words if w and w not in drop]


def word_errors(report: dict, truth: dict) -> tuple[int, int]:
    """Word edits (substitutions + deletions + insertions) and truth words, fillers left out of both."""
    import jiwer

    drop = set(rubric.load("fillers")["filled_pauses"])
    ref = " ".join(_plain(" ".join(s["text"] for s in truth["sentences"]), drop))
    hyp = " ".join(_plain(report["transcript"], drop)) or "-"
    out = jiwer.process_words(ref, hyp)
    return out.substitutions + out.deletions + out.insertions, len(ref.split())


def evaluate(report: dict, truth: dict, tol: float, marker_tol: float) -> dict:
    fillers = report["fillers"]
    filled = compare(
        [f for f in fillers if f["kind"] == "filled_pause"], [f for f in truth["fillers"] if f["kind"] == "filled_pause"],
        lambda r, t: _overlap(r["start_s"] - tol, r["end_s"] + tol, t["start_s"], t["end_s"]) > 0)
    markers = compare(
        [f for f in fillers if f["kind"] == "discourse_marker"],
        [f for f in truth["fillers"] if f["kind"] == "discourse_marker"],
        lambda r, t: r["text"].lower().strip(" ,.") == t["text"].lower().strip(" ,.")
        and _overlap(r["start_s"] - marker_tol, r["end_s"] + marker_tol, t["start_s"], t["end_s"]) > 0)
    reps = compare(
        report.get("repetitions", []), truth.get("repetitions", []),
        lambda r, t: _overlap(r["start_s"] - 0.5, r["end_s"] + 0.5, t["start_s"], t["end_s"]) > 0)
    return {"filled": filled, "markers": markers, "repetitions": reps, "word_errors": word_errors(report, truth)}


# ---------------------------------------------------------------- running


def analyse(wav: Path, prompt: str | None, hotwords: str | None) -> dict:
    from rehearse.pipeline import analyze

    report = analyze(wav, prompt=prompt, hotwords=hotwords).model_dump(mode="json")
    timings = dict(report["timings_s"])
    timings["transcribe"] = round(whisper_cache.cached_transcribe.last_seconds, 3)
    report["timings_s"] = timings
    return report


def _ratio(tp: int, n: int) -> float | None:
    return round(tp / n, 3) if n else None


def summarise(rows: list[dict]) -> dict:
    def total(part: str, key: str) -> int:
        # markers are scored only on corpora that mark every filler use (`markers_annotated`)
        return sum(r["result"][part][key] for r in rows if part != "markers" or r["markers_annotated"])

    out = {}
    for part in ("filled", "markers", "repetitions"):
        tp, n_truth, n_rep = total(part, "tp"), total(part, "truth"), total(part, "reported")
        out[part] = {"truth": n_truth, "reported": n_rep, "tp": tp,
                     "recall": _ratio(tp, n_truth), "precision": _ratio(tp, n_rep)}
    pairs = [p for r in rows for p in r["result"]["filled"]["pairs"]]
    starts = [abs(rep["start_s"] - t["start_s"]) for rep, t in pairs]
    timed = sum(abs(rep["start_s"] - t["start_s"]) <= TIMED_S and abs(rep["end_s"] - t["end_s"]) <= TIMED_S
                for rep, t in pairs)
    out["filled"]["timed"] = _ratio(timed, len(pairs))
    out["filled"]["median_start_error_s"] = round(statistics.median(starts), 3) if starts else None
    by_source: dict[str, list[int]] = {}
    for r in rows:
        pairs_r = r["result"]["filled"]["pairs"]
        for f in r["report"]["fillers"]:
            if f["kind"] == "filled_pause":
                counts = by_source.setdefault(f.get("source", "transcript"), [0, 0])
                counts[0] += 1
                counts[1] += any(f is rep for rep, _ in pairs_r)
    out["filled"]["by_source"] = {k: {"reported": n, "correct": c} for k, (n, c) in sorted(by_source.items())}
    errors, ref_words = (sum(r["result"]["word_errors"][i] for r in rows) for i in (0, 1))
    out["wer"] = _ratio(errors, ref_words)
    out["transcribe_s"] = round(sum(r["report"]["timings_s"]["transcribe"] for r in rows), 1)
    audio_s = sum(r["report"]["timings_s"].get("audio_fillers", 0.0) + r["report"]["timings_s"].get("relisten", 0.0)
                  for r in rows)  # the second listen is part of the filler detector
    whole_s = sum(sum(r["report"]["timings_s"].values()) for r in rows)
    out["speed"] = {"audio_fillers_s": round(audio_s, 3), "analysis_s": round(whole_s, 3),
                    "audio_share": _ratio(audio_s, whole_s) if whole_s else None,
                    "audio_s": round(sum(r["report"]["duration_s"] for r in rows), 1)}
    return out


def _fmt(x: float | None) -> str:
    return "  –  " if x is None else f"{x:.3f}"


def print_table(split: str, s: dict, n_files: int) -> None:
    f, m, r, sp = s["filled"], s["markers"], s["repetitions"], s["speed"]
    print(f"\n== {split}: {n_files} files, {sp['audio_s']:.0f} s of audio")
    print(f"{'measure':34s} {'value':>7s}  {'target':>7s}  counts")
    print(f"{'filled-pause recall':34s} {_fmt(f['recall']):>7s}  {'>= 0.95':>7s}  {f['tp']}/{f['truth']}")
    print(f"{'filled-pause precision':34s} {_fmt(f['precision']):>7s}  {'>= 0.95':>7s}  {f['tp']}/{f['reported']}")
    print(f"{'filled pauses timed (<= 0.25 s)':34s} {_fmt(f['timed']):>7s}  {'':>7s}  "
          f"median start error {f['median_start_error_s']} s")
    for source, c in f["by_source"].items():
        print(f"{'  source ' + source:34s} {_fmt(_ratio(c['correct'], c['reported'])):>7s}  {'':>7s}  "
              f"{c['correct']}/{c['reported']} correct")
    print(f"{'discourse-marker precision *':34s} {_fmt(m['precision']):>7s}  {'>= 0.95':>7s}  {m['tp']}/{m['reported']}")
    print(f"{'discourse-marker recall':34s} {_fmt(m['recall']):>7s}  {'':>7s}  {m['tp']}/{m['truth']}")
    print(f"{'repetition recall':34s} {_fmt(r['recall']):>7s}  {'':>7s}  {r['tp']}/{r['truth']}")
    print(f"{'repetition precision':34s} {_fmt(r['precision']):>7s}  {'':>7s}  {r['tp']}/{r['reported']}")
    print(f"{'word error rate (fillers left out)':34s} {_fmt(s['wer']):>7s}  {'':>7s}  "
          f"transcription {s['transcribe_s']:.0f} s")
    print(f"{'audio detector + relisten, share':34s} {_fmt(sp['audio_share']):>7s}  {'<= 0.10':>7s}  "
          f"{sp['audio_fillers_s']:.2f} s of {sp['analysis_s']:.1f} s analysis")
    print("* markers scored on corpora that mark every filler use (star_*.yaml leave hedges and a")
    print("  sentence-initial 'So' unmarked, so they are left out of the marker figures)")


def context(report: dict, t: float, reach: float = 1.5) -> str:
    """The transcript around time `t` (for reading misses)."""
    return " ".join(w["text"] for w in report["words"] if abs((w["start_s"] + w["end_s"]) / 2 - t) <= reach)


def print_files(rows: list[dict]) -> None:
    for r in rows:
        res = r["result"]
        f, m = res["filled"], res["markers"]
        print(f"  {r['file']:32s} filled {f['tp']}/{f['truth']} (+{len(f['false'])} false)  "
              f"markers {m['tp']}/{m['truth']} (+{len(m['false'])} false)  reps {res['repetitions']['tp']}/"
              f"{res['repetitions']['truth']} (+{len(res['repetitions']['false'])})")
        for t in f["missed"]:
            print(f"      missed {t['text']:8s} {t['start_s']:7.2f}-{t['end_s']:.2f}")
        for x in f["false"]:
            print(f"      FALSE  {x['text']:8s} {x['start_s']:7.2f}-{x['end_s']:.2f} ({x.get('source')})")
        for rep, t in f["pairs"]:
            if abs(rep["start_s"] - t["start_s"]) > TIMED_S or abs(rep["end_s"] - t["end_s"]) > TIMED_S:
                print(f"      late   {t['text']:8s} truth {t['start_s']:7.2f}-{t['end_s']:.2f} "
                      f"reported {rep['start_s']:.2f}-{rep['end_s']:.2f} ({rep.get('source')})")
        for t in m["missed"]:
            print(f"      marker missed {t['text']!r} {t['start_s']:.2f}  | {context(r['report'], t['start_s'])}")
        for x in m["false"]:
            print(f"      marker FALSE  {x['text']!r} {x['start_s']:.2f}  | {context(r['report'], x['start_s'])}")
        for t in res["repetitions"]["missed"]:
            print(f"      repetition missed {t['text']!r} {t['start_s']:.2f}")
        for x in res["repetitions"]["false"]:
            print(f"      repetition FALSE  {x['text']!r} {x['start_s']:.2f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=[*SPLITS, "all"], default="tune",
                   help="heldout..heldout4: held-out sets of earlier rounds, each measured once and then studied; "
                        "heldout5, heldout6: fresh in round 5, each measured once and then studied; "
                        "heldout7: measured once before the voiced-island word rule; "
                        "heldout8, heldout9: measured once each on the final code of round 5; "
                        "heldout10: measured once in round 6, then studied; "
                        "heldout11, heldout12: measured once each on round 6's final code, then studied; "
                        "heldout13, heldout14: measured once each after one more rule; "
                        "heldout15, heldout16: measured once each in round 7, then studied; "
                        "heldout17: measured once on round 7's filler code, then its marker errors studied; "
                        "heldout18, heldout19: measured once each on round 7's final code, then studied; "
                        "heldout20, heldout21, heldout22: written for round 8, measured once each after the "
                        "second listen (rehearse/speech/relisten.py), then studied; "
                        "heldout23, heldout24, heldout25: written for round 9, measured once each on its final code")
    p.add_argument("--corpus", type=Path, action="append", help="answer scripts (default: the three corpora)")
    p.add_argument("--ids", help="comma-separated answer ids")
    p.add_argument("--voices", help="also render every answer in these voices (comma-separated)")
    p.add_argument("--prompt", help="Whisper initial prompt (default: the rubric's)")
    p.add_argument("--hotwords", help="Whisper hotwords (default: the rubric's)")
    p.add_argument("--tolerance", type=float, default=0.5)
    p.add_argument("--marker-tolerance", type=float, default=1.0)
    p.add_argument("--files", action="store_true", help="per-file lines with every miss and false find")
    p.add_argument("--json", type=Path, help="write the summary as JSON")
    args = p.parse_args(argv)

    whisper_cache.install()
    splits = list(SPLITS) if args.split == "all" else [args.split]
    wanted = set(args.ids.split(",")) if args.ids else None
    voices: list[str | None] = [None] + (args.voices.split(",") if args.voices else [])
    summary = {}
    for split in splits:
        answers, annotated = [], {}
        for corpus in args.corpus or CORPORA:
            data = yaml.safe_load(corpus.read_text())
            for a in data["answers"]:
                if a.get("split", "tune") == split and (wanted is None or a["id"] in wanted):
                    answers.append(a)
                    annotated[a["id"]] = data.get("markers_annotated", True)
        if not answers:
            continue
        rows = []
        for wav in render_all(answers, voices):
            truth = json.loads(wav.with_suffix(".truth.json").read_text())
            report = analyse(wav, args.prompt, args.hotwords)
            rows.append({"file": wav.stem, "report": report, "markers_annotated": annotated[truth["id"]],
                         "result": evaluate(report, truth, args.tolerance, args.marker_tolerance)})
        summary[split] = summarise(rows)
        print_table(split, summary[split], len(rows))
        if args.files:
            print_files(rows)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
