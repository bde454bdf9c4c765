"""STAR scoring: label each sentence, time each section, and decide whether Action dominated."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from rehearse.models import Sentence, StarResult, StarSection, StarSentence


@dataclass(frozen=True)
class Cue:
    section: str
    name: str
    pattern: re.Pattern
    weight: float


def compile_cues(rubric: dict[str, Any]) -> list[Cue]:
    return [
        Cue(c["section"], c["name"], re.compile(c["pattern"], re.IGNORECASE), float(c["weight"]))
        for c in rubric.get("cues", [])
    ]


def sentence_scores(text: str, position: float, rubric: dict[str, Any], cues: list[Cue]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Per-section score of one sentence (bias + position prior + matched cues) and the cues that fired."""
    sections = rubric["sections"]
    scores = {s: float(rubric.get("bias", {}).get(s, 0.0)) for s in sections}
    fired: dict[str, list[str]] = {s: [] for s in sections}
    for s in sections:
        prior = rubric.get("position", {}).get(s)
        if prior:
            z = (position - prior["centre"]) / prior["width"]
            scores[s] -= prior["weight"] * 0.5 * z * z
    lowered = text.lower()
    for cue in cues:
        if cue.section in scores and cue.pattern.search(lowered):
            scores[cue.section] += cue.weight
            fired[cue.section].append(cue.name)
    return scores, fired


def viterbi(score_rows: list[dict[str, float]], sections: list[str], order: dict[str, float]) -> list[str]:
    """Best label sequence under the spoken order: forward moves cheap, returns costly."""
    n = len(sections)

    def move(i: int, j: int) -> float:
        if j == i:
            return 0.0
        if j > i:
            return -order["skip"] * (j - i - 1)
        return -order["back"]

    best = [[-math.inf] * n for _ in score_rows]
    back = [[0] * n for _ in score_rows]
    for j, s in enumerate(sections):
        best[0][j] = score_rows[0][s] - order["start"] * j
    for t in range(1, len(score_rows)):
        for j, s in enumerate(sections):
            i = max(range(n), key=lambda k: best[t - 1][k] + move(k, j))
            best[t][j] = best[t - 1][i] + move(i, j) + score_rows[t][s]
            back[t][j] = i
    j = max(range(n), key=lambda k: best[-1][k])
    path = [j]
    for t in range(len(score_rows) - 1, 0, -1):
        j = back[t][j]
        path.append(j)
    return [sections[j] for j in reversed(path)]


def score_star(sentences: list[Sentence], rubric: dict[str, Any]) -> StarResult:
    sections: list[str] = rubric["sections"]
    cues = compile_cues(rubric)
    start, end = sentences[0].start_s, sentences[-1].end_s
    span = max(end - start, 1e-6)
    rows, fired = [], []
    for s in sentences:
        middle = ((s.start_s + s.end_s) / 2 - start) / span
        scores, cues_fired = sentence_scores(s.text, middle, rubric, cues)
        rows.append(scores)
        fired.append(cues_fired)
    labels = viterbi(rows, sections, rubric["order"])

    # A sentence owns the time from its start to the next sentence's start.
    owned = [(s.start_s, sentences[i + 1].start_s if i + 1 < len(sentences) else end) for i, s in enumerate(sentences)]
    star_sentences = [
        StarSentence(
            index=s.index, text=s.text, start_s=s.start_s, end_s=s.end_s, label=label,
            scores={k: round(v, 2) for k, v in rows[i].items()}, cues=fired[i][label],
        )
        for i, (s, label) in enumerate(zip(sentences, labels))
    ]
    targets = rubric.get("targets", {})
    result_sections = []
    for name in sections:
        idx = [i for i, label in enumerate(labels) if label == name]
        duration = sum(owned[i][1] - owned[i][0] for i in idx)
        result_sections.append(
            StarSection(
                label=name,
                present=bool(idx),
                start_s=round(owned[idx[0]][0], 3) if idx else None,
                end_s=round(owned[idx[-1]][1], 3) if idx else None,
                duration_s=round(duration, 3),
                share=round(duration / span, 4),
                target_share=float(targets.get(name, {}).get("share", 0.0)),
                sentences=idx,
            )
        )
    verdict = rubric["verdict"]
    dominant = next(s for s in result_sections if s.label == verdict["section"])
    return StarResult(
        rubric=rubric.get("name", "custom"),
        sections=result_sections,
        sentences=star_sentences,
        action_share=dominant.share,
        action_dominant=dominant.share >= float(verdict["min_share"]),
        dominance_threshold=float(verdict["min_share"]),
        missing=[s.label for s in result_sections if not s.present],
    )
