#!/usr/bin/env python3
"""Train the speaker wording model (one voice reading both parts: does the interviewer say this
sentence?) and write its weights (rubrics/speaker_words.json).

Usage: python scripts/eval/train_speaker_words.py [--cv] [--out rubrics/speaker_words.json] [--C 0.01]

Trained on the interview scripts that are spent (SPENT: our own corpora and every blind set
measured once). Each script is laid out as units, one per sentence (scripts/eval/turns_from_scripts.py),
as written and with the interviewer's question marks lost as Whisper loses them, each also with
half its longer sentences cut in two as Whisper cuts them (`cut_sentences`); the wording rules
give their call without the model, and every unit gives one row of features
(rehearse/interview/speaker_words.py) with its truth: 1 when the interviewer says it. The
vocabulary is every word, first word and first word pair used in at least MIN_SETS of the sets,
so no set's workplace words. A logistic regression (scikit-learn, L2) learns the weights.
Deterministic: the same scripts give the same file.

--cv: leave one set out: each set's speakers come from a model trained on the other sets, and the
structure (main questions, follow-ups, small talk) is scored as turns_from_scripts.py --one-voice
scores it, beside the rules alone (which were tuned on every set, so their figures are in-sample).
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "eval"))
sys.path.insert(0, str(ROOT))

import turns_from_scripts as tfs

from rehearse import rubric as rubric_mod
from rehearse.interview import speaker_words
from rehearse.interview.structure import structure
from rehearse.interview.turns import Unit, _turns_by_wording, question_cues
from rehearse.models import Word

SPENT = ["interviews.yaml", "interviews_real.yaml", "interviews_blind.yaml"] + \
    [f"interviews_blind{k}.yaml" for k in range(2, 17)]
C = 0.01
MIN_SETS = 4


def interviews(name: str, cfg: dict) -> list[dict]:
    """Every interview of a set, as written and with question marks lost: its units (speakers
    known), their truth roles, the true speakers and the rules' speakers (without the model)."""
    rules_cfg = {**cfg["structure"], "one_voice_model": None}
    out = []
    for n, iv in enumerate(yaml.safe_load((tfs.ri.CORPUS / name).read_text())["interviews"]):
        answers = tfs.ri.load_answers(iv.get("answers_from", ["star_answers.yaml"]))
        script = tfs.lines(iv, answers)
        for noise in (None, 0):
            units, truth = tfs.units_of(script if noise is None else tfs.heard(script, noise + n), cfg["cues"])
            for cut in (False, True):
                if cut:  # the same script as Whisper cuts it: sentences in pieces where a speaker pauses
                    units, truth = cut_sentences(units, truth, cfg["cues"], seed=n)
                ruled = copy.deepcopy(units)
                _turns_by_wording(ruled, cfg["cues"]["min_question_score"], rules_cfg, cfg["cues"]["first_person"])
                out.append({"set": name, "cut": cut, "units": units, "truth": truth,
                            "speakers": [u.speaker for u in units], "rule": [u.speaker for u in ruled]})
    return out


def cut_sentences(units: list, truth: list, cues_cfg: dict, seed: int, share: float = 0.5, min_words: int = 7):
    """Each sentence of at least `min_words` words cut in two with probability `share`, at a word
    at least three words from either end, as Whisper cuts a sentence where the speaker pauses ("I
    had to phone" / "and explain that the repair ..."): the second piece opens in lower case.
    Deterministic for a seed."""
    rng = random.Random(seed)
    out_units, out_truth = [], []
    for u, t in zip(units, truth):
        n = len(u.words)
        if n < min_words or rng.random() >= share:
            out_units.append(u)
            out_truth.append(t)
            continue
        k = rng.randint(3, n - 3)
        first, rest = u.words[:k], [Word(text=w.text, start_s=w.start_s, end_s=w.end_s, probability=w.probability)
                                    for w in u.words[k:]]
        if rest[0].text != "I" and not rest[0].text.startswith("I'"):
            rest[0].text = rest[0].text[:1].lower() + rest[0].text[1:]
        for words in (first, rest):
            piece = Unit(list(words), speaker=u.speaker)
            question_cues(piece, cues_cfg)
            out_units.append(piece)
            out_truth.append(t)
    return out_units, out_truth


