"""Leadership Principles the story gives evidence of, and whether it shows the one asked about.

Cues, weights and the threshold live in rubrics/principles.toml.
"""

from __future__ import annotations

import re
from typing import Any

from rehearse.errors import RehearseError
from rehearse.models import AskedPrinciple, PrincipleEvidence, StarSentence
from rehearse.star.findings import _re, evidence


def _key(name: str) -> str:
    return re.sub(r"[^a-z]+", " ", name.lower()).strip()


def resolve(asked: str, config: dict[str, Any]) -> dict[str, Any]:
    """The principle `--lp` names (by name or alias, any case and punctuation)."""
    want = _key(asked)
    for p in config.get("principle", []):
        if want in {_key(p["name"]), *(_key(a) for a in p.get("aliases", []))}:
            return p
    names = "; ".join(p["name"] for p in config.get("principle", []))
    raise RehearseError(asked, f"unknown Leadership Principle (known: {names})")


def weigh(principle: dict[str, Any], sentences: list[StarSentence], min_strength: float) -> PrincipleEvidence:
    """Sum of the weights of the principle's cues heard anywhere in the answer (each cue once)."""
    strength, cues, ev, seen = 0.0, [], [], set()
    for cue in principle["cues"]:
        pattern = _re(cue["pattern"])
        for s in sentences:
            m = pattern.search(s.text.lower())
            if m:
                strength += float(cue["weight"])
                cues.append(cue["name"])
                if s.index not in seen and len(ev) < 2:
                    ev.append(evidence(s, m))
                    seen.add(s.index)
                break
    return PrincipleEvidence(name=principle["name"], strength=round(strength, 2), shown=strength >= min_strength, cues=cues, evidence=ev)


def detect(sentences: list[StarSentence], config: dict[str, Any]) -> list[PrincipleEvidence]:
    """Principles shown, strongest first."""
    threshold = float(config.get("min_strength", 2.5))
    found = [weigh(p, sentences, threshold) for p in config.get("principle", [])]
    return sorted((f for f in found if f.shown), key=lambda f: -f.strength)


def check_asked(asked: str, sentences: list[StarSentence], config: dict[str, Any]) -> AskedPrinciple:
    principle = resolve(asked, config)
    got = weigh(principle, sentences, float(config.get("min_strength", 2.5)))
    suggestion = None
    if not got.shown:
        template = config.get("missing_suggestion", "Make {name} visible: {hint}")
        suggestion = template.format(name=principle["name"], hint=principle.get("hint", ""))
    return AskedPrinciple(asked=asked, suggestion=suggestion, **got.model_dump())
