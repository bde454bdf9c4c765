"""Whether an interviewer's turn is a new main question, judged from what happens around it.

Word lists alone do not generalise to wording they have not met ("Conflict. Go.", "The drainage
job at Thornbury. What went on there?"). What does hold for any wording is the exchange around
the turn: a main question is answered with a new story (its first sentence sets a scene, its
words are not the last answer's), after an answer that has run its course; a follow-up is
answered briefly, on the same story's topic. Each of the interviewer's turns gets named
features of that kind beside the rule scores of its wording, and a logistic model (weights in
the rubric's `model`, e.g. rubrics/turn_model.json, learnt by scripts/eval/train_turns.py) gives
the probability that it is a main question.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rehearse import rubric as rubric_mod
from rehearse.models import Sentence

FEATURES = [
    "new-story wording", "follow-up wording", "new-story wording wins", "asks", "opens like a question",
    "chat", "transition", "words (log)", "candidate talk after (log s)", "story after (log s)",
    "shares the answer's topic", "no topic words", "before the first question", "between questions",
    "answer so far (log s)", "reply opens a scene (STAR situation)", "reply opens with an action",
    "reply's words new to the answer", "echoes the last words", "follow-up wording beyond a leading and/so",
    "answer so far ends with a result",
    "answer so far: sentences (log)", "answer so far has a result (decoded)", "reply: sentences (log)",
    "reply is a whole story (decoded S..R)", "reply sections (decoded)", "reply and answer share words (cosine)",
    "candidate talk left in the recording (log s)",
    "reply sets the scene in time", "reply opens with a direct answer",
    "answer and reply read as one story (STAR order)",
]
# The model's two heads: `main` (a new main question) for every turn the rules judge, and `aside`
# (the turn leaves the story: chat, a move on, the closing) for a turn inside an answer that is no
# main question.
HEADS = ("main", "aside")


@lru_cache(maxsize=4)
def load(path: str) -> dict[str, Any]:
    from rehearse.errors import RehearseError

    try:
        data = json.loads(Path(path).read_text())
        if data["features"] != FEATURES:
            raise RehearseError(path, "the turn model was trained on other features (retrain it: "
                                      "python scripts/eval/train_turns.py)")
        return {head: {k: np.array(v) if isinstance(v, list) else v for k, v in data[head].items()}
                for head in HEADS}
    except (OSError, ValueError, KeyError) as exc:
        raise RehearseError(path, f"turn model weights cannot be read ({exc})") from None


def model_path(cfg: dict) -> str | None:
    path = rubric_mod.named_file(cfg.get("model"))
    return str(path) if path is not None else None


def probability(x: list[float], model: dict) -> float:
    z = float(((np.array(x) - model["mean"]) / model["scale"]) @ model["coef"] + model["intercept"])
    return 1.0 / (1.0 + math.exp(-z))


def reasons(x: list[float], model: dict, top: int = 3) -> list[str]:
    """The features that pushed this turn's probability most, with their sign."""
    d = ((np.array(x) - model["mean"]) / model["scale"]) * model["coef"]
    order = np.argsort(-np.abs(d))[:top]
    return [f"{FEATURES[i]} {d[i]:+.1f}" for i in order]


@lru_cache(maxsize=1)
def _star() -> tuple[dict, Any] | None:
    from rehearse.star import classifier

    star = rubric_mod.load("star")
    path = classifier.model_path(star)
    return (star, classifier.load_model(str(path))) if path is not None else None


def _star_rows(units: list) -> tuple[Any, np.ndarray, np.ndarray] | None:
    """The STAR model and its feature rows (and durations) for a stretch of the candidate's talk
    read as an answer of its own, one sentence per unit; None without a model or talk."""
    from rehearse.star import trained

    star = _star()
    if star is None or not units:
        return None
    rubric, model = star
    sents = [Sentence(index=i, text=u.text, start_s=u.start_s, end_s=u.end_s, word_start=0, word_end=0)
             for i, u in enumerate(units)]
    _, X, durations = trained.feature_rows(sents, rubric)
    return model, X, durations


