#!/usr/bin/env python3
"""Render mock interviews (an interviewer voice asks, a candidate voice answers) with exact truth.

Usage: python scripts/corpus/render_interviews.py scripts/corpus/interviews.yaml --out DIR
       [--ids a,b] [--split heldout] [--format wav|flac]

The interview format is in scripts/corpus/FORMAT.md ("Mock interviews"). Every question and
every answer sentence is synthesised on its own (scripts/corpus/render_answers.py does the answers,
markup included) and laid end to end with digital-zero silences, so the start and end of every
turn in `<id>.truth.json` is exact to the sample. `stereo: true` puts the interviewer on the
left channel and the candidate on the right (each with a little of the other's voice, as two
microphones in one room would hear). Output is byte-deterministic.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import wave
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_answers as ra

CORPUS = Path(__file__).resolve().parent
QUESTION_GAP_S = (0.8, 2.0)  # silence after a question, before the answer (random by interview id)
ANSWER_GAP_S = (1.0, 2.5)  # silence after an answer, before the next question
LINE_GAP_S = 0.4  # silence between two sentences of one interviewer turn
CROSSTALK = 0.08  # stereo: the other speaker's level in each channel


def interviewer_sentences(text: str) -> list[str]:
    """An interviewer turn, split into sentences (each synthesised on its own)."""
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def load_answers(files: list[str]) -> dict[str, dict]:
    answers: dict[str, dict] = {}
    for name in files:
        for answer in yaml.safe_load((CORPUS / name).read_text())["answers"]:
            answers[answer["id"]] = answer
    return answers


def answer_of(turn: dict, answers: dict[str, dict], interview: dict) -> dict:
    """The answer a turn gives: an answer id from `answers_from`, or inline `sentences`."""
    if "sentences" in turn:
        answer = {"id": f"{interview['id']}_a", "sentences": turn["sentences"]}
    else:
        if turn["answer"] not in answers:
            raise ValueError(f"{interview['id']}: unknown answer id {turn['answer']!r}")
        answer = dict(answers[turn["answer"]])
    limit = turn.get("max_sentences", interview.get("max_sentences"))
    if limit:
        answer["sentences"] = answer["sentences"][: int(limit)]
    return answer


def build(interview: dict, answers: dict[str, dict]) -> tuple[np.ndarray, dict]:
    """Lay out the whole interview; return its audio (samples x channels) and truth."""
    asker, speaker = interview["interviewer"], interview["candidate"]
    rate = float(interview.get("rate", 1.0))
    rng = random.Random(interview["id"])
    tl = ra.Timeline()
    owner: list[tuple[int, int, str]] = []  # sample spans and who spoke them
    tl.silence(ra.LEAD_S)
    turns = []
    for t, turn in enumerate(interview["turns"]):
        if t:
            tl.silence(round(rng.uniform(*ANSWER_GAP_S), 3))
        q_start = tl.n
        lines = interviewer_sentences(turn.get("lead", "") + " " + turn["question"])
        for i, line in enumerate(lines):
            if i:
                tl.silence(LINE_GAP_S)
            owner.append((*tl.add(ra.synthesise(asker, line, rate)), "interviewer"))
        q_end = tl.n
        tl.silence(round(rng.uniform(*QUESTION_GAP_S), 3))
        answer = answer_of(turn, answers, interview)
        truth: dict = {"sentences": [], "fillers": [], "pauses": [], "other_silences": []}
        gaps = ra.sentence_gaps(answer)
        a_start = tl.n
        for i, entry in enumerate(answer["sentences"]):
            label, text, opts = ra.sentence_parts(entry)
            if i:
                tl.silence(gaps[i - 1])
            chunks = ra.parse_sentence(text)
            a, b = ra.lay_sentence(tl, i, chunks, speaker, round(rate * float(opts.get("rate", 1.0)), 4), truth)
            truth["sentences"].append({"index": i, "label": ra.LABELS[label], "text": ra.spoken_text(chunks),
                                       "start_s": ra.sec(a), "end_s": ra.sec(b)})
        owner.append((a_start, tl.n, "candidate"))
        turns.append({"index": t, "question": turn["question"].strip(), "asked": " ".join(lines),
                      "question_start_s": ra.sec(q_start), "question_end_s": ra.sec(q_end),
                      "answer_id": answer["id"], "answer_start_s": ra.sec(a_start), "answer_end_s": ra.sec(tl.n),
                      "sentences": truth["sentences"], "fillers": truth["fillers"]})
    tl.silence(ra.TAIL_S)
    mono = tl.audio()
    if interview.get("stereo"):
        left, right = np.zeros(len(mono), np.float32), np.zeros(len(mono), np.float32)
        for a, b, who in owner:
            main, other = (left, right) if who == "interviewer" else (right, left)
            main[a:b] = mono[a:b]
            other[a:b] = mono[a:b] * CROSSTALK
        audio = np.stack([left, right], axis=1).round().astype(np.int16)
    else:
        audio = mono[:, None]
    truth = {"id": interview["id"], "split": interview.get("split"), "interviewer": asker, "candidate": speaker,
             "stereo": bool(interview.get("stereo")), "sample_rate": ra.SR, "duration_s": ra.sec(len(mono)),
             "turns": turns}
    return audio, truth


def write_wav(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(ra.SR)
        w.writeframes(np.ascontiguousarray(x, dtype="<i2").tobytes())


def render_interview(interview: dict, out_dir: Path, fmt: str = "wav") -> Path:
    """Render one interview to `<id>.<fmt>` and `<id>.truth.json` in `out_dir`; return the audio path."""
    answers = load_answers(interview.get("answers_from", ["star_answers.yaml"]))
    audio, truth = build(interview, answers)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{interview['id']}.{fmt}"
    wav = path if fmt == "wav" else path.with_suffix(".tmp.wav")
    write_wav(wav, audio)
    if fmt != "wav":
        ra.check_tool("sox")
        ra.run(["sox", "-R", "-D", str(wav), str(path)])
        wav.unlink()
    (out_dir / f"{interview['id']}.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return path


def summary(path: Path) -> str:
    t = json.loads(path.with_suffix(".truth.json").read_text())
    return (f"{path.name}: {t['duration_s']:.1f}s {t['interviewer']} asks, {t['candidate']} answers, "
            f"{len(t['turns'])} questions{' stereo' if t['stereo'] else ''}")


def render_and_summarise(interview: dict, out_dir: Path, fmt: str = "wav") -> str:
    return summary(render_interview(interview, out_dir, fmt))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--ids", help="comma-separated interview ids")
    p.add_argument("--split", help="only interviews of this split (tune, heldout)")
    p.add_argument("--format", choices=["wav", "flac"], default="wav")
    args = p.parse_args(argv)
    interviews = yaml.safe_load(args.corpus.read_text())["interviews"]
    wanted = set(args.ids.split(",")) if args.ids else None
    interviews = [i for i in interviews if (wanted is None or i["id"] in wanted)
                  and (not args.split or i.get("split") == args.split)]
    if not interviews:
        print("no interviews selected", file=sys.stderr)
        return 1
    job = partial(render_and_summarise, out_dir=args.out, fmt=args.format)
    with ProcessPoolExecutor(max_workers=ra.JOBS) as pool:
        for line in pool.map(job, interviews):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
