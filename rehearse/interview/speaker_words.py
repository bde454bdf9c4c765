"""One voice reading both parts: who says each sentence, judged from its wording by a learnt model.

The wording rules (`turns._turns_by_wording`) find the interviewer's questions and the lead-ins
just before them and give every other sentence to the candidate, so greetings, chat,
interruptions and the closing become the candidate's and an answer runs on into them. A logistic
model reads each sentence and its two neighbours: the words common to many interview sets (a
vocabulary of everyday words, so no workplace's jargon), whether it says I, we or you, its
question mark and question cues, its length, where it falls in the recording, whether it goes on a
sentence Whisper cut (it opens in lower case, the unit before ends mid-sentence), whether it opens
like a reply ("Well, ...") right after a question, and the rules' own call. `scripts/eval/train_speaker_words.py` learns it from the interview scripts and writes the
weights (`rubrics/speaker_words.json`); a sentence it gives the interviewer with probability at
least the rubric's `one_voice_model_min` becomes the interviewer's. It only adds the interviewer's
sentences: the questions the rules found stay questions.
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
from rehearse.speech.sentences import ends_sentence

DENSE = ["question mark", "words (log)", "says I", "says we", "says you", "position in the recording",
         "in the first 8 % of the recording", "in the last 15 % of the recording", "question cues",
         "the wording rules' call", "opens in lower case", "the unit before ends mid-sentence",
         "opens like a reply, right after the rules' question"]
_TOKEN = re.compile(r"[a-z']+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def keys(text: str) -> set[str]:
    """The vocabulary keys a sentence can switch on: its words, "^first" and "^first_second"."""
    w = tokens(text)
    out = set(w)
    if w:
        out.add("^" + w[0])
    if len(w) > 1:
        out.add(f"^{w[0]}_{w[1]}")
    return out


@lru_cache(maxsize=8)
def star_cues(names: tuple[str, ...]) -> list[re.Pattern]:
    """The STAR rubric's features or cues of these names ("I + past verb", "lesson or what I'd do
    differently" ...), compiled: the tense and lesson word lists live in one place."""
    star = rubric_mod.load("star")
    found = {f["name"]: f["pattern"] for f in star.get("cues", []) + star.get("features", [])}
    return [re.compile(found[n]) for n in names]


def rows(units: list, rule_speakers: list[str], vocab: list[str], scfg: dict, min_score: float) -> np.ndarray:
    """One feature row per unit: the vocabulary's keys it holds, then its dense features and those
    of the units before and after it."""
    index = {k: i for i, k in enumerate(vocab)}
    end = max((u.end_s for u in units), default=0.0) or 1.0
    words = np.zeros((len(units), len(vocab)))
    dense = np.zeros((len(units), len(DENSE)))
    for i, u in enumerate(units):
        raw = u.text.strip()
        text = raw.lower().replace("\u2019", "'")
        for k in keys(text):
            if k in index:
                words[i, index[k]] = 1.0
        where = u.start_s / end
        dense[i] = [float("?" in text), math.log1p(len(tokens(text))),
                    min(len(re.findall(scfg["speaker_i"], text)), 3), min(len(re.findall(scfg["speaker_we"], text)), 3),
                    min(len(re.findall(scfg["listener"], text)), 3), where, float(where < 0.08), float(where > 0.85),
                    float(u.asks(min_score)), float(rule_speakers[i] == "interviewer"),
                    # Whisper cuts a sentence where the speaker pauses ("I had to phone" / "and explain
                    # that ..."): the piece after the cut opens in lower case and goes on the same talk
                    float(bool(raw) and raw[0].islower()),
                    float(i > 0 and not ends_sentence(units[i - 1].text)),
                    # "Well, I think in this job ..." right after a question is the first words of the reply
                    float(i > 0 and rule_speakers[i - 1] == "interviewer" and units[i - 1].asks(min_score)
                          and bool(re.match(scfg["reply_opener"], text)))]
    zero = np.zeros((1, len(DENSE)))
    before = np.vstack([zero, dense[:-1]]) if len(units) else dense
    after = np.vstack([dense[1:], zero]) if len(units) else dense
    return np.hstack([words, dense, before, after])


@lru_cache(maxsize=4)
def load(path: str) -> dict[str, Any]:
    from rehearse.errors import RehearseError

    try:
        data = json.loads(Path(path).read_text())
        if data["dense"] != DENSE:
            raise RehearseError(path, "the speaker wording model was trained on other features (retrain it: "
                                      "python scripts/eval/train_speaker_words.py)")
        return {"vocab": data["vocab"], **{k: np.array(data[k]) for k in ("mean", "scale", "coef")},
                "intercept": float(data["intercept"])}
    except (OSError, ValueError, KeyError) as exc:
        raise RehearseError(path, f"speaker wording model weights cannot be read ({exc})") from None


def model_path(scfg: dict) -> str | None:
    path = rubric_mod.named_file(scfg.get("one_voice_model"))
    return str(path) if path is not None else None


def probabilities(units: list, rule_speakers: list[str], model: dict, scfg: dict, min_score: float) -> np.ndarray:
    """The probability that the interviewer says each unit."""
    if not units:
        return np.zeros(0)
    X = (rows(units, rule_speakers, model["vocab"], scfg, min_score) - model["mean"]) / model["scale"]
    return 1.0 / (1.0 + np.exp(-(X @ model["coef"] + model["intercept"])))
