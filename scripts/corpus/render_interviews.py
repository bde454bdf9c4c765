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
import hashlib
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


SPEAKERS = {"I": "interviewer", "C": "candidate", "CQ": "candidate"}
PHONE_BAND_HZ = (300, 3400)  # a phone line: this band, at 8 kHz, with light line noise
PHONE_NOISE = 60.0  # line noise (int16 RMS, about -55 dBFS), only while that side speaks


def check(interview: dict) -> None:
    """Reject what the format does not allow, naming the interview."""
    name = interview.get("id", "?")
    if not re.fullmatch(r"[a-z0-9_]+", str(name)):
        raise ValueError(f"interview id {name!r}: use [a-z0-9_]+")
    if interview.get("phone") not in (None, "interviewer", "candidate"):
        raise ValueError(f"{name}: phone must be interviewer or candidate")
    for turn in interview["turns"]:
        kinds = [k for k in ("smalltalk", "closing", "question") if k in turn]
        if len(kinds) != 1:
            raise ValueError(f"{name}: a turn is one of smalltalk, closing or question: {turn!r}")
        for who, _ in turn.get("smalltalk", []) + turn.get("closing", []):
            if who not in SPEAKERS:
                raise ValueError(f"{name}: speaker {who!r} unknown (I, C or CQ)")
        for f in turn.get("followups", []):
            if f.get("after") != "end" and not isinstance(f.get("after"), int):
                raise ValueError(f"{name}: followup `after` is a sentence index or end: {f!r}")
        for b in turn.get("backchannels", []):
            if not isinstance(b.get("after"), int) or not str(b.get("text", "")).strip():
                raise ValueError(f"{name}: a backchannel has `after` (a sentence index) and `text`: {b!r}")


