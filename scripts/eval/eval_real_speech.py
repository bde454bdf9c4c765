#!/usr/bin/env python3
"""Filled pauses on real, unscripted speech: counts against verbatim references.

Evaluation only: the recordings and reference transcripts are read at run time from the
shared evaluation folder (../shared/eval-data/real, see its SOURCES.md); nothing from them
is copied into the project.

- voicenote_rosehill_1..5.mp3: the reference count per file is the number of "um" and "uh"
  in each of the two verbatim transcripts (Gemini 2.5 Flash, GPT-4o audio; the GPT-4o file
  for #3 starts with a preamble, stripped); their mean is the reference, both are shown.
  Targets: every file within 20 % of the reference, the total within 10 %.
- crisperwhisper_sample.wav: two fillers with exact times in its .vtt ([UH], [UM]); each
  must be found within 0.25 s, and nothing else reported.
- ami_excerpt_source0/1.wav: um/uh in the AMI manual transcript of the speaker on that channel
  (the channel also picks up the others, so this is a rough check). Which speaker file goes with
  which channel is decided here by content: the transcript of each channel is matched to the
  speaker text it has the lowest word error rate against (SOURCES.md's letter-to-channel guess,
  from energy alone, has A and B the other way round: source0 says "So simplification of
  symbols ...", which is speakerA.txt).

Whisper's output is cached (scripts/eval/whisper_cache.py), so re-tuning does not re-transcribe.

    python scripts/eval/eval_real_speech.py
    python scripts/eval/eval_real_speech.py --prompt "" --hotwords "Um, uh."   # another hint
    python scripts/eval/eval_real_speech.py --data /path/to/eval-data/real --json out.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))

import whisper_cache  # noqa: E402

from rehearse import rubric  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval-data" / "real"
FILLER = re.compile(r"\b(?:um+|uh+|uhm)\b", re.IGNORECASE)
REFERENCES = ("gemini-2.5-flash", "gpt-4o-audio-preview")
VOICE_NOTES = [f"voicenote_rosehill_{i}" for i in range(1, 6)]
AMI = ("ami_excerpt_source0", "ami_excerpt_source1")
AMI_SPEAKERS = ("A", "B", "C", "D")
PER_FILE, TOTAL, TIMED = 0.20, 0.10, 0.25


def transcript_body(path: Path) -> str:
    """The transcript: the longest part between `---` lines after the header (drops the
    header and any model preamble or closing remark)."""
    parts, part = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() == "---":
            parts.append(part)
            part = []
        else:
            part.append(line)
    parts.append(part)
    body = max(parts[1:] if len(parts) > 1 else parts, key=lambda p: sum(len(x) for x in p))
    return "\n".join(body)


def reference_counts(data: Path, stem: str) -> list[int]:
    return [len(FILLER.findall(transcript_body(data / f"{stem}.verbatim_{m}.md"))) for m in REFERENCES]


def vtt_fillers(path: Path) -> list[tuple[float, float, str]]:
    """[UH]/[UM] cues of a word-level WebVTT file: (start, end, text)."""
    out, start_end = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if "-->" in line:
            a, b = (x.strip() for x in line.split("-->"))
            start_end = (_seconds(a), _seconds(b))
        elif start_end and line.strip().startswith("[") and line.strip().endswith("]"):
            out.append((*start_end, line.strip()[1:-1].lower()))
    return out


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def word_error_rate(report: dict, reference: str) -> float:
    import jiwer

    drop = set(rubric.load("fillers")["filled_pauses"])

    def plain(text: str) -> str:
        words = (re.sub(r"[^a-z0-9']", "", w) for w in text.lower().replace("-", " ").split())
        return " ".join(w for w in words if w and w not in drop)

    return jiwer.wer(plain(reference), plain(report["transcript"]) or "-")


def analyse(path: Path, prompt: str | None, hotwords: str | None) -> dict:
    from rehearse.pipeline import analyze

    report = analyze(path, prompt=prompt, hotwords=hotwords).model_dump(mode="json")
    report["timings_s"]["transcribe"] = round(whisper_cache.cached_transcribe.last_seconds, 3)
    return report


def filled(report: dict) -> list[dict]:
    return [f for f in report["fillers"] if f["kind"] == "filled_pause"]


def sources(fillers: list[dict]) -> str:
    counts = {s: sum(f.get("source") == s for f in fillers) for s in ("transcript", "both", "audio")}
    return "/".join(str(counts[s]) for s in ("transcript", "both", "audio"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA if DEFAULT_DATA.is_dir() else Path("/work/shared/eval-data/real"))
    p.add_argument("--prompt", help="Whisper initial prompt (default: the rubric's)")
    p.add_argument("--hotwords", help="Whisper hotwords (default: the rubric's)")
    p.add_argument("--json", type=Path, help="write the results as JSON")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        sys.exit(f"no evaluation data at {args.data}")
    whisper_cache.install()
    out: dict = {"voice_notes": [], "crisperwhisper": None, "ami": []}

    print(f"{'file':22s} {'audio':>6s} {'gemini':>6s} {'gpt-4o':>6s} {'ref':>5s} {'found':>5s} "
          f"{'t/b/a':>8s} {'ratio':>6s}  {'<=20%':5s} {'WER':>5s} {'audio share':>11s}")
    total_ref = total_found = audio_s = whole_s = 0.0
    for stem in VOICE_NOTES:
        refs = reference_counts(args.data, stem)
        ref = sum(refs) / len(refs)
        report = analyse(args.data / f"{stem}.mp3", args.prompt, args.hotwords)
        found = filled(report)
        ratio = len(found) / ref if ref else float("nan")
        ok = abs(ratio - 1) <= PER_FILE
        wer = word_error_rate(report, transcript_body(args.data / f"{stem}.verbatim_gpt-4o-audio-preview.md"))
        t = report["timings_s"]
        detector = t.get("audio_fillers", 0.0) + t.get("relisten", 0.0)  # the second listen included
        share = detector / sum(t.values())
        total_ref += ref
        total_found += len(found)
        audio_s += detector
        whole_s += sum(t.values())
        print(f"{stem:22s} {report['duration_s']:6.1f} {refs[0]:6d} {refs[1]:6d} {ref:5.1f} {len(found):5d} "
              f"{sources(found):>8s} {ratio:6.2f}  {'yes' if ok else 'NO':5s} {wer:5.3f} {share:11.3f}")
        out["voice_notes"].append({"file": stem, "duration_s": report["duration_s"], "references": dict(zip(REFERENCES, refs)),
                                   "reference": ref, "found": len(found), "by_source": sources(found),
                                   "texts": {k: sum(f["text"] == k for f in found) for k in sorted({f["text"] for f in found})},
                                   "ratio": round(ratio, 3), "within_20pct": ok, "wer_vs_gpt4o": round(wer, 3),
                                   "audio_share": round(share, 4)})
    ratio = total_found / total_ref
    print(f"{'total':22s} {'':6s} {'':6s} {'':6s} {total_ref:5.1f} {total_found:5.0f} {'':8s} {ratio:6.2f}  "
          f"{'yes' if abs(ratio - 1) <= TOTAL else 'NO':5s} (total within 10 %)   audio filler share "
          f"{audio_s / whole_s:.3f} of the analysis time")
    out["total"] = {"reference": total_ref, "found": total_found, "ratio": round(ratio, 3),
                    "within_10pct": abs(ratio - 1) <= TOTAL, "audio_share": round(audio_s / whole_s, 4)}

    sample = args.data / "crisperwhisper_sample.wav"
    if sample.is_file():
        truth = vtt_fillers(args.data / "crisperwhisper_sample.words.vtt")
        found = filled(analyse(sample, args.prompt, args.hotwords))
        lines = []
        for a, b, text in truth:
            best = min(found, key=lambda f: abs(f["start_s"] - a), default=None)
            hit = best is not None and abs(best["start_s"] - a) <= TIMED and abs(best["end_s"] - b) <= TIMED
            lines.append({"truth": [a, b, text], "reported": [best["start_s"], best["end_s"], best["text"],
                                                             best.get("source")] if best else None, "timed": hit})
        extra = len(found) - sum(x["timed"] for x in lines)
        print(f"\ncrisperwhisper_sample.wav: {len(truth)} fillers in the reference, {len(found)} reported, "
              f"{sum(x['timed'] for x in lines)} found within {TIMED} s, {extra} other")
        for x in lines:
            print(f"  {x['truth'][2]:3s} {x['truth'][0]:6.2f}-{x['truth'][1]:.2f}  reported {x['reported']}")
        out["crisperwhisper"] = {"fillers": lines, "reported": len(found), "other": extra}

    texts = {k: (args.data / f"ami_excerpt_speaker{k}.txt").read_text(encoding="utf-8") for k in AMI_SPEAKERS
             if (args.data / f"ami_excerpt_speaker{k}.txt").is_file()}
    for stem in AMI:
        path = args.data / f"{stem}.wav"
        if not path.is_file() or not texts:
            continue
        report = analyse(path, args.prompt, args.hotwords)
        wer, speaker = min((word_error_rate(report, text), k) for k, text in texts.items())
        ref = len(FILLER.findall(texts[speaker]))
        found = filled(report)
        print(f"{stem} (speaker {speaker}, WER {wer:.2f} against that speaker's text): um/uh in the AMI transcript "
              f"{ref}, reported {len(found)} ({sources(found)} transcript/both/audio)")
        out["ami"].append({"file": stem, "speaker": speaker, "wer": round(wer, 3), "reference": ref, "found": len(found)})
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    ok = all(v["within_20pct"] for v in out["voice_notes"]) and out["total"]["within_10pct"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
