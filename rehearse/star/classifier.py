"""The trained sentence labeller: named features of each sentence, a linear model over them, and the
order-constrained decoding (Viterbi for the labels, sampled label paths for the range of the share).

The features are data (the rubric's cues and `[[features]]`, the sentence's place and length, the
rule score of each section, and the same features of the sentences before and after); their
weights are data too (the rubric's `model`, e.g. rubrics/star_model.json, written by
scripts/train_star.py). Nothing here is tuned by hand.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rehearse import rubric as rubric_mod

# Features of a sentence's place in the answer: not repeated for its neighbours.
PLACE = ("position", "position²", "first sentence", "last sentence", "first fifth", "last fifth")


@dataclass(frozen=True)
class Feature:
    name: str
    pattern: re.Pattern
    max_hits: int = 1


def compile_features(rubric: dict[str, Any]) -> list[Feature]:
    """The rubric's `[[features]]` (or those of the rubric it borrows cues from), compiled once per
    process for the same patterns."""
    raw = rubric.get("features")
    if raw is None and rubric.get("cues_from"):
        raw = rubric_mod.load(rubric["cues_from"]).get("features", [])
    return list(_compiled_features(tuple((f["name"], f["pattern"], int(f.get("max_hits", 1))) for f in raw or [])))


@lru_cache(maxsize=16)
def _compiled_features(raw: tuple) -> tuple[Feature, ...]:
    return tuple(Feature(name, re.compile(pattern, re.IGNORECASE), max_hits) for name, pattern, max_hits in raw)


def _hits(pattern: re.Pattern, text: str, max_hits: int) -> float:
    if max_hits <= 1:
        return float(bool(pattern.search(text)))
    return min(len(pattern.findall(text)), max_hits) / max_hits


def sentence_features(texts: list[str], positions: list[float], rule_rows: list[dict[str, float]],
                      cues: list, features: list[Feature], sections: list[str],
                      hits: list[list[int]] | None = None) -> tuple[list[str], np.ndarray]:
    """One row of named feature values per sentence, neighbours' features included; `hits` (each
    sentence's `label.cue_hits`) spares matching the cues again."""
    n = len(texts)
    own_names: list[str] = []
    own_rows = []
    place_rows = []
    for i, (text, pos) in enumerate(zip(texts, positions)):
        lowered = text.lower()
        words = max(len(lowered.split()), 1)
        row = {"long sentence": math.log(words) - 2.7}
        for k, cue in enumerate(cues):
            row["cue: " + cue.name] = float(bool(hits[i][k] if hits is not None else cue.pattern.search(lowered)))
        for f in features:
            row[f.name] = _hits(f.pattern, lowered, f.max_hits)
        own_names = list(row)
        own_rows.append([row[k] for k in own_names])
        place_rows.append([pos, pos * pos, float(i == 0), float(i == n - 1), float(pos < 0.2), float(pos > 0.8)])
    own = np.array(own_rows, dtype=np.float64)
    zero = np.zeros((1, own.shape[1]))
    prev = np.vstack([zero, own[:-1]])
    nxt = np.vstack([own[1:], zero])
    rule = np.array([[r[s] for s in sections] for r in rule_rows], dtype=np.float64)
    names = (list(PLACE) + own_names + ["previous sentence: " + k for k in own_names] + ["next sentence: " + k for k in own_names]
             + ["rule score: " + s for s in sections])
    return names, np.hstack([np.array(place_rows), own, prev, nxt, rule])


# ---------------------------------------------------------------- the model


@dataclass
class Model:
    labels: list[str]
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray        # labels × features, on standardised features
    intercept: np.ndarray
    transitions: np.ndarray  # log P(next label | label), backward moves capped
    start: np.ndarray        # log P(first label)
    duration_power: float
    path: str

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        z = ((X - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def contributions(self, x: np.ndarray, label: int, other: int) -> list[tuple[str, float]]:
        """How much each feature pushed `label` over `other` for one sentence, largest first."""
        d = ((x - self.mean) / self.scale) * (self.coef[label] - self.coef[other])
        order = np.argsort(-np.abs(d))
        return [(self.features[k], float(d[k])) for k in order]


    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str) -> "Model":
        return cls(
            labels=list(data["labels"]), features=list(data["features"]),
            mean=np.array(data["mean"]), scale=np.array(data["scale"]),
            coef=np.array(data["coef"]), intercept=np.array(data["intercept"]),
            transitions=np.array(data["transitions"]), start=np.array(data["start"]),
            duration_power=float(data.get("duration_power", 0.0)), path=path,
        )


@lru_cache(maxsize=4)
def load_model(path: str) -> Model:
    """Read the weights once per process."""
    from rehearse.errors import RehearseError

    try:
        return Model.from_dict(json.loads(Path(path).read_text()), path)
    except (OSError, ValueError, KeyError) as exc:
        raise RehearseError(path, f"STAR model weights cannot be read ({exc})") from None


def model_path(rubric: dict[str, Any]) -> Path | None:
    """The weights file the rubric names (`model = "star_model.json"`, beside the rubrics)."""
    name = rubric.get("model")
    if name is None and rubric.get("cues_from"):
        name = rubric_mod.load(rubric["cues_from"]).get("model")
    return rubric_mod.named_file(name)


def emissions(model: Model, X: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """Per-sentence label log-probabilities, a long sentence weighing more than a short one."""
    rel = durations / max(float(durations.mean()), 1e-9)
    return (np.maximum(rel, 1e-3) ** model.duration_power)[:, None] * model.log_probs(X)


# ---------------------------------------------------------------- decoding


def viterbi(E: np.ndarray, T: np.ndarray, S: np.ndarray) -> list[int]:
    n, k = E.shape
    best = S + E[0]
    back = np.zeros((n, k), dtype=int)
    for t in range(1, n):
        cand = best[:, None] + T
        back[t] = cand.argmax(axis=0)
        best = cand.max(axis=0) + E[t]
    path = [int(best.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t][path[-1]]))
    return path[::-1]


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def forward_backward(E: np.ndarray, T: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior probability of each label for each sentence, and the forward log-scores."""
    n, k = E.shape
    a = np.zeros((n, k))
    b = np.zeros((n, k))
    a[0] = S + E[0]
    for t in range(1, n):
        a[t] = _logsumexp(a[t - 1][:, None] + T, axis=0) + E[t]
    for t in range(n - 2, -1, -1):
        b[t] = _logsumexp(T + (E[t + 1] + b[t + 1])[None, :], axis=1)
    z = _logsumexp(a[-1], axis=0)
    return np.exp(a + b - z), a


def sample_paths(forward: np.ndarray, T: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Label paths drawn from the posterior (forward filtering, backward sampling); seeded, so a
    report is the same every time it is made."""
    rng = np.random.default_rng(seed)
    n, k = forward.shape

    def draw(logw: np.ndarray) -> np.ndarray:  # one label per row of log-weights
        p = np.exp(logw - logw.max(axis=1, keepdims=True))
        c = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        return np.minimum((rng.random((logw.shape[0], 1)) > c).sum(axis=1), k - 1)

    out = np.zeros((count, n), dtype=int)
    out[:, -1] = draw(np.repeat(forward[-1][None, :], count, axis=0))
    for t in range(n - 2, -1, -1):
        out[:, t] = draw(forward[t][None, :] + T[:, out[:, t + 1]].T)
    return out
