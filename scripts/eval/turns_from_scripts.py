#!/usr/bin/env python3
"""Interview turn structure from the interview scripts alone (no audio): a quick, transcript-level
check of `rehearse.interview.structure` with the speakers known.

Usage: python scripts/eval/turns_from_scripts.py [--corpus scripts/corpus/interviews_real.yaml ...] [--files]
       [--one-voice] [--lost-marks SEED]

Every line of every interview script becomes units (one per sentence), timed at 2.5 words a
second with 0.6 s between speakers, each unit's speaker taken from the script; the question cues
and the structure rules then run as in `analyze --interview`. Per corpus it prints main questions
found (a found main question holds the truth question's last unit), extra main questions,
follow-ups kept inside the right answer, follow-ups split off as a new answer, and small-talk or
closing units reported as an answer. These figures leave out everything audio adds (Whisper's
words and sentence splits, speaker errors, pauses): the end-to-end figures are eval_interview.py's.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
sys.path.insert(0, str(ROOT))

import render_interviews as ri

from rehearse import rubric as rubric_mod
from rehearse.interview.structure import structure
from rehearse.interview.turns import Unit, _turns_by_wording, question_cues
from rehearse.models import Word

CORPORA = ["interviews.yaml", "interviews_real.yaml", "interviews_blind.yaml", "interviews_blind2.yaml",
           "interviews_blind3.yaml", "interviews_blind4.yaml", "interviews_blind5.yaml"]
WORDS_PER_S, GAP_S, SENTENCE_GAP_S = 2.5, 0.6, 0.3


def spoken(text: str) -> str:
    """Script text as said: render markup removed (fillers, pauses, false starts kept as words)."""
    text = re.sub(r"\[[\d.]+\]", " ", text)
    text = re.sub(r"\(\((.*?)\)\)", r"\1", text)
    text = re.sub(r"[{}<>]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", spoken(text)) if s]


def lines(interview: dict, answers: dict) -> list[tuple[str, str, str, int | None]]:
    """(speaker, role, text, main-question index) for every line of one interview, in order."""
    out: list[tuple[str, str, str, int | None]] = []
    q = 0
    for turn in interview["turns"]:
        if "smalltalk" in turn or "closing" in turn:
            role = "smalltalk" if "smalltalk" in turn else "closing"
            for who, text in turn[role]:
                out.append(("interviewer" if who == "I" else "candidate",
                            "candidate_question" if who == "CQ" else role, text, None))
            continue
        if turn.get("lead"):
            out.append(("interviewer", "lead", turn["lead"], q))
        out.append(("interviewer", "question", turn["question"], q))
        answer = ri.answer_of(turn, answers, interview)
        follow = {}
        for f in turn.get("followups", []):
            follow.setdefault(f["after"], []).append(f)
        listen = {}
        for b in turn.get("backchannels", []):
            listen.setdefault(b["after"], []).append(b)
        said = [spoken(s[1]) for s in answer["sentences"]]
        for i, text in enumerate(said):
            out.append(("candidate", "answer", text, q))
            for b in listen.get(i, []):
                out.append(("interviewer", "backchannel", b["text"], q))
            for f in follow.get(i, []) + (follow.get("end", []) if i == len(said) - 1 else []):
                out.append(("interviewer", "followup", f["question"], q))
                for s in f["sentences"]:
                    out.append(("candidate", "reply", spoken(s[1]), q))
        q += 1
    return out


def heard(script: list[tuple[str, str, str, int | None]], seed: int, share: float = 0.35) -> list:
    """The script as Whisper may write it: each of the interviewer's lines loses its question marks
    with probability `share` (tiny.en wrote "And when it's a parent who's unhappy." and "Nine late
    was that on you." for questions). Deterministic for a seed."""
    import random

    rng = random.Random(seed)
    return [(who, role, text.replace("?", ".") if who == "interviewer" and rng.random() < share else text, q)
            for who, role, text, q in script]


def units_of(script: list[tuple[str, str, str, int | None]], cues_cfg: dict) -> tuple[list[Unit], list[tuple[str, int | None]]]:
    units, truth, t, last = [], [], 0.0, None
    for speaker, role, text, q in script:
        t += GAP_S if last not in (None, speaker) else SENTENCE_GAP_S
        last = speaker
        for sent in sentences(text):
            words = []
            for w in sent.split():
                dur = max(len(w), 2) / 5 / WORDS_PER_S
                words.append(Word(text=w, start_s=round(t, 3), end_s=round(t + dur, 3), probability=0.9))
                t += dur + 0.05
            unit = Unit(words, speaker=speaker)
            question_cues(unit, cues_cfg)
            units.append(unit)
            truth.append((role, q))
            t += SENTENCE_GAP_S
    return units, truth


def score(units: list[Unit], truth: list[tuple[str, int | None]], exchanges) -> dict:
    where = {id(u): i for i, u in enumerate(units)}
    n_main = len({q for role, q in truth if role == "question"})
    found_q = {}
    for k, ex in enumerate(exchanges):
        for u in ex.question:
            role, q = truth[where[id(u)]]
            if role == "question":
                found_q.setdefault(q, k)
    extra = len(exchanges) - len(set(found_q.values()))
    fu_total = fu_ok = split = 0
    for i, (role, q) in enumerate(truth):
        if role != "followup" or (i and truth[i - 1][0] == "followup"):
            continue
        fu_total += 1
        u = units[i]
        if u.role == "followup" and q in found_q:
            ex = exchanges[found_q[q]]
            fu_ok += any(u in fq for fq, _ in ex.followups)
        elif u.role == "question":
            split += 1
    small = sum(1 for u, (role, q) in zip(units, truth) if role in ("smalltalk", "closing", "candidate_question")
                and u.role in ("answer", "reply"))
    listening = [u for u, (role, _) in zip(units, truth) if role == "backchannel"]
    return {"main": len(found_q), "of": n_main, "extra": max(extra, 0), "fu": fu_ok, "fu_of": fu_total,
            "split": split, "small": small, "bc": len(listening),
            "bc_fu": sum(u.role == "followup" for u in listening), "bc_main": sum(u.role == "question" for u in listening)}


def _backchannels(s: dict) -> str:
    """How the backchannels of a score were read, when it has any."""
    return f" backchannels as follow-up {s['bc_fu']} as question {s['bc_main']} of {s['bc']}" if s["bc"] else ""


def run(corpus: Path, cfg: dict, files: bool, decide=None, noise: int | None = None, one_voice: bool = False) -> dict:
    """Structure every interview of a corpus from its script; `noise`: a seed for `heard`;
    `one_voice`: the speakers found from the wording alone, as when one voice reads both parts."""
    data = yaml.safe_load(corpus.read_text())["interviews"]
    total: dict = {}
    for n, iv in enumerate(data):
        answers = ri.load_answers(iv.get("answers_from", ["star_answers.yaml"]))
        script = lines(iv, answers)
        units, truth = units_of(script if noise is None else heard(script, noise + n), cfg["cues"])
        if one_voice:
            _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
        exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"]) if decide is None \
            else decide(units, cfg)
        s = score(units, truth, exchanges)
        for k, v in s.items():
            total[k] = total.get(k, 0) + v
        if files:
            print(f"  {iv['id']}: main {s['main']}/{s['of']} extra {s['extra']} follow-ups {s['fu']}/{s['fu_of']} "
                  f"split {s['split']} small talk {s['small']}{_backchannels(s)}")
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", action="append", type=Path)
    p.add_argument("--files", action="store_true")
    p.add_argument("--one-voice", action="store_true", help="speakers from the wording alone (one voice reads both parts)")
    p.add_argument("--lost-marks", type=int, metavar="SEED", help="the interviewer's question marks lost as Whisper loses them")
    args = p.parse_args(argv)
    cfg = rubric_mod.load("interview")
    for corpus in args.corpus or [ri.CORPUS / c for c in CORPORA]:
        t = run(corpus, cfg, args.files, noise=args.lost_marks, one_voice=args.one_voice)
        print(f"{corpus.name}: main {t['main']}/{t['of']} extra {t['extra']} follow-ups {t['fu']}/{t['fu_of']} "
              f"split off {t['split']} small talk answered {t['small']}{_backchannels(t)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
