#!/usr/bin/env python3
"""Train the STAR sentence labeller and write its weights (rubrics/star_model.json).

Usage: python scripts/eval/train_star.py [--out rubrics/star_model.json] [--cv] [--external2 PATH]

Training answers (the split was fixed before any tuning; see the tables in README):
  - scripts/corpus/star_answers.yaml (ours, all split: tune)
  - scripts/corpus/star_realstyle.yaml (ours, written in real people's styles, split: tune)
  - ../shared/eval-data/star_external2.yaml, the answers of the authors NOT in HELD_OUT_AUTHORS
    (read in place; only the learned numbers enter the project, never the text)
Never trained on: star_heldout2.yaml, star_realstyle_blind.yaml, ../shared/eval-data/star_external.yaml
and the held-out authors of star_external2.yaml.

Each sentence is timed by its word count (150 words a minute, 0.4 s between sentences), as the
evaluation times written answers. The model is a multinomial logistic regression (scikit-learn,
L2, C below) over the named features of rehearse's STAR labeller, each sentence weighted by its
share of the answer's time; the label transitions are counted from the training answers (a move
back to an earlier section costs BACK_COST, chosen on end-to-end cross-validation of the training answers). Deterministic: the same answers give the same file.

--cv prints grouped cross-validation (an author's answers, or a fifth of one of our corpora, are
never on both sides of a fold): rule labeller vs trained model, per training set.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from statistics import mean

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse import rubric as rubric_mod  # noqa: E402
from rehearse.models import Sentence  # noqa: E402
from rehearse.star import classifier, label, trained  # noqa: E402

CORPUS = ROOT / "scripts" / "corpus"
OWN = [CORPUS / "star_answers.yaml", CORPUS / "star_realstyle.yaml"]
EXTERNAL = ROOT.parent / "shared" / "eval-data" / "star_external.yaml"
EXTERNAL2 = ROOT.parent / "shared" / "eval-data" / "star_external2.yaml"
# Real authors of star_external2.yaml kept out of training (drawn at random before tuning:
# random.seed(19); random.sample(sorted(authors), 3)).
HELD_OUT_AUTHORS = {"lilGuzi", "fmarte23", "JohnByrneJames"}
LETTERS = {"S": "situation", "T": "task", "A": "action", "R": "result"}
WPM, GAP_S = 150.0, 0.4
C = 0.1
SMOOTHING = 0.5
BACK_COST = 3.5
DURATION_POWER = 0.5


def author(source: str) -> str:
    """The GitHub owner, or the student of a bootcamp assessment repo (…-assessment-<student>)."""
    repo = source.split(":")[0]
    return repo.split("-")[-1] if "learn-academy" in repo else repo.split("/")[0]


def clean(text: str) -> str:
    """Script text as spoken: render markup removed."""
    text = re.sub(r"\[[\d.]+\]", " ", text)
    text = re.sub(r"[{}<>]", "", text).replace("((", "").replace("))", "")
    return re.sub(r"\s+", " ", text).strip()


def timed(answer: dict) -> tuple[list[Sentence], list[str]]:
    sents, labels, t = [], [], 0.0
    for i, entry in enumerate(answer["sentences"]):
        text = clean(entry[1])
        dur = len(text.split()) / WPM * 60
        sents.append(Sentence(index=i, text=text, start_s=round(t, 3), end_s=round(t + dur, 3), word_start=0, word_end=0))
        labels.append(LETTERS[entry[0]])
        t += dur + GAP_S
    return sents, labels


def training_answers(external2: Path) -> list[dict]:
    """Every training answer with its group for cross-validation."""
    out = []
    for path in OWN:
        if not path.is_file():
            raise SystemExit(f"train_star: missing corpus {path}")
        for k, a in enumerate(yaml.safe_load(path.read_text())["answers"]):
            if a.get("split", "tune") != "tune":
                continue
            sents, labels = timed(a)
            out.append({"id": a["id"], "set": path.stem, "group": f"{path.stem}:{k % 5}", "sentences": sents, "labels": labels})
    if not external2.is_file():
        raise SystemExit(f"train_star: missing {external2} (real answers are read in place, never copied)")
    for a in yaml.safe_load(external2.read_text())["answers"]:
        who = author(a["source"])
        if who in HELD_OUT_AUTHORS:
            continue
        sents, labels = timed(a)
        out.append({"id": a["id"], "set": "star_external2", "group": f"external2:{who}", "sentences": sents, "labels": labels})
    return out


def real_answers(paths: list[Path]) -> list[dict]:
    """Every real answer of the given files, grouped by its author (read in place, never copied)."""
    out = []
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"train_star: missing {path} (real answers are read in place, never copied)")
        for a in yaml.safe_load(path.read_text())["answers"]:
            who = author(a["source"])
            sents, labels = timed(a)
            out.append({"id": a["id"], "set": path.stem, "group": f"author:{who}", "author": who,
                        "sentences": sents, "labels": labels})
    return out


def own_answers(paths: list[Path] | None = None) -> list[dict]:
    out = []
    for path in OWN if paths is None else paths:
        for k, a in enumerate(yaml.safe_load(path.read_text())["answers"]):
            if a.get("split", "tune") != "tune":
                continue
            sents, labels = timed(a)
            out.append({"id": a["id"], "set": path.stem, "group": f"{path.stem}:{k % 5}", "sentences": sents, "labels": labels})
    return out


def scores(answers: list[dict], predicted: dict[str, list[str]], sections: list[str]) -> dict:
    """Pooled figures of predicted labels against the truth: share MAE, verdicts, sentences."""
    mae, ok, flat, right, total = [], 0, 0, 0, 0
    confusion = np.zeros((len(sections), len(sections)), dtype=int)
    for a in answers:
        pred = predicted[a["id"]]
        p, t = shares(a["sentences"], pred, sections), shares(a["sentences"], a["labels"], sections)
        mae.append(mean(abs(p[k] - t[k]) for k in sections))
        ok += (p["action"] >= 0.5) == (t["action"] >= 0.5)
        flat += p["action"] >= 0.5 > t["action"]
        for x, y in zip(pred, a["labels"]):
            confusion[sections.index(y), sections.index(x)] += 1
    return {"answers": len(answers), "mae": mean(mae), "worst": max(mae), "right": ok, "flattering": flat,
            "accuracy": float(np.trace(confusion) / confusion.sum()), "confusion": confusion}


def cross_validate_authors(own: list[dict], real: list[dict], rubric: dict) -> dict:
    """Leave one real author out: train on our corpora and every other real author, label the
    held-out author's answers; the figures pool every author's held-out answers."""
    sections = rubric["sections"]
    predicted: dict[str, list[str]] = {}
    for who in sorted({a["author"] for a in real}):
        model = classifier.Model.from_dict(fit(own + [a for a in real if a["author"] != who], sections), "cv")
        for a in real:
            if a["author"] == who:
                predicted[a["id"]] = trained.decode(model, a["X"], a["w"])[0]
    return scores(real, predicted, sections)


def design(answers: list[dict], rubric: dict) -> None:
    for a in answers:
        names, X, durations = trained.feature_rows(a["sentences"], rubric)
        a["names"], a["X"] = names, X
        a["w"] = durations / durations.sum()


def transitions(sequences: list[list[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    T = np.full((k, k), SMOOTHING)
    S = np.full(k, SMOOTHING)
    for q in sequences:
        S[q[0]] += 1
        for a, b in zip(q, q[1:]):
            T[a, b] += 1
    T = np.log(T / T.sum(axis=1, keepdims=True))
    for a in range(k):
        for b in range(a):
            T[a, b] = -BACK_COST
    return T, np.log(S / S.sum())


def fit(answers: list[dict], sections: list[str]) -> dict:
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([a["X"] for a in answers])
    y = np.concatenate([[sections.index(lab) for lab in a["labels"]] for a in answers])
    w = np.concatenate([a["w"] * len(a["labels"]) for a in answers])
    mu, sd = X.mean(axis=0), X.std(axis=0) + 1e-6
    clf = LogisticRegression(C=C, max_iter=5000).fit((X - mu) / sd, y, sample_weight=w)
    T, S = transitions([[sections.index(lab) for lab in a["labels"]] for a in answers], len(sections))
    return {
        "labels": sections, "features": answers[0]["names"],
        "mean": mu.round(6).tolist(), "scale": sd.round(6).tolist(),
        "coef": clf.coef_.round(5).tolist(), "intercept": clf.intercept_.round(5).tolist(),
        "transitions": T.round(4).tolist(), "start": S.round(4).tolist(), "duration_power": DURATION_POWER,
        "trained_on": {"answers": len(answers), "sentences": int(len(y)),
                       "sets": dict(Counter(a["set"] for a in answers)), "C": C, "back_cost": BACK_COST},
    }


def shares(sents: list[Sentence], labels: list[str], sections: list[str]) -> dict[str, float]:
    start, end = sents[0].start_s, sents[-1].end_s
    time = dict.fromkeys(sections, 0.0)
    for i, (s, lab) in enumerate(zip(sents, labels)):
        time[lab] += (sents[i + 1].start_s if i + 1 < len(sents) else end) - s.start_s
    return {k: v / (end - start) for k, v in time.items()}


def cross_validate(answers: list[dict], rubric: dict) -> None:
    sections = rubric["sections"]
    predicted: dict[str, list[str]] = {}
    for group in sorted({a["group"] for a in answers}):
        weights = fit([a for a in answers if a["group"] != group], sections)
        model = classifier.Model.from_dict(weights, "cv")
        for a in answers:
            if a["group"] == group:
                predicted[a["id"]] = trained.decode(model, a["X"], a["w"])[0]
    rule = {a["id"]: [s.label for s in label.label_sentences(a["sentences"], rubric)] for a in answers}
    print("| set | labeller | answers | share MAE | verdict right | flattering | sentence accuracy |")
    print("|---|---|---|---|---|---|---|")
    for st in sorted({a["set"] for a in answers}):
        sub = [a for a in answers if a["set"] == st]
        for name, pred in (("rules (before)", rule), ("trained, cross-validated", predicted)):
            mae, ok, flat, right, total = [], 0, 0, 0, 0
            for a in sub:
                p, t = shares(a["sentences"], pred[a["id"]], sections), shares(a["sentences"], a["labels"], sections)
                mae.append(mean(abs(p[k] - t[k]) for k in sections))
                ok += (p["action"] >= 0.5) == (t["action"] >= 0.5)
                flat += p["action"] >= 0.5 > t["action"]
                right += sum(x == y for x, y in zip(pred[a["id"]], a["labels"]))
                total += len(a["labels"])
            print(f"| {st} | {name} | {len(sub)} | {mean(mae):.3f} | {ok}/{len(sub)} | {flat} | {right / total:.1%} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "rubrics" / "star_model.json")
    p.add_argument("--external2", type=Path, default=EXTERNAL2)
    p.add_argument("--cv", action="store_true", help="print grouped cross-validation instead of writing")
    p.add_argument("--cv-authors", action="store_true",
                   help="print leave-one-real-author-out cross-validation over every real answer instead of writing")
    p.add_argument("--external", type=Path, default=EXTERNAL)
    p.add_argument("--rubric", default="star", help="rubric name or .toml path (features and cues)")
    p.add_argument("--own", help="comma-separated corpora of ours under scripts/corpus (default: OWN)")
    p.add_argument("--C", type=float, default=None)
    p.add_argument("--back-cost", type=float, default=None)
    p.add_argument("--duration-power", type=float, default=None)
    args = p.parse_args(argv)
    global C, BACK_COST, DURATION_POWER
    C = C if args.C is None else args.C
    BACK_COST = BACK_COST if args.back_cost is None else args.back_cost
    DURATION_POWER = DURATION_POWER if args.duration_power is None else args.duration_power
    rubric = rubric_mod.load(args.rubric)
    if args.cv_authors:
        own_paths = None if not args.own else [CORPUS / f"{n}.yaml" for n in args.own.split(",")]
        own, real = own_answers(own_paths), real_answers([args.external, args.external2])
        design(own + real, rubric)
        r = cross_validate_authors(own, real, rubric)
        conf = " · ".join(f"{s[0].upper()}: " + "/".join(str(v) for v in row) for s, row in zip(rubric["sections"], r["confusion"]))
        print(f"author-CV ({len(real)} real answers, {len({a['author'] for a in real})} authors; C={C} back={BACK_COST} "
              f"dur={DURATION_POWER}): MAE {r['mae']:.3f} (worst {r['worst']:.3f}) · verdicts {r['right']}/{r['answers']} · "
              f"flattering {r['flattering']} · sentences {r['accuracy']:.1%} · {conf}")
        return 0
    answers = training_answers(args.external2)
    design(answers, rubric)
    if args.cv:
        cross_validate(answers, rubric)
        return 0
    weights = fit(answers, rubric["sections"])
    args.out.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({len(weights['features'])} features, {weights['trained_on']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
