"""The practice question bank (rubrics/question_bank.toml): load, filter, pick."""

from __future__ import annotations

import random

from rehearse import rubric
from rehearse.errors import RehearseError
from rehearse.models import Question
from rehearse.star.principles import resolve

LEVELS = ("intern", "new grad", "experienced")


def load(name: str = "question_bank") -> list[dict]:
    bank = rubric.load(name).get("question", [])
    if not bank:
        raise RehearseError(name, "the question bank holds no [[question]] entries")
    return bank


def to_question(entry: dict) -> Question:
    levels = entry.get("levels", [])
    return Question(text=entry["text"], id=entry["id"], principles=list(entry.get("principles", [])),
                    level=", ".join(levels) if levels else None, target_s=float(entry["target_s"]))


def _level(level: str) -> str:
    key = level.strip().lower().replace("-", " ").replace("_", " ")
    if key not in LEVELS:
        raise RehearseError("--level", f"unknown level {level!r} (known: {', '.join(LEVELS)})")
    return key


def select(lp: str | None = None, level: str | None = None, bank: list[dict] | None = None) -> list[dict]:
    """Questions probing principle `lp` (name or alias) at `level`, in bank order."""
    bank = load() if bank is None else bank
    chosen = bank
    if lp:
        name = resolve(lp, rubric.load("principles"))["name"]
        chosen = [q for q in chosen if name in q.get("principles", [])]
    if level:
        want = _level(level)
        chosen = [q for q in chosen if want in q.get("levels", [])]
    return chosen


def by_id(qid: str, bank: list[dict] | None = None) -> dict:
    bank = load() if bank is None else bank
    for q in bank:
        if q["id"] == qid:
            return q
    raise RehearseError(qid, "no question with this id (see `rehearse questions`)")


def choose(qid: str | None = None, text: str | None = None, lp: str | None = None, level: str | None = None,
           default_target_s: float = 120.0, rng: random.Random | None = None) -> Question:
    """The question to practise: by id, as given text, or at random among the filtered ones."""
    if text is not None:
        if not text.strip():
            raise RehearseError("--question", "the question text is empty")
        name = resolve(lp, rubric.load("principles"))["name"] if lp else None
        return Question(text=text.strip(), principles=[name] if name else [], level=_level(level) if level else None,
                        target_s=default_target_s)
    if qid is not None:
        return to_question(by_id(qid))
    pool = select(lp, level)
    if not pool:
        raise RehearseError("--lp/--level", "no question in the bank matches this choice")
    return to_question((rng or random).choice(pool))
