"""The three most useful tips, ranked by how far the answer is from its targets."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rehearse.clock import clock
from rehearse.models import Delivery, StarResult, Voice


def choose_tips(delivery: Delivery, star: StarResult, star_rubric: dict[str, Any], config: dict[str, Any], duration_s: float, limit: int = 3,
                voice: Voice | None = None) -> list[str]:
    """Candidate tips, each with a severity; the most severe `limit` are returned."""
    candidates: list[tuple[float, str]] = []
    sections = {s.label: s for s in star.sections}
    verdict = star_rubric["verdict"]
    main = sections[verdict["section"]]

    if not star.action_dominant:
        gap = main.target_share - main.share
        candidates.append((3 + 10 * gap, (
            f"{main.label.capitalize()} took {main.share:.0%} of your time (target {main.target_share:.0%}). "
            f"Spend it on what you did: the decisions, the steps, the tools."
        )))
    for label in star.missing:
        candidates.append((4.0, f"No {label} heard. {_missing_hint(label)}"))

    # Findings from the story (rubrics/findings.toml): the measured fact, then the suggestion.
    for f in star.findings:
        if f.id == "no_measurable_result" and star.missing and star_rubric["sections"][-1] in star.missing:
            continue  # the missing-section tip already says it
        candidates.append((f.severity, f"{f.detail} {f.suggestion}"))

    pacing = delivery.pacing
    low, high = pacing.target_wpm
    if pacing.verdict != "in_band":
        off = (low - pacing.words_per_minute) / low if pacing.verdict == "slow" else (pacing.words_per_minute - high) / high
        advice = "Pick up the pace between points" if pacing.verdict == "slow" else "Slow down and let key numbers land"
        candidates.append((1.5 + 10 * off, f"You spoke at {pacing.words_per_minute:.0f} words per minute (target {low:.0f}–{high:.0f}). {advice}."))

    limit_fpm = config["fillers"]["max_per_minute"]
    if delivery.fillers_per_minute > limit_fpm:
        top = ", ".join(f'"{w}" ×{n}' for w, n in Counter(f.text for f in delivery.fillers).most_common(2))
        candidates.append((1 + delivery.fillers_per_minute - limit_fpm, (
            f"{delivery.fillers_per_minute:.1f} fillers per minute ({top}). Replace them with a short silent pause."
        )))

    mid = [p for p in delivery.pauses if p.position == "within_sentence"]
    if mid:
        worst = max(mid, key=lambda p: p.duration_s)
        candidates.append((1 + 0.5 * len(mid), (
            f"{len(mid)} long pause(s) in mid-sentence, the longest {worst.duration_s:.1f} s at {clock(worst.start_s)}. "
            "Pause between points, not inside them."
        )))

    # Voice findings (rubrics/voice.toml): pitch, loudness, repetitive wording.
    for f in voice.findings if voice is not None else []:
        candidates.append((f.severity, f"{f.detail} {f.suggestion}"))

    if not candidates:
        return ["Structure and delivery are on target. Rehearse it once more, then try a follow-up question."]
    candidates.sort(key=lambda c: -c[0])
    return [text for _, text in candidates[:limit]]


def _missing_hint(label: str) -> str:
    return {
        "situation": "Open with one sentence of context: where, when, what was at stake.",
        "task": "Say what you owned or had to achieve before describing what you did.",
        "action": "Describe the steps you took yourself, in order.",
        "result": "Close with what changed, in numbers, and one lesson.",
    }.get(label, f"Add a {label} part.")
