#!/usr/bin/env python3
"""Train the interview turn model (is an interviewer's turn a new main question?) and write its
weights (rubrics/turn_model.json).

Usage: python scripts/eval/train_turns.py [--cv] [--out rubrics/turn_model.json] [--C 1.0]

Trained on the interview scripts that are spent (every blind set measured once, then tuned on,
and our own corpora): SPENT below. Each script is laid out as units with the speakers known
(scripts/eval/turns_from_scripts.py), the structure rules run over it, and every interviewer turn
they judge gives one row of named features (rehearse/interview/turn_model.py) with its truth:
1 when it holds a main question, 0 otherwise. A logistic regression (scikit-learn, L2, balanced
classes) learns the weights. Deterministic: the same scripts give the same file.

--cv: leave one corpus out: each corpus is structured by a model trained on the others, beside the
rules (which were tuned on every corpus, so their figures here are in-sample).
"""

from __future__ import annotations

import argparse
import json
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
from rehearse.interview import turn_model
from rehearse.interview.structure import structure

SPENT = tfs.CORPORA + ["interviews_blind6.yaml", "interviews_blind7.yaml"]
C = 1.0
THRESHOLD = 0.5
HEARD = 0


def rows(corpus: Path, cfg: dict, noise: int | None = None) -> tuple[list[list[float]], list[int], list[int | None]]:
    """Every judged interviewer turn of a corpus: features, is it a main question, and (for a turn
    inside an answer that is none) does it leave the story (small talk or closing in the truth).
    `noise`: a seed for `turns_from_scripts.heard` (the scripts as Whisper may write them)."""
    X, y, aside = [], [], []
    for n, iv in enumerate(yaml.safe_load(corpus.read_text())["interviews"]):
        answers = tfs.ri.load_answers(iv.get("answers_from", ["star_answers.yaml"]))
        script = tfs.lines(iv, answers)
        units, truth = tfs.units_of(script if noise is None else tfs.heard(script, noise + n), cfg["cues"])
        where = {id(u): i for i, u in enumerate(units)}
        capture: list = []
        structure(units, cfg["structure"], cfg["cues"]["min_question_score"], capture=capture, use_model=False)
        for run, x in capture:
            roles = {truth[where[id(u)]][0] for u in run}
            X.append(x)
            y.append(int("question" in roles))
            inside = x[turn_model.FEATURES.index("before the first question")] == 0 \
                and x[turn_model.FEATURES.index("between questions")] == 0
            aside.append(int(bool(roles & {"smalltalk", "closing"})) if inside and "question" not in roles else None)
    return X, y, aside


def head(X: list[list[float]], y: list[int]) -> dict:
    from sklearn.linear_model import LogisticRegression

    A = np.array(X, dtype=float)
    mu, sd = A.mean(axis=0), A.std(axis=0) + 1e-6
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit((A - mu) / sd, y)
    return {"mean": mu.round(6).tolist(), "scale": sd.round(6).tolist(), "coef": clf.coef_[0].round(5).tolist(),
            "intercept": float(round(clf.intercept_[0], 5)), "threshold": THRESHOLD,
            "trained_on": {"turns": len(y), "positive": int(sum(y)), "C": C}}


def fit(data: list[tuple[list, list, list]]) -> dict:
    X = [x for xs, _, _ in data for x in xs]
    y = [v for _, ys, _ in data for v in ys]
    pairs = [(x, a) for xs, _, asides in data for x, a in zip(xs, asides) if a is not None]
    return {"features": turn_model.FEATURES, "main": head(X, y),
            "aside": head([x for x, _ in pairs], [a for _, a in pairs])}


def line(t: dict) -> str:
    return (f"main {t['main']}/{t['of']} extra {t['extra']} follow-ups {t['fu']}/{t['fu_of']} "
            f"split off {t['split']} small talk answered {t['small']}")


def main(argv: list[str] | None = None) -> int:
    global C
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "rubrics" / "turn_model.json")
    p.add_argument("--cv", action="store_true")
    p.add_argument("--C", type=float, default=C)
    p.add_argument("--corpus", action="append", type=Path, help="also measure these (never trained on)")
    p.add_argument("--heard", type=int, default=HEARD,
                   help="copies of every script as Whisper may write it (question marks lost) added to the training rows")
    args = p.parse_args(argv)
    C = args.C
    cfg = rubric_mod.load("interview")
    data = {}
    for name in SPENT:
        parts = [rows(tfs.ri.CORPUS / name, cfg)] + [rows(tfs.ri.CORPUS / name, cfg, noise=1000 * (k + 1))
                                                    for k in range(args.heard)]
        data[name] = tuple([v for part in parts for v in part[i]] for i in range(3))
    if not args.cv:
        model = fit(list(data.values()))
        args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} (main: {model['main']['trained_on']}, aside: {model['aside']['trained_on']})")
        return 0
    tmp = Path(tempfile.mkdtemp())
    held = [(name, [n for n in SPENT if n != name]) for name in SPENT]
    held += [(c.name, SPENT) for c in args.corpus or []]
    for name, train in held:
        path = tmp / f"{name}.json"
        path.write_text(json.dumps(fit([data[n] for n in train])))
        mcfg = {**cfg, "structure": {**cfg["structure"], "model": str(path)}}
        corpus = tfs.ri.CORPUS / name
        rules = tfs.run(corpus, {**cfg, "structure": {**cfg["structure"], "model": None}}, False)
        learnt = tfs.run(corpus, mcfg, False)
        noisy = tfs.run(corpus, mcfg, False, noise=7)
        print(f"{name}\n  rules (tuned on it):   {line(rules)}\n  model (left out):      {line(learnt)}"
              f"\n  model, '?' lost:       {line(noisy)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
