"""The 0–100 structure score: parts and weights come from the format rubric's [score]."""

from __future__ import annotations

import re
from typing import Any

from rehearse.models import ScorePart, StarResult, StructureScore
from rehearse.star.findings import roles


def _balance(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    off = sum(abs(s.share - s.target_share) for s in star.sections) / 2  # total variation: 0 = on target, 1 = all wrong
    return 1 - off, f"{off:.0%} of the time is in the wrong section against the targets"


def _dominance(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    value = min(1.0, star.action_share / max(star.dominance_threshold, 1e-6))
    return value, f"{rubric['verdict']['section']} {star.action_share:.0%} of the time (needs ≥ {star.dominance_threshold:.0%})"


def _present(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    n = len(star.sections)
    heard = n - len(star.missing)
    return heard / n, f"{heard} of {n} sections heard" + (f" (missing: {', '.join(star.missing)})" if star.missing else "")


def _finding(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    hit = next((f for f in star.findings if f.id == part["finding"]), None)
    return (0.0, hit.title.lower()) if hit else (1.0, f"no '{part['finding'].replace('_', ' ')}' finding")


def _ownership(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    action = roles(rubric)["action"]
    text = " ".join(s.text.lower() for s in star.sentences if s.label == action)
    n_i = len(re.findall(r"\bi\b", text))
    n_we = len(re.findall(r"\bwe\b", text))
    if n_i + n_we == 0:
        return 0.0, "no \"I\" or \"we\" in the action"
    return n_i / (n_i + n_we), f"\"I\" {n_i}× vs \"we\" {n_we}× in the action"


def _length(star: StarResult, rubric: dict[str, Any], part: dict[str, Any]) -> tuple[float, str]:
    band = rubric.get("length", {"min_s": 0, "max_s": 1e9})
    span = star.span_s
    if span < band["min_s"]:
        value = span / band["min_s"]
    elif span > band["max_s"]:
        value = max(0.0, 1 - (span - band["max_s"]) / band["max_s"])
    else:
        value = 1.0
    return value, f"{span:.0f} s (band {band['min_s']:.0f}–{band['max_s']:.0f} s)"


KINDS = {"balance": _balance, "dominance": _dominance, "present": _present, "finding": _finding,
         "ownership": _ownership, "length": _length}


def structure_score(star: StarResult, rubric: dict[str, Any]) -> StructureScore:
    parts_cfg = rubric.get("score", {}).get("parts", [])
    total_weight = sum(float(p["weight"]) for p in parts_cfg) or 1.0
    parts = []
    for p in parts_cfg:
        value, detail = KINDS[p["kind"]](star, rubric, p)
        value = max(0.0, min(1.0, value))
        parts.append(ScorePart(name=p["name"], weight=float(p["weight"]), value=round(value, 3),
                               points=round(100 * float(p["weight"]) * value / total_weight, 1), detail=detail))
    return StructureScore(total=round(sum(p.points for p in parts), 1), parts=parts)
