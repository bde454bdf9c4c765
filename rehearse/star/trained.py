"""The trained labeller: each sentence labelled by the rubric's model, with how sure it is and why.

Named features (`classifier.sentence_features`) → linear model → Viterbi under the spoken order
for the labels; the posterior over label paths (forward filtering, backward sampling) gives each
sentence's confidence and the range of every section's share. A rubric that names no model is
labelled by its cue weights and order penalties (`label.label_sentences`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rehearse import rubric as rubric_mod
from rehearse.models import Sentence, StarSentence
from rehearse.star import classifier
from rehearse.star.label import compile_cues, cue_hits, sentence_scores

TOP_CONTRIBUTIONS = 5


def positions(sentences: list[Sentence]) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Relative middle of each sentence (0 = first word, 1 = last), its duration and the time it owns."""
    start, end = sentences[0].start_s, sentences[-1].end_s
    span = max(end - start, 1e-6)
    middle = [((s.start_s + s.end_s) / 2 - start) / span for s in sentences]
    durations = np.array([max(s.end_s - s.start_s, 1e-3) for s in sentences])
    owned = np.array([(sentences[i + 1].start_s if i + 1 < len(sentences) else end) - s.start_s
                      for i, s in enumerate(sentences)])
    return middle, durations, np.maximum(owned, 0.0) / span


def rule_rows(sentences: list[Sentence], rubric: dict[str, Any], cues=None,
              hits: list[list[int]] | None = None) -> tuple[list[dict], list[dict]]:
    cues = compile_cues(rubric) if cues is None else cues
    middle, _, _ = positions(sentences)
    rows, fired = [], []
    for i, (s, pos) in enumerate(zip(sentences, middle)):
        scores, cues_fired = sentence_scores(s.text, pos, rubric, cues, None if hits is None else hits[i])
        rows.append(scores)
        fired.append(cues_fired)
    return rows, fired


def _features(sentences: list[Sentence], rubric: dict[str, Any]) -> tuple[list[str], np.ndarray, np.ndarray, list[dict]]:
    """Feature names, rows and durations, and the cues that fired per sentence: every cue is
    matched once per sentence and its hits shared by the rule scores and the features."""
    cues = compile_cues(rubric)
    hits = [cue_hits(s.text, cues) for s in sentences]
    rows, fired = rule_rows(sentences, rubric, cues, hits)
    middle, durations, _ = positions(sentences)
    names, X = classifier.sentence_features([s.text for s in sentences], middle, rows, cues,
                                            classifier.compile_features(rubric), rubric["sections"], hits)
    return names, X, durations, fired


def feature_rows(sentences: list[Sentence], rubric: dict[str, Any]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Feature names, one row per sentence, and the sentences' durations."""
    names, X, durations, _ = _features(sentences, rubric)
    return names, X, durations


def decode(model: classifier.Model, X: np.ndarray, durations: np.ndarray) -> tuple[list[str], np.ndarray]:
    E = classifier.emissions(model, X, durations)
    return [model.labels[j] for j in classifier.viterbi(E, model.transitions, model.start)], E


def _sentence(s: Sentence, label: str, owned_end: float, scores: dict[str, float], fired: dict[str, list[str]], **extra) -> StarSentence:
    return StarSentence(index=s.index, text=s.text, start_s=s.start_s, end_s=s.end_s, label=label,
                        scores={k: round(v, 2) for k, v in scores.items()}, cues=fired[label],
                        cues_by_section={k: v for k, v in fired.items() if v}, owned_end_s=round(owned_end, 3), **extra)


def feature_rubric(rubric: dict[str, Any]) -> dict[str, Any]:
    """The rubric whose sections and cues the model was trained on: a rubric that borrows the STAR
    cues (CAR) uses the STAR model and maps its labels (`cue_sections`)."""
    return rubric_mod.load(rubric["cues_from"]) if rubric.get("cues_from") else rubric


def model_labels(sentences: list[Sentence], rubric: dict[str, Any], model: classifier.Model) -> tuple[list[StarSentence], dict[str, Any]]:
    """Labels from the trained model, with each sentence's confidence and why, and the ranges of
    the section shares under the model's uncertainty."""
    sections = rubric["sections"]
    base = feature_rubric(rubric)
    names, X, durations, base_fired = _features(sentences, base)
    if names != model.features:
        from rehearse.errors import RehearseError

        raise RehearseError(model.path, "the STAR model was trained on other features than the rubric names "
                                        "(retrain it: python scripts/eval/train_star.py)")
    fired = base_fired if base is rubric else rule_rows(sentences, rubric)[1]
    _, _, owned = positions(sentences)
    mapping = rubric.get("cue_sections", {})
    mapped = [mapping.get(lab, lab) for lab in model.labels]
    E = classifier.emissions(model, X, durations)
    path = classifier.viterbi(E, model.transitions, model.start)
    posterior, forward = classifier.forward_backward(E, model.transitions, model.start)
    verdict = rubric.get("verdict", {})
    paths = classifier.sample_paths(forward, model.transitions, int(verdict.get("paths", 400)))
    end = sentences[-1].end_s
    out = []
    for i, (s, j) in enumerate(zip(sentences, path)):
        runner = max((k for k in range(len(model.labels)) if k != j), key=lambda k: E[i][k])
        best = int(np.argmax(E[i]))
        note = (None if best == j else
                f"its own features favoured {model.labels[best]}; the order of the answer made it {model.labels[j]}")
        scores: dict[str, float] = {}
        for k, lab in enumerate(mapped):
            scores[lab] = max(scores.get(lab, -np.inf), float(E[i][k]))
        owned_end = sentences[i + 1].start_s if i + 1 < len(sentences) else end
        out.append(_sentence(
            s, mapped[j], owned_end, scores, fired[i], order_note=note,
            confidence=round(float(posterior[i][[k for k, lab in enumerate(mapped) if lab == mapped[j]]].sum()), 3),
            runner_up=model.labels[runner],
            features=[{"name": n, "weight": round(v, 2)} for n, v in model.contributions(X[i], j, runner)[:TOP_CONTRIBUTIONS]],
        ))
    q = float(verdict.get("range_quantile", 0.1))
    ranges = {}
    for name in sections:
        ks = [k for k, lab in enumerate(mapped) if lab == name]
        share = (np.isin(paths, ks) * owned[None, :]).sum(axis=1)
        chosen = float(sum(owned[i] for i, j in enumerate(path) if j in ks))
        ranges[name] = (min(float(np.quantile(share, q)), chosen), max(float(np.quantile(share, 1 - q)), chosen))
    return out, ranges
