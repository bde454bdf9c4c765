#!/usr/bin/env python3
"""Delivery accuracy against exact truth: fillers, pace and pauses, per split.

Renders the delivery corpus (scripts/corpus/delivery_answers.yaml) with
scripts/corpus/render_answers.py, runs the real `rehearse` pipeline on every file, matches the
report against the truth files and prints one table per split (tune, heldout).

    python scripts/eval/eval_delivery.py                     # every answer, tune and heldout apart
    python scripts/eval/eval_delivery.py --split tune        # tuning data only
    python scripts/eval/eval_delivery.py --ids dlv01,dlv04 --files
    python scripts/eval/eval_delivery.py --no-cache          # re-transcribe: real speed figures
    python scripts/eval/eval_delivery.py --corpus scripts/corpus/blind/filler_heldout2.yaml --split heldout2 --out build/eval-delivery-h2

Renders are cached under build/eval-delivery/audio (re-rendered when the answer or the
generator changes). Whisper's output is cached under build/eval-delivery/whisper by the
audio, the voice-activity regions and the transcription settings, so re-tuning pauses, pace
or fillers re-runs everything after transcription but does not re-transcribe; the speed
table then uses the transcription time measured when the cache entry was made.

Matching (independent of how fillers or pauses are found):
- filled pauses: a reported `filled_pause` matches a truth one if their spans, widened by
  --tolerance (0.5 s), overlap; one to one, nearest first; the text (um/uh) need not agree.
- discourse markers: same text (case-insensitive) and spans within --marker-tolerance
  (1.0 s; truth marker times are estimated from character position).
- words per minute: (reported - truth) / truth, truth from the exact sound span.
- pauses >= --long (1.5 s): found if a reported pause overlaps it and its length is within
  0.25 s; a false one is a reported pause of >= 1.5 s that overlaps no truth pause of
  >= 1.25 s.
- every pause (`all_pauses`): matched to truth silences (markup pauses, sentence gaps, the
  0.15 s gaps around filled pauses and the voice's own quiet stretches) by largest overlap;
  recall per truth band, edge error, band and position agreement.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))

import render_answers as ra  # noqa: E402
import whisper_cache  # noqa: E402
from eval_fillers import SPLITS, match  # noqa: E402  (one pairing rule and one split list for every eval)

CORPUS = ROOT / "scripts" / "corpus" / "delivery_answers.yaml"
OUT = ROOT / "build" / "eval-delivery"
LONG_S = 1.5
LONG_DURATION_TOL = 0.25
CORE_STAGES = {"decode", "vad", "transcribe"}  # what the analysis costs without the delivery/audio extras


# ---------------------------------------------------------------- rendering


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def render_key(answer: dict) -> str:
    return _digest(json.dumps(answer, sort_keys=True).encode(), Path(ra.__file__).read_bytes())


def _render(answer: dict, out: Path) -> str:
    ra.render_answer(answer, out)
    (out / f"{answer['id']}.key").write_text(render_key(answer))
    return answer["id"]


def render_all(answers: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stale = [a for a in answers
             if not (out / f"{a['id']}.wav").is_file()
             or not (out / f"{a['id']}.key").is_file()
             or (out / f"{a['id']}.key").read_text() != render_key(a)]
    if not stale:
        return
    print(f"rendering {len(stale)} answer(s) into {out} ...", file=sys.stderr, flush=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_render, stale, [out] * len(stale)))


def analyse(wav: Path, use_cache: bool) -> dict:
    """Run the real pipeline; return the report as JSON data plus timing."""
    from rehearse.pipeline import analyze
    from rehearse.speech import transcribe

    report = analyze(wav).model_dump(mode="json")
    timings = dict(report.get("timings_s", {}))
    seconds = getattr(transcribe.transcribe, "last_seconds", None) if use_cache else None
    if seconds is not None:  # the transcription came from the cache: use its measured time
        timings["transcribe"] = round(seconds, 3)
    return {"report": report, "timings": timings}


# ---------------------------------------------------------------- matching


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def match_filled_pauses(reported: list[dict], truth: list[dict], tol: float) -> dict:
    rep = [f for f in reported if f["kind"] == "filled_pause"]
    tru = [f for f in truth if f["kind"] == "filled_pause"]
    pairs = match(rep, tru, lambda r, t: _overlap(r["start_s"] - tol, r["end_s"] + tol, t["start_s"], t["end_s"]) > 0)
    hit_t = {j for _, j in pairs}
    hit_r = {i for i, _ in pairs}
    return {"tp": len(pairs), "truth": len(tru), "reported": len(rep),
            "missed": [tru[j] for j in range(len(tru)) if j not in hit_t],
            "false": [rep[i] for i in range(len(rep)) if i not in hit_r]}


def match_markers(reported: list[dict], truth: list[dict], tol: float) -> dict:
    rep = [f for f in reported if f["kind"] == "discourse_marker"]
    tru = [f for f in truth if f["kind"] == "discourse_marker"]

    def ok(r, t):
        same = r["text"].lower().strip(" ,.") == t["text"].lower().strip(" ,.")
        return same and _overlap(r["start_s"] - tol, r["end_s"] + tol, t["start_s"], t["end_s"]) > 0

    pairs = match(rep, tru, ok)
    hit_t = {j for _, j in pairs}
    hit_r = {i for i, _ in pairs}
    return {"tp": len(pairs), "truth": len(tru), "reported": len(rep),
            "missed": [tru[j] for j in range(len(tru)) if j not in hit_t],
            "false": [rep[i] for i in range(len(rep)) if i not in hit_r]}


def band_of(seconds: float, bands: tuple[float, float]) -> str:
    return "brief" if seconds < bands[0] else "long" if seconds > bands[1] else "medium"


def truth_silences(truth: dict) -> list[dict]:
    out = [dict(p, position=p.get("position", "within_sentence" if p["kind"] == "inserted" else "between_sentences"))
           for p in truth["pauses"]]
    out += [dict(p, position="within_sentence") for p in truth.get("other_silences", [])]
    return sorted(out, key=lambda p: p["start_s"])


def match_long_pauses(reported: list[dict], truth: dict) -> dict:
    tru = [p for p in truth["pauses"] if p["end_s"] - p["start_s"] >= LONG_S]
    near = [p for p in truth["pauses"] if p["end_s"] - p["start_s"] >= LONG_S - LONG_DURATION_TOL]
    found, missed = 0, []
    for t in tru:
        length = t["end_s"] - t["start_s"]
        if any(_overlap(r["start_s"], r["end_s"], t["start_s"], t["end_s"]) > 0
               and abs((r["end_s"] - r["start_s"]) - length) <= LONG_DURATION_TOL for r in reported):
            found += 1
        else:
            missed.append(t)
    false = [r for r in reported if r["end_s"] - r["start_s"] >= LONG_S
             and not any(_overlap(r["start_s"], r["end_s"], t["start_s"], t["end_s"]) > 0 for t in near)]
    return {"truth": len(tru), "found": found, "missed": missed, "false": false}


def match_all_pauses(reported: list[dict], truth: dict, bands: tuple[float, float]) -> dict:
    tru = truth_silences(truth)
    pairs = match(reported, tru, lambda r, t: _overlap(r["start_s"], r["end_s"], t["start_s"], t["end_s"]) > 0)
    stats: dict = {b: {"truth": 0, "found": 0} for b in ("brief", "medium", "long")}
    for t in tru:
        stats[band_of(t["end_s"] - t["start_s"], bands)]["truth"] += 1
    start_err, end_err, band_ok, pos_ok, pos_n, where_ok = [], [], 0, 0, 0, 0
    confusion: dict = {}
    for i, j in pairs:
        r, t = reported[i], tru[j]
        tb = band_of(t["end_s"] - t["start_s"], bands)
        stats[tb]["found"] += 1
        start_err.append(r["start_s"] - t["start_s"])
        end_err.append(r["end_s"] - t["end_s"])
        band_ok += r.get("band", band_of(r["end_s"] - r["start_s"], bands)) == tb
        if tb != "brief" and "position" in r and "where" in t:
            pos_n += 1
            pos_ok += r["position"] == t["position"]
            where = ("between_sentences" if r["position"] == "between_sentences"
                     else "mid_clause" if r.get("mid_clause") else "between_clauses")
            where_ok += where == t["where"]
            confusion[(t["where"], where)] = confusion.get((t["where"], where), 0) + 1
    matched_r = {i for i, _ in pairs}
    false = [r for i, r in enumerate(reported) if i not in matched_r]
    return {"bands": stats, "start_err": start_err, "end_err": end_err, "band_ok": band_ok,
            "matched": len(pairs), "pos_ok": pos_ok, "pos_n": pos_n, "where_ok": where_ok,
            "confusion": confusion, "false": false}


# ---------------------------------------------------------------- evaluation


def evaluate(answer: dict, result: dict, truth: dict, args, bands) -> dict:
    report = result["report"]
    fillers = report.get("fillers", [])
    all_pauses = report.get("all_pauses") or report.get("pauses", [])
    wpm = report["pacing"]["words_per_minute"]
    timings = result["timings"]
    total = sum(v for k, v in timings.items() if k != "load_model")
    return {
        "id": answer["id"], "split": answer.get("split"), "voice": truth["voice"], "rate": truth["rate"],
        "duration_s": truth["duration_s"],
        "fp": match_filled_pauses(fillers, truth["fillers"], args.tolerance),
        "dm": match_markers(fillers, truth["fillers"], args.marker_tolerance),
        "wpm": wpm, "truth_wpm": truth["words_per_minute"],
        "wpm_err": (wpm - truth["words_per_minute"]) / truth["words_per_minute"],
        "words": report["pacing"].get("word_count"), "truth_words": truth["word_count"],
        "long": match_long_pauses(all_pauses, truth),
        "all": match_all_pauses(all_pauses, truth, bands),
        "timings": timings, "analysis_s": total,
    }


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a"


def _mark(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def summarise(rows: list[dict], name: str, show_files: bool) -> dict:
    fp_tp = sum(r["fp"]["tp"] for r in rows)
    fp_truth = sum(r["fp"]["truth"] for r in rows)
    fp_rep = sum(r["fp"]["reported"] for r in rows)
    dm_tp = sum(r["dm"]["tp"] for r in rows)
    dm_truth = sum(r["dm"]["truth"] for r in rows)
    dm_rep = sum(r["dm"]["reported"] for r in rows)
    errs = [abs(r["wpm_err"]) for r in rows]
    long_truth = sum(r["long"]["truth"] for r in rows)
    long_found = sum(r["long"]["found"] for r in rows)
    long_false = sum(len(r["long"]["false"]) for r in rows)
    audio_s = sum(r["duration_s"] for r in rows)
    analysis_s = sum(r["analysis_s"] for r in rows)
    stage = {}
    for r in rows:
        for k, v in r["timings"].items():
            if k != "load_model":
                stage[k] = stage.get(k, 0.0) + v

    if show_files:
        print(f"\n{name}: per file")
        print(f"{'id':7} {'voice':16} {'rate':>5} {'truth wpm':>9} {'wpm':>6} {'err':>7} {'words':>9} "
              f"{'fp':>7} {'fp false':>8} {'dm':>6} {'dm false':>8} {'>=1.5s':>7} {'false':>5} {'x audio':>7}")
        for r in rows:
            print(f"{r['id']:7} {r['voice']:16} {r['rate']:5.2f} {r['truth_wpm']:9.1f} {r['wpm']:6.1f} "
                  f"{r['wpm_err']:+7.1%} {str(r['words']) + '/' + str(r['truth_words']):>9} "
                  f"{r['fp']['tp']:>3}/{r['fp']['truth']:<3} {len(r['fp']['false']):>8} "
                  f"{r['dm']['tp']:>2}/{r['dm']['truth']:<3} {len(r['dm']['false']):>8} "
                  f"{r['long']['found']:>3}/{r['long']['truth']:<3} {len(r['long']['false']):>5} "
                  f"{r['analysis_s'] / r['duration_s']:7.3f}")

    bands = {b: [sum(r["all"]["bands"][b][k] for r in rows) for k in ("found", "truth")] for b in ("long", "medium", "brief")}
    start_err = [e for r in rows for e in r["all"]["start_err"]]
    end_err = [e for r in rows for e in r["all"]["end_err"]]
    matched = sum(r["all"]["matched"] for r in rows)
    band_ok = sum(r["all"]["band_ok"] for r in rows)
    pos_ok = sum(r["all"]["pos_ok"] for r in rows)
    pos_n = sum(r["all"]["pos_n"] for r in rows)
    where_ok = sum(r["all"]["where_ok"] for r in rows)
    confusion: dict = {}
    for r in rows:
        for k, v in r["all"]["confusion"].items():
            confusion[k] = confusion.get(k, 0) + v
    false_all = [p for r in rows for p in r["all"]["false"]]

    fp_recall = fp_tp / fp_truth if fp_truth else 1.0
    fp_precision = fp_tp / fp_rep if fp_rep else 1.0
    dm_precision = dm_tp / dm_rep if dm_rep else 1.0
    max_err = max(errs) if errs else 0.0
    print(f"\n{name}: {len(rows)} files, {audio_s:.0f} s of audio")
    print(f"  {'measure':34} {'value':>22}  target")
    print(f"  {'filled-pause recall':34} {_ratio(fp_tp, fp_truth):>22}  >= 0.95  {_mark(fp_recall >= 0.95)}")
    print(f"  {'filled-pause precision':34} {_ratio(fp_tp, fp_rep):>22}  >= 0.95  {_mark(fp_precision >= 0.95)}")
    print(f"  {'discourse-marker precision':34} {_ratio(dm_tp, dm_rep):>22}  >= 0.95  {_mark(dm_precision >= 0.95)}")
    print(f"  {'discourse-marker recall':34} {_ratio(dm_tp, dm_truth):>22}  (reported)")
    print(f"  {'wpm error, max abs':34} {max_err:>22.1%}  <= 5 % every file  {_mark(max_err <= 0.05)}")
    print(f"  {'wpm error, mean abs':34} {statistics.mean(errs) if errs else 0:>22.1%}")
    print(f"  {'pauses >= 1.5 s found':34} {_ratio(long_found, long_truth):>22}  all  {_mark(long_found == long_truth)}")
    print(f"  {'pauses >= 1.5 s false':34} {long_false:>22}  none  {_mark(long_false == 0)}")
    for b in ("long", "medium", "brief"):
        print(f"  {'pauses found, ' + b:34} {_ratio(*bands[b]):>22}")
    if start_err:
        print(f"  {'pause edge error start / end':34} {f'{np.mean(np.abs(start_err)) * 1000:.0f} / {np.mean(np.abs(end_err)) * 1000:.0f} ms':>22}"
              f"  (mean abs; bias {np.mean(start_err) * 1000:+.0f} / {np.mean(end_err) * 1000:+.0f} ms)")
    print(f"  {'pause band agrees with truth':34} {_ratio(band_ok, matched):>22}")
    print(f"  {'pause position agrees (>= 0.2 s)':34} {_ratio(pos_ok, pos_n):>22}")
    print(f"  {'pause place agrees (3 classes)':34} {_ratio(where_ok, pos_n):>22}  (sentence / clause / mid-clause)")
    places = ("between_sentences", "between_clauses", "mid_clause")
    for t in places:
        row = ", ".join(f"{short} {confusion.get((t, r), 0)}" for r, short in zip(places, ("sentence", "clause", "mid")))
        print(f"  {'   truth ' + t:34} {'':>22}  reported as: {row}")
    print(f"  {'pauses matching no silence':34} {len(false_all):>22}")
    print(f"  {'analysis time / audio time':34} {analysis_s / audio_s if audio_s else 0:>22.3f}")
    if analysis_s:
        shares = ", ".join(f"{k} {v / analysis_s:.0%}" for k, v in sorted(stage.items(), key=lambda kv: -kv[1]))
        print(f"  {'time by stage':34} {shares}")
        core = sum(v for k, v in stage.items() if k in CORE_STAGES)
        added = (analysis_s - core) / core if core else 0.0
        print(f"  {'added to decode+vad+transcribe':34} {added:>22.1%}  <= 10 %  {_mark(added <= 0.10)}")
    return {"files": len(rows), "fp_recall": fp_recall, "fp_precision": fp_precision, "dm_precision": dm_precision,
            "dm_recall": dm_tp / dm_truth if dm_truth else 1.0, "wpm_max_abs_err": max_err,
            "long_found": long_found, "long_truth": long_truth, "long_false": long_false,
            "analysis_over_audio": analysis_s / audio_s if audio_s else 0.0, "stage_s": stage,
            "place_agreement": where_ok / pos_n if pos_n else None,
            "pause_bands_found": bands}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--split", choices=SPLITS,
                   help="only this split (default: all, reported apart; see eval_fillers.py --help for which "
                        "sets were fresh when)")
    p.add_argument("--ids", help="comma-separated answer ids")
    p.add_argument("--tolerance", type=float, default=0.5, help="filled-pause match tolerance, seconds")
    p.add_argument("--marker-tolerance", type=float, default=1.0, help="discourse-marker match tolerance, seconds")
    p.add_argument("--no-cache", action="store_true", help="re-transcribe everything (real speed figures)")
    p.add_argument("--files", action="store_true", help="print a row per file")
    p.add_argument("--misses", action="store_true", help="list missed and false fillers and pauses")
    p.add_argument("--json", type=Path, help="write the per-split summary here")
    args = p.parse_args(argv)

    answers = ra.select(yaml.safe_load(args.corpus.read_text())["answers"], args.ids, args.split)
    if not answers:
        print("no answers selected", file=sys.stderr)
        return 1
    audio_dir = args.out / "audio"
    render_all(answers, audio_dir)
    if not args.no_cache:
        whisper_cache.FOLDER = args.out / "whisper"
        whisper_cache.install()

    from rehearse import rubric

    pcfg = rubric.load("delivery")["pauses"]
    bands = tuple(pcfg.get("bands_s", [0.2, 1.0]))
    rows = []
    for answer in answers:
        wav = audio_dir / f"{answer['id']}.wav"
        truth = json.loads(wav.with_suffix(".truth.json").read_text())
        result = analyse(wav, use_cache=not args.no_cache)
        rows.append(evaluate(answer, result, truth, args, bands))
        print(f"  {answer['id']}: {rows[-1]['wpm']:.1f} wpm (truth {truth['words_per_minute']})", file=sys.stderr, flush=True)

    summary = {}
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        if part:
            summary[split] = summarise(part, split, args.files)
            if args.misses:
                for r in part:
                    for key, what in (("fp", "filled pause"), ("dm", "marker")):
                        for f in r[key]["missed"]:
                            print(f"    {r['id']} missed {what} {f['text']!r} at {f['start_s']:.2f}")
                        for f in r[key]["false"]:
                            print(f"    {r['id']} false {what} {f['text']!r} at {f['start_s']:.2f}")
                    for t in r["long"]["missed"]:
                        print(f"    {r['id']} missed pause {t['start_s']:.2f}-{t['end_s']:.2f}")
                    for t in r["long"]["false"]:
                        print(f"    {r['id']} false long pause {t['start_s']:.2f}-{t['end_s']:.2f}")
    if not args.no_cache:
        print("\n(transcription times are those measured when each cache entry was made; --no-cache re-measures)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
