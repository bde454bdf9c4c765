#!/usr/bin/env python3
"""Voice delivery against generated truth: monotone stretches, trailing-off sentences, uptalk,
pitch range and input-level advice, for the tune and held-out splits separately; then what
the same analysis says about real speech (../shared/eval-data/real/, read in place).

    python scripts/eval/eval_voice.py                       # render, analyse, both splits, real speech
    python scripts/eval/eval_voice.py --split tune --no-real
    python scripts/eval/eval_voice.py --real /path/to/shared/eval-data/real --files
    python scripts/eval/eval_voice.py --no-cache --pyin-check   # real timings; uptalk cross-checked by pyin

The corpus is scripts/corpus/voice_answers.yaml (FORMAT.md, "Pitch and loudness"); audio and
transcription caches go to build/eval-voice/. Matching: a truth monotone stretch is found when
detected stretches cover at least half of it; a detected stretch is false when less than half
of it lies in truth stretches. A trailing-off (or uptalk) sentence is found when a detection
overlaps its faded (risen) part, widened by `--tol` seconds; a detection overlapping none is
false (sentences faded by only 3 dB are in the corpus as negatives). Pitch-range error is the
measured 5th-95th percentile range minus the range applied (answers spoken flat only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
sys.path.insert(0, str(ROOT))

import render_answers as ra
import whisper_cache

REAL_FILES = ["voicenote_rosehill_1.mp3", "voicenote_rosehill_2.mp3", "voicenote_rosehill_3.mp3",
              "voicenote_rosehill_4.mp3", "voicenote_rosehill_5.mp3", "apollo11_nasa.mp3",
              "crisperwhisper_sample.wav", "ami_excerpt_source1.wav"]


def default_real() -> Path | None:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "eval-data" / "real").is_dir():
            return base / "shared" / "eval-data" / "real"
    return None


def covered(span: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    """Seconds of `span` inside the union of `spans`."""
    total, (a, b) = 0.0, span
    for x, y in sorted(spans):
        lo, hi = max(a, x), min(b, y)
        if hi > lo:
            total += hi - lo
            a = max(a, hi)
    return total


def match_spans(truth: list[dict], found: list[dict]) -> tuple[int, int]:
    """(truth stretches at least half covered, detected stretches less than half in truth)."""
    t = [(x["start_s"], x["end_s"]) for x in truth]
    f = [(x["start_s"], x["end_s"]) for x in found]
    hit = sum(covered(s, f) >= 0.5 * (s[1] - s[0]) for s in t)
    false = sum(covered(s, t) < 0.5 * (s[1] - s[0]) for s in f)
    return hit, false


def match_events(truth: list[dict], found: list[dict], tol: float) -> tuple[int, int]:
    """(truth events overlapped by a detection, detections overlapping no truth event)."""
    def overlaps(a, b):
        return min(a["end_s"] + tol, b["end_s"] + tol) > max(a["start_s"] - tol, b["start_s"] - tol)
    hit = sum(any(overlaps(t, f) for f in found) for t in truth)
    false = sum(not any(overlaps(t, f) for t in truth) for f in found)
    return hit, false


def evaluate(truth: dict, report: dict, tol: float) -> dict:
    vt, v = truth["voice_truth"], report["voice"]
    mono = match_spans(vt["monotone"], v["monotone"])
    trail = match_events(vt["trailing_off"], v["trailing_off"], tol)
    # a natural voice has intonation of its own: uptalk is scored on flat sentences only
    flat = [x for x in truth["sentences"] if x["pitch"] == "flat"]
    on_flat = [u for u in v["uptalk"] if any(x["start_s"] - tol <= u["end_s"] <= x["end_s"] + tol for x in flat)]
    up_truth = [u for u in vt["uptalk"] if truth["sentences"][u["sentence"]]["pitch"] == "flat"]
    up = match_events(up_truth, on_flat, tol)
    expect = "quiet" if vt["gain_db"] <= -20 else "clipping" if vt["clipped_samples"] > 0 else "ok"
    err = None if vt["pitch_range_st"] is None or v["pitch_range_semitones"] is None else \
        round(v["pitch_range_semitones"] - vt["pitch_range_st"], 2)
    return {"id": truth["id"], "mono": (mono[0], len(vt["monotone"]), mono[1], len(v["monotone"])),
            "trail": (trail[0], len(vt["trailing_off"]), trail[1], len(v["trailing_off"])),
            "uptalk": (up[0], len(up_truth), up[1], len(on_flat)),
            "uptalk_natural": len(v["uptalk"]) - len(on_flat),
            "range": (vt["pitch_range_st"], v["pitch_range_semitones"], err),
            "level": (expect, v["level_advice"]["verdict"], v["level_dbfs"])}


def summarise(rows: list[dict], name: str, show_files: bool) -> None:
    if not rows:
        return
    print(f"\n== {name}: {len(rows)} answers ==")
    if show_files:
        for r in rows:
            m, t, u, g, lv = r["mono"], r["trail"], r["uptalk"], r["range"], r["level"]
            print(f"  {r['id']:16s} monotone {m[0]}/{m[1]} false {m[2]}  trailing {t[0]}/{t[1]} false {t[2]}  "
                  f"uptalk {u[0]}/{u[1]} false {u[2]}  range applied {g[0]} measured {g[1]} error {g[2]}  "
                  f"level {lv[1]} ({lv[2]} dBFS, expected {lv[0]})")
    for key, label in (("mono", "monotone stretches"), ("trail", "trailing-off sentences"), ("uptalk", "uptalk (flat sentences)")):
        hit = sum(r[key][0] for r in rows)
        total = sum(r[key][1] for r in rows)
        false = sum(r[key][2] for r in rows)
        detected = sum(r[key][3] for r in rows)
        print(f"  {label:24s} found {hit}/{total}  false {false} of {detected} detected")
    print(f"  (uptalk on natural-voice sentences, truth unknown: {sum(r['uptalk_natural'] for r in rows)} detected)")
    errors = [r["range"][2] for r in rows if r["range"][2] is not None]
    if errors:
        print(f"  pitch range error        mean |error| {statistics.mean(abs(e) for e in errors):.2f} st, "
              f"worst {max(errors, key=abs):+.2f} st, bias {statistics.mean(errors):+.2f} st over {len(errors)} flat answers")
    right = sum(r["level"][0] == r["level"][1] for r in rows)
    print(f"  level advice             {right}/{len(rows)} as expected")


def analyse(path: Path) -> dict:
    from rehearse.pipeline import analyze

    return analyze(path).model_dump(mode="json")


def reference_text(path: Path) -> str | None:
    """The GPT-4o verbatim transcript next to a voice note (machine-made: approximate), if any."""
    ref = path.with_name(path.stem + ".verbatim_gpt-4o-audio-preview.md")
    return ref.read_text() if ref.is_file() else None


def count_phrase(text: str, phrase: str) -> int:
    from rehearse.speech.words import norm

    tokens = [t for t in (norm(x) for x in text.split()) if t]
    words = phrase.split()
    return sum(tokens[i : i + len(words)] == words for i in range(len(tokens)))


def pyin_check(path: Path, report: dict) -> str:
    """How many of the reported uptalk rises librosa's pyin (a second, slower tracker) also
    measures at >= the rubric's min_rise_st, with the same windows. Needs librosa (extra `eval`)."""
    import librosa
    import numpy as np

    from rehearse import rubric
    from rehearse.audio import decode as audio

    cfg = rubric.load("voice")["uptalk"]
    x = audio.decode(path)
    median = report["voice"]["median_f0_hz"]
    agree = 0
    for u in report["voice"]["uptalk"]:
        a = max(int((u["start_s"] - 0.3) * audio.SAMPLE_RATE), 0)
        b = int((u["end_s"] + 0.1) * audio.SAMPLE_RATE)
        f0, voiced, _ = librosa.pyin(x[a:b], fmin=60, fmax=500, sr=audio.SAMPLE_RATE, frame_length=1024, hop_length=160)
        t = a / audio.SAMPLE_RATE + np.arange(len(f0)) * 0.01
        ok = voiced & ~np.isnan(f0)
        if not ok.any():
            continue
        st = 12 * np.log2(np.where(ok, f0, 1.0) / median)
        last = t[ok][-1]
        end = st[ok & (t >= last - cfg["end_s"])]
        ref = st[ok & (t >= last - cfg["ref_from_s"]) & (t <= last - cfg["ref_to_s"])]
        agree += bool(ref.size and np.median(end) - np.median(ref) >= cfg["min_rise_st"])
    return f"{agree}/{len(report['voice']['uptalk'])} uptalk rises confirmed by pyin"


