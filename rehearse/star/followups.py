"""Likely follow-up questions, chosen from the gaps in the answer (rubrics/questions.toml)."""

from __future__ import annotations

from typing import Any

from rehearse.models import Finding, FollowUp


def choose(findings: list[Finding], missing: list[str], config: dict[str, Any]) -> list[FollowUp]:
    count = int(config.get("count", 3))
    by_finding, by_missing = config.get("findings", {}), config.get("missing", {})
    candidates = [by_missing[m] for m in missing if m in by_missing]
    candidates += [by_finding[f.id] for f in findings if f.id in by_finding]  # findings come most severe first
    candidates += list(config.get("defaults", []))
    out: list[FollowUp] = []
    for c in candidates:
        if all(c["question"] != f.question for f in out):
            out.append(FollowUp(question=c["question"], because=c["because"]))
        if len(out) == count:
            break
    return out