def vocabulary(data: list[dict]) -> list[str]:
    sets = collections.defaultdict(set)
    for iv in data:
        for u in iv["units"]:
            for k in speaker_words.keys(u.text):
                sets[k].add(iv["set"])
    return sorted(k for k, s in sets.items() if len(s) >= MIN_SETS)


def fit(data: list[dict], cfg: dict) -> dict:
    from sklearn.linear_model import LogisticRegression

    vocab = vocabulary(data)
    scfg, min_score = cfg["structure"], cfg["cues"]["min_question_score"]
    X = np.vstack([speaker_words.rows(iv["units"], iv["rule"], vocab, scfg, min_score) for iv in data])
    y = np.array([s == "interviewer" for iv in data for s in iv["speakers"]], dtype=int)
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    m = LogisticRegression(C=C, max_iter=5000).fit((X - mean) / scale, y)
    r6 = lambda a: [round(float(v), 6) for v in a]
    return {"dense": speaker_words.DENSE, "C": C, "min_sets": MIN_SETS, "trained_on": sorted({iv["set"] for iv in data}),
            "rows": len(y), "vocab": vocab, "mean": r6(mean), "scale": r6(scale), "coef": r6(m.coef_[0]),
            "intercept": round(float(m.intercept_[0]), 6)}


def main(argv: list[str] | None = None) -> int:
    global C
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "rubrics" / "speaker_words.json")
    p.add_argument("--cv", action="store_true")
    p.add_argument("--C", type=float, default=C)
    args = p.parse_args(argv)
    C = args.C
    cfg = rubric_mod.load("interview")
    data = {name: interviews(name, cfg) for name in SPENT}
    if not args.cv:
        model = fit([iv for name in SPENT for iv in data[name]], cfg)
        args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} ({model['rows']} sentences, vocabulary {len(model['vocab'])})")
        return 0
    scfg, min_score = cfg["structure"], cfg["cues"]["min_question_score"]
    kinds = [(who, cut) for cut in (False, True) for who in ("model", "rules")]
    total = {k: collections.Counter() for k in kinds}
    tmp = Path(tempfile.mkdtemp())
    for name in SPENT:
        path = tmp / f"{name}.json"  # the model trained without this set, run as analyze runs it
        path.write_text(json.dumps(fit([iv for n in SPENT if n != name for iv in data[n]], cfg)))
        line = []
        for who, cut in kinds:
            score: collections.Counter = collections.Counter()
            for iv in (iv for iv in data[name] if iv["cut"] == cut):
                units = copy.deepcopy(iv["units"])
                if who == "model":
                    _turns_by_wording(units, min_score, {**scfg, "one_voice_model": str(path)}, cfg["cues"]["first_person"])
                    speakers = [u.speaker for u in units]
                else:
                    speakers = list(iv["rule"])
                    for u, s in zip(units, speakers):
                        u.speaker = s
                score.update(right=sum(a == b for a, b in zip(speakers, iv["speakers"])), units=len(units))
                score.update(tfs.score(units, iv["truth"], structure(units, scfg, min_score)))
            total[who, cut].update(score)
            line.append(f"{who}{', cut' if cut else ''} {fmt(score)}")
        print(f"{name}\n  " + "\n  ".join(line), flush=True)
    for who, cut in kinds:
        print(f"all sets, {'sentences cut as Whisper cuts them' if cut else 'whole sentences'}, {who}"
              f"{' (left out)' if who == 'model' else ' (tuned on every set)'}: {fmt(total[who, cut])}")
    return 0


def fmt(s: collections.Counter) -> str:
    return (f"speakers {s['right'] / max(s['units'], 1):.3f} main {s['main']}/{s['of']} extra {s['extra']} "
            f"follow-ups {s['fu']}/{s['fu_of']} split {s['split']} small talk {s['small']}")


if __name__ == "__main__":
    sys.exit(main())