def real_speech(folder: Path, check: bool = False) -> None:
    print(f"\n== real speech ({folder}) ==")
    for name in REAL_FILES:
        path = folder / name
        if not path.is_file():
            print(f"  {name}: missing")
            continue
        r = analyse(path)
        v = r["voice"]
        mono = ", ".join(f"{m['start_s']:.0f}-{m['end_s']:.0f}s ({m['range_semitones']:.1f} st)" for m in v["monotone"]) or "none"
        print(f"  {name}: {r['duration_s']:.0f} s, f0 {v['median_f0_hz']} Hz, range {v['pitch_range_semitones']} st, "
              f"sd {v['pitch_sd_semitones']} st, flat={v['flat']}")
        print(f"    monotone: {mono}; uptalk {len(v['uptalk'])} of {len(r['sentences'])} sentences"
              + (f" ({pyin_check(path, r)})" if check and v["uptalk"] else "") + f"; trailing off {len(v['trailing_off'])}")
        print(f"    level {v['level_dbfs']} dBFS, noise {v['noise_floor_dbfs']} dBFS, SNR {v['snr_db']} dB, "
              f"clipped runs {len(v['clipping'])}: {v['level_advice']['verdict']} ({v['level_advice']['text']})")
        ref = reference_text(path)
        rep = ", ".join(f"{x['text']} x{x['count']}" + (f" (reference transcript: {count_phrase(ref, x['text'])})" if ref else "")
                        for x in v["repeated"]) or "none"
        ops = ", ".join(f"{o['text']} {o['count']}/{len(r['sentences'])}" for o in v["openers"]) or "none"
        print(f"    repeated: {rep}; openers: {ops}; voice time {r['timings_s'].get('voice')} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT / "scripts" / "corpus" / "voice_answers.yaml")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "eval-voice")
    p.add_argument("--split", choices=["tune", "heldout"])
    p.add_argument("--tol", type=float, default=0.3, help="seconds of slack when matching events")
    p.add_argument("--files", action="store_true", help="one line per answer")
    p.add_argument("--no-cache", action="store_true", help="transcribe again instead of using the cache")
    p.add_argument("--real", type=Path, default=default_real(), help="folder of the real speech")
    p.add_argument("--no-real", action="store_true")
    p.add_argument("--pyin-check", action="store_true",
                   help="cross-check the uptalk rises found in real speech with librosa's pyin (pip install '.[eval]')")
    args = p.parse_args(argv)

    if not args.no_cache:
        whisper_cache.FOLDER = args.out / "whisper"
        whisper_cache.install()
    answers = [a for a in yaml.safe_load(args.corpus.read_text())["answers"]
               if args.split is None or a["split"] == args.split]
    audio = args.out / "audio"
    rows: dict[str, list[dict]] = {"tune": [], "heldout": []}
    for a in answers:
        wav = ra.render_answer(a, audio)
        truth = json.loads(wav.with_suffix(".truth.json").read_text())
        rows[a["split"]].append(evaluate(truth, analyse(wav), args.tol))
    summarise(rows["tune"], "tune (thresholds set on these)", args.files)
    summarise(rows["heldout"], "held out (never tuned on)", args.files)
    if not args.no_real:
        if args.real is None or not args.real.is_dir():
            print("\nreal speech: folder not found (give --real)")
        else:
            real_speech(args.real, args.pyin_check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