def _labels_of(units: list, row: int) -> dict[str, float]:
    rows = _star_rows(units)
    if rows is None:
        return {}
    model, X, _ = rows
    return dict(zip(model.labels, np.exp(model.log_probs(X[[row]]))[0].tolist()))


def opening_labels(units: list) -> dict[str, float]:
    """The STAR model's label probabilities for the first sentence of a stretch of the candidate's
    talk (its first four sentences read as an answer of their own)."""
    return _labels_of(units[:4], 0)


def closing_labels(units: list) -> dict[str, float]:
    """The STAR model's label probabilities for the last sentence of the answer so far (its last
    four sentences read as an answer of their own)."""
    return _labels_of(units[-4:], -1)


def new_words_share(reply: list, answer: list, topic) -> float:
    """Share of the reply's topic words (first sentences) that the answer so far never used."""
    mine = topic(" ".join(u.text for u in reply[:3]))
    if not mine:
        return 0.5
    seen = topic(" ".join(u.text for u in answer))
    return sum(w not in seen for w in mine) / len(mine)


def log_s(value: float) -> float:
    return math.log1p(max(value, 0.0))


def decoded(units: list) -> list[str]:
    """The STAR model's labels for a stretch of the candidate's talk read as one answer (Viterbi)."""
    from rehearse.star import trained

    rows = _star_rows(units)
    return [] if rows is None else trained.decode(*rows)[0]


def scene_in_time(units: list, cue_name: str) -> float:
    """Whether the first two sentences of a stretch of talk set a scene in time ("In my first job",
    "Last term", "A couple of years ago"): the STAR rubric's own cue for a situation."""
    star = _star()
    rubric = star[0] if star is not None else rubric_mod.load("star")
    cue = next((c for c in rubric.get("cues", []) if c["name"] == cue_name), None)
    if cue is None:
        from rehearse.errors import RehearseError

        raise RehearseError("rubrics/interview.toml", f"scene_cue {cue_name!r} names no cue of the STAR rubric")
    return float(bool(re.search(cue["pattern"], " ".join(u.text for u in units[:2]).lower())))


def cosine(a: list, b: list, words) -> float:
    """Cosine of the content-word counts of two stretches of talk."""
    from collections import Counter

    ca, cb = Counter(words(" ".join(u.text for u in a))), Counter(words(" ".join(u.text for u in b)))
    if not ca or not cb:
        return 0.0
    dot = sum(ca[w] * cb[w] for w in ca)
    return dot / math.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))


def _log_likelihood(units: list) -> float:
    """The STAR model's log-score of a stretch of talk read as one answer (every label path)."""
    from rehearse.star import classifier

    rows = _star_rows(units)
    if rows is None:
        return 0.0
    model, X, durations = rows
    _, forward = classifier.forward_backward(classifier.emissions(model, X, durations), model.transitions, model.start)
    return float(np.logaddexp.reduce(forward[-1]))


def one_story(reply: list, answer: list) -> float:
    """How much better the answer so far and the reply read as one story than as two, per
    sentence: a reply that goes on the same story (the action carries on, the result is still to
    come) fits the answer's STAR order; a new story starts again with its own scene."""
    if not reply or not answer:
        return 0.0
    both = _log_likelihood(answer + reply) - _log_likelihood(answer) - _log_likelihood(reply)
    return both / (len(answer) + len(reply))


def context(reply: list, answer: list, words) -> list[float]:
    """Features of the whole reply and the whole answer so far."""
    told = decoded(answer)
    said = decoded(reply)
    return [math.log1p(len(answer)), float("result" in told), math.log1p(len(reply)),
            float(len(said) >= 3 and said[0] in ("situation", "task") and said[-1] == "result"),
            float(len(set(said))), cosine(reply, answer, words)]
