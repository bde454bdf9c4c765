"""Coaching on top of the STAR timing: findings, Leadership Principles, follow-ups and the score."""

from __future__ import annotations

from typing import Any

from rehearse import rubric as rubric_mod
from rehearse.models import StarResult
from rehearse.star import findings, followups, principles
from rehearse.star.score import structure_score


def coach(result: StarResult, rubric: dict[str, Any], lp: str | None = None) -> StarResult:
    """Fill in findings, principles, the principle asked about, follow-ups and the score."""
    lp_config = rubric_mod.load(rubric.get("principles", "principles"))
    if lp:
        asked = principles.check_asked(lp, result.sentences, lp_config)  # unknown names fail early
    result.findings = findings.find(result, rubric, rubric_mod.load(rubric.get("findings", "findings")))
    result.principles = principles.detect(result.sentences, lp_config)
    result.asked_principle = asked if lp else None
    result.followups = followups.choose(result.findings, result.missing, rubric_mod.load(rubric.get("questions", "questions")))
    result.score = structure_score(result, rubric)
    return result