def build(interview: dict, answers: dict[str, dict]) -> tuple[np.ndarray, dict]:
    """Lay out the whole interview; return its audio (samples x channels) and truth.

    Silences: with `gaps: [lo, hi]` every change of speaker gets a silence drawn from that
    range; without it, the original layout (0.8-2.0 s after a question, 1.0-2.5 s before the
    next question), so interviews written before small talk and follow-ups render the same."""
    check(interview)
    asker, speaker = interview["interviewer"], interview["candidate"]
    rate = float(interview.get("rate", 1.0))
    rng = random.Random(interview["id"])
    gaps = interview.get("gaps")
    structured = bool(gaps) or any(k in t for t in interview["turns"]
                                   for k in ("smalltalk", "closing", "followups", "backchannels"))
    tl = ra.Timeline()
    owner: list[tuple[int, int, str]] = []  # sample spans and who spoke them
    segments: list[dict] = []
    tl.silence(ra.LEAD_S)
    turns: list[dict] = []
    extra = {"smalltalk": [], "closing": [], "candidate_questions": []}
    last = {"who": None}

    def pause(who: str, default: tuple[float, float] | None) -> None:
        """The silence before a new line by `who`."""
        if last["who"] is None:
            return
        if last["who"] == who:
            tl.silence(LINE_GAP_S)
        elif gaps:
            tl.silence(round(rng.uniform(*gaps), 3))
        elif default:
            tl.silence(round(rng.uniform(*default), 3))

    def say(who: str, text: str, role: str, default: tuple[float, float] | None = None) -> tuple[int, int]:
        """One turn of plain lines (each sentence synthesised on its own)."""
        first = None
        for line in interviewer_sentences(text):
            pause(who, default)
            a, b = tl.add(ra.synthesise(asker if who == "interviewer" else speaker, line, rate))
            owner.append((a, b, who))
            segments.append({"speaker": who, "role": role, "text": line, "start_s": ra.sec(a), "end_s": ra.sec(b)})
            first = a if first is None else first
            last["who"] = who
        return first, tl.n

    def lay_answer(entries: list, truth: dict, first_index: int, role: str, answer: dict,
                   default: tuple[float, float] | None) -> tuple[int, int]:
        """Candidate sentences laid as render_answers lays an answer (markup included)."""
        sentence_gaps = ra.sentence_gaps({**answer, "sentences": entries})
        start = None
        for i, entry in enumerate(entries):
            label, text, opts = ra.sentence_parts(entry)
            if i:
                tl.silence(sentence_gaps[i - 1])
            else:
                pause("candidate", default)
            chunks = ra.parse_sentence(text)
            a, b = ra.lay_sentence(tl, first_index + i, chunks, speaker, round(rate * float(opts.get("rate", 1.0)), 4),
                                   truth)
            truth["sentences"].append({"index": first_index + i, "label": ra.LABELS[label],
                                       "text": ra.spoken_text(chunks), "start_s": ra.sec(a), "end_s": ra.sec(b)})
            segments.append({"speaker": "candidate", "role": role, "text": ra.spoken_text(chunks),
                             "start_s": ra.sec(a), "end_s": ra.sec(b)})
            start = a if start is None else start
            last["who"] = "candidate"
        owner.append((start, tl.n, "candidate"))
        return start, tl.n

    for t, turn in enumerate(interview["turns"]):
        for kind in ("smalltalk", "closing"):
            for who, text in turn.get(kind, []):
                role = "candidate_question" if who == "CQ" else kind
                a, b = say(SPEAKERS[who], text, role)
                extra[kind].append({"speaker": SPEAKERS[who], "text": text.strip(), "start_s": ra.sec(a),
                                    "end_s": ra.sec(b)})
                if who == "CQ":
                    extra["candidate_questions"].append({"text": text.strip(), "start_s": ra.sec(a),
                                                         "end_s": ra.sec(b)})
        if "question" not in turn:
            continue
        q_start = None
        if turn.get("lead"):
            q_start, _ = say("interviewer", turn["lead"], "lead", ANSWER_GAP_S)
        a, q_end = say("interviewer", turn["question"], "question", ANSWER_GAP_S)
        q_start = a if q_start is None else q_start
        answer = answer_of(turn, answers, interview)
        truth: dict = {"sentences": [], "fillers": [], "pauses": [], "other_silences": []}
        sentences = answer["sentences"]
        asked_after: dict[int, list[dict]] = {}
        for f in turn.get("followups", []):
            k = len(sentences) - 1 if f["after"] == "end" else int(f["after"])
            if not 0 <= k < len(sentences):
                raise ValueError(f"{interview['id']}: followup after sentence {k}, but the answer has {len(sentences)}")
            asked_after.setdefault(k, []).append(f)
        said_after: dict[int, list[dict]] = {}
        for b in turn.get("backchannels", []):
            k = int(b["after"])
            if not 0 <= k < len(sentences) - 1:
                raise ValueError(f"{interview['id']}: backchannel after sentence {k}: the answer must go on after it")
            said_after.setdefault(k, []).append(b)
        cuts = sorted(set(asked_after) | set(said_after))
        pieces = list(zip([0] + [k + 1 for k in cuts], [k + 1 for k in cuts] + [len(sentences)]))
        followups, backchannels, a_start, index = [], [], None, 0
        for lo, hi in pieces:
            if hi > lo:
                a, _ = lay_answer(sentences[lo:hi], truth, index, "answer", answer,
                                  QUESTION_GAP_S if a_start is None else None)
                a_start = a if a_start is None else a_start
                index += hi - lo
            for b in said_after.get(hi - 1, []) if hi > lo else []:
                ba, bb = say("interviewer", b["text"], "backchannel")
                backchannels.append({"text": b["text"].strip(), "start_s": ra.sec(ba), "end_s": ra.sec(bb)})
            for f in asked_after.get(hi - 1, []) if hi > lo else []:
                fa, fb = say("interviewer", f["question"], "followup")
                ra_, rb = lay_answer(f["sentences"], truth, index, "reply",
                                     {**answer, "id": answer["id"] + f"_f{len(followups)}"}, None)
                index += len(f["sentences"])
                followups.append({"question": f["question"].strip(), "question_start_s": ra.sec(fa),
                                  "question_end_s": ra.sec(fb), "reply_start_s": ra.sec(ra_), "reply_end_s": ra.sec(rb)})
        entry = {"index": len(turns), "question": turn["question"].strip(),
                 "asked": " ".join(interviewer_sentences(turn.get("lead", "") + " " + turn["question"])),
                 "question_start_s": ra.sec(q_start), "question_end_s": ra.sec(q_end),
                 "answer_id": answer["id"], "answer_start_s": ra.sec(a_start), "answer_end_s": ra.sec(tl.n),
                 "sentences": truth["sentences"], "fillers": truth["fillers"]}
        if structured:
            entry["followups"] = followups
        if backchannels:
            entry["backchannels"] = backchannels
        turns.append(entry)
    tl.silence(ra.TAIL_S)
    mono = tl.audio()
    if interview.get("phone"):
        mono = phone_line(mono, [(a, b) for a, b, who in owner if who == interview["phone"]], interview["id"])
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
    if interview.get("phone"):
        truth["phone"] = interview["phone"]
    if structured:
        truth.update(extra)
        truth["segments"] = sorted(segments, key=lambda s: s["start_s"])
    return audio, truth


def phone_line(mono: np.ndarray, spans: list[tuple[int, int]], seed: str) -> np.ndarray:
    """The given sample spans as a phone line carries them: band-passed to PHONE_BAND_HZ,
    down to 8 kHz and back, with light line noise while that side speaks (seeded: byte-identical)."""
    from scipy.signal import butter, resample_poly, sosfilt

    sos = butter(6, PHONE_BAND_HZ, btype="band", fs=ra.SR, output="sos")
    noise = np.random.default_rng(int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16))
    out = mono.astype(np.float64)
    for a, b in spans:
        x = resample_poly(resample_poly(sosfilt(sos, out[a:b]), 1, 2), 2, 1)[: b - a]
        out[a:b] = x + noise.normal(0.0, PHONE_NOISE, b - a)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


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
