#!/usr/bin/env python3
"""Is speech told from what only looks like speech? Each recording is transcribed the way
`rehearse analyze` does it (filler hint, probe, refusal: `rehearse.speech.understood`), once as
recorded and once played backwards. Played backwards, a recording keeps its speaker, microphone,
spectrum and rhythm but says nothing: it must be refused as "no speech heard"; as recorded it
must be kept.

Recordings (nothing is copied into the project):
- real: the voice notes (first 60 s), the AMI excerpt (mixture and two close channels), the
  CrisperWhisper clip and the Apollo 11 radio excerpt (first 60 s) of ../shared/eval-data/real;
- fixtures: the bundled answers in audio/;
- debian: espeak-ng (four voices) and flite reading three answers written here;
- kokoro: the first 45 s of each rendered blind interview in build/eval-interview-blind*/, when present.

For each recording the median probability of the words Whisper heard (first hearings, no filled
pauses) in the decoding that decided is printed, so the margin to
`intelligible_min_median_probability` shows.

    python scripts/eval/eval_understood.py [--data ../shared/eval-data/real] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse.audio.decode import SAMPLE_RATE, decode  # noqa: E402
from rehearse.audio.vad import NOT_SPEECH, find_speech  # noqa: E402
from rehearse.errors import RehearseError  # noqa: E402
from rehearse.speech import model as whisper_model  # noqa: E402
from rehearse.speech import understood  # noqa: E402
from rehearse.speech.transcript import transcribe_speech  # noqa: E402

TEXTS = [
    "Last year I led the migration of our billing service. I wrote the plan, and we cut the errors by half.",
    ("Our checkout page slowed down every evening. I traced the slow requests, added an index, and latency fell "
     "to three hundred milliseconds."),
    ("Two teams wanted the same release slot. I set up a meeting, we compared the customer impact, and we shipped "
     "the smaller change first."),
]


def debian(tmp: Path) -> list[tuple[str, str, np.ndarray]]:
    out = []
    for k, text in enumerate(TEXTS, 1):
        for voice in ("en-us", "en-gb", "en-us+f3", "en-us+m7"):
            raw = tmp / "espeak.wav"
            subprocess.run([shutil.which("espeak-ng"), "-v", voice, "-w", str(raw), text], check=True)
            out.append(("debian", f"espeak-{voice}-{k}", decode(raw)))
        raw = tmp / "flite.wav"
        subprocess.run([shutil.which("flite"), "-t", text, "-o", str(raw)], check=True)
        out.append(("debian", f"flite-{k}", decode(raw)))
    return out


def recordings(data: Path, tmp: Path) -> list[tuple[str, str, np.ndarray]]:
    out = []
    real = [f"voicenote_rosehill_{i}.mp3" for i in range(1, 6)] + [
        "ami_excerpt_mixture.wav", "ami_excerpt_source0.wav", "ami_excerpt_source1.wav",
        "crisperwhisper_sample.wav", "apollo11_nasa.mp3"]
    for name in real:
        if (data / name).exists():
            out.append(("real", name, decode(data / name)[: 60 * SAMPLE_RATE]))
    out += [("fixtures", p.name, decode(p)) for p in sorted((ROOT / "audio").glob("*.wav"))]
    out += debian(tmp)
    for p in sorted((ROOT / "build").glob("eval-interview-blind*/*.wav")):
        out.append(("kokoro", f"{p.parent.name}/{p.name}", decode(p)[: 45 * SAMPLE_RATE]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval-data" / "real")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    decided: list[float] = []
    original = understood.intelligible

    def spy(words, speech_s, config, loops=False):
        heard = understood.heard(words)
        decided.append(float(np.median([w.probability for w in heard])) if heard else 0.0)
        return original(words, speech_s, config, loops=loops)

    understood.intelligible = spy
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for group, name, samples in recordings(args.data, Path(tmp)):
            for backwards in (False, True):
                x = samples[::-1].copy() if backwards else samples
                decided.clear()
                try:
                    speech, _ = find_speech(x, name)
                    transcribe_speech(x, speech, spec, whisper, file=name)
                    kept = True
                except RehearseError as exc:
                    if NOT_SPEECH not in str(exc) and "no speech" not in str(exc):
                        raise
                    kept = False
                right = kept != backwards
                rows.append({"group": group, "name": name, "backwards": backwards, "kept": kept, "right": right,
                             "median_p": round(decided[-1], 3) if decided else None})
                print(f"{'ok   ' if right else 'WRONG'} {group:8} {'backwards' if backwards else 'as said  '} "
                      f"{name:44} {'kept' if kept else 'refused'}  median p {rows[-1]['median_p']}", flush=True)
    print("\ngroup    | as said: kept | backwards: refused")
    for group in dict.fromkeys(r["group"] for r in rows):
        fwd = [r for r in rows if r["group"] == group and not r["backwards"]]
        rev = [r for r in rows if r["group"] == group and r["backwards"]]
        print(f"{group:8} | {sum(r['kept'] for r in fwd)}/{len(fwd)} | {sum(not r['kept'] for r in rev)}/{len(rev)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if all(r["right"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
