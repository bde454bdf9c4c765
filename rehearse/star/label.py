"""STAR scoring: label each sentence, time each section, and decide whether Action dominated.

The rubric (rubrics/star.toml, or another format such as rubrics/car.toml) names the sections,
the cues that signal them, the order prior and the verdict rule. Findings, Leadership
Principles, follow-up questions and the structure score are added by their own modules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rehearse import rubric as rubric_mod
from rehearse.models import (
    Sentence,
    ShareRange,
    StarConfidence,
    StarResult,
    StarSection,
    StarSentence,
)


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern
    weights: dict[str, float]  # section -> weight (negative counts against it)
    max_hits: int = 1


def _raw_cues(rubric: dict[str, Any]) -> list[dict[str, Any]]:
    """The rubric's cues, after the cues of the rubric it borrows from (`cues_from`)."""
    raw = list(rubric_mod.load(rubric["cues_from"]).get("cues", [])) if rubric.get("cues_from") else []
    return raw + list(rubric.get("cues", []))


def compile_cues(rubric: dict[str, Any]) -> list[Cue]:
    """Cues with per-section weights; `cue_sections` maps a borrowed section onto this rubric's
    (several onto one keeps the strongest weight); cues for unknown sections are dropped.
    Compiled once per process for the same cues (a module-level cache keyed on their text)."""
    raw = tuple((c["name"], c["pattern"], tuple((c.get("weights") or {c["section"]: c["weight"]}).items()), int(c.get("max_hits", 1)))
                for c in _raw_cues(rubric))
    return list(_compiled_cues(raw, tuple(rubric["sections"]), tuple(rubric.get("cue_sections", {}).items()),
                               rubric.get("name", "rubric")))


@lru_cache(maxsize=16)
def _compiled_cues(raw: tuple, sections: tuple[str, ...], mapping: tuple, name: str) -> tuple[Cue, ...]:
    mapping_d = dict(mapping)
    cues = []
    for cue_name, pattern, weights, max_hits in raw:
        mapped: dict[str, float] = {}
        for section, weight in weights:
            target = mapping_d.get(section, section)
            if target in sections:
                mapped[target] = max(mapped.get(target, -math.inf), float(weight))
        if mapped:
            try:
                compiled = re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                from rehearse.errors import RehearseError

                raise RehearseError(name, f"cue {cue_name!r} is not a valid regex ({exc})") from None
            cues.append(Cue(cue_name, compiled, mapped, max_hits))
    return tuple(cues)


def cue_hits(text: str, cues: list[Cue]) -> list[int]:
    """How often each cue matches one sentence (capped at its `max_hits`; 0 or 1 when uncapped)."""
    lowered = text.lower()
    return [min(len(cue.pattern.findall(lowered)), cue.max_hits) if cue.max_hits > 1 else int(bool(cue.pattern.search(lowered)))
            for cue in cues]


def sentence_scores(text: str, position: float, rubric: dict[str, Any], cues: list[Cue],
                    hits: list[int] | None = None) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Per-section score of one sentence (bias + position prior + matched cues) and the cues
    that raised each section's score; `hits` (from `cue_hits`) spares matching the cues again."""
    sections = rubric["sections"]
    scores = {s: float(rubric.get("bias", {}).get(s, 0.0)) for s in sections}
    fired: dict[str, list[str]] = {s: [] for s in sections}
    for s in sections:
        prior = rubric.get("position", {}).get(s)
        if prior:
            z = (position - prior["centre"]) / prior["width"]
            scores[s] -= prior["weight"] * 0.5 * z * z
    for cue, n in zip(cues, cue_hits(text, cues) if hits is None else hits):
        if not n:
            continue
        for section, weight in cue.weights.items():
            scores[section] += weight * n
            if weight > 0:
                fired[section].append(cue.name if n == 1 else f"{cue.name} ×{n}")
    return scores, fired


def viterbi(score_rows: list[dict[str, float]], sections: list[str], order: dict[str, float]) -> list[str]:
    """Best label sequence under the spoken order: forward moves cheap, returns costly."""
    n = len(sections)

    def move(i: int, j: int) -> float:
        if j == i:
            return 0.0
        if j > i:
            return -order.get("change", 0.0) - order["skip"] * (j - i - 1)
        return -order.get("change", 0.0) - order.get("back_to", {}).get(sections[j], order["back"])

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


def _content_words(text: str, fillers: set[str]) -> list[str]:
    words = [w.strip(".,!?;:\"'()-").lower() for w in text.split()]
    return [w for w in words if w and w not in fillers]


def merge_fragments(sentences: list[Sentence], rubric: dict[str, Any]) -> list[Sentence]:
    """Join pieces that carry no label of their own to a neighbour before labelling: a filler-only
    sentence ("Um.", "Okay.") joins the sentence after it (the last one joins the one before), and
    a very short piece, or one opening with a word that continues a clause ("which", "because"),
    that follows the previous sentence with almost no gap (Whisper broke one sentence in two)
    joins that sentence. Only the STAR stage sees the merged sentences."""
    cfg = rubric.get("fragments")
    if cfg is None and rubric.get("cues_from"):
        cfg = rubric_mod.load(rubric["cues_from"]).get("fragments")
    if not cfg or len(sentences) < 2:
        return list(sentences)
    fillers = set(cfg.get("filler_words", []))
    if cfg.get("fillers_from"):
        fillers |= set(rubric_mod.load(cfg["fillers_from"]).get("filled_pauses", {}))
    max_words, max_gap = int(cfg.get("max_words", 0)), float(cfg.get("max_gap_s", 0.0))
    continuing = set(cfg.get("continuation_words", []))

    def join(a: Sentence, b: Sentence) -> Sentence:
        return Sentence(index=a.index, text=f"{a.text} {b.text}".strip(), start_s=a.start_s, end_s=b.end_s,
                        word_start=a.word_start, word_end=b.word_end)

    out: list[Sentence] = []
    pending: Sentence | None = None  # filler-only sentences waiting for the next one
    for s in sentences:
        if pending is not None:
            s, pending = join(pending, s), None
        content = _content_words(s.text, fillers)
        if not content:
            pending = s
            continue
        first = s.text.split()[0].strip(".,!?;:\"'()-").lower()
        if out and s.start_s - out[-1].end_s <= max_gap and (len(content) <= max_words or first in continuing):
            out[-1] = join(out[-1], s)
            continue
        out.append(s)
    if pending is not None:
        if out:
            out[-1] = join(out[-1], pending)
        else:
            out.append(pending)
    return out


def label_sentences(sentences: list[Sentence], rubric: dict[str, Any]) -> list[StarSentence]:
    """Score every sentence and decode the labels; each sentence owns the time up to the next."""
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
    out = []
    for i, (s, label) in enumerate(zip(sentences, labels)):
        owned_end = sentences[i + 1].start_s if i + 1 < len(sentences) else end
        best = max(rows[i], key=rows[i].get)
        note = None if best == label else f"cues favoured {best}; the order of the answer made it {label}"
        out.append(StarSentence(
            index=s.index, text=s.text, start_s=s.start_s, end_s=s.end_s, label=label,
            scores={k: round(v, 2) for k, v in rows[i].items()}, cues=fired[i][label],
            cues_by_section={k: v for k, v in fired[i].items() if v}, owned_end_s=round(owned_end, 3), order_note=note,
        ))
    return out


def time_sections(labelled: list[StarSentence], rubric: dict[str, Any]) -> list[StarSection]:
    """Section times from sentence times: silence after a sentence belongs to its section."""
    start, end = labelled[0].start_s, labelled[-1].end_s
    span = max(end - start, 1e-6)
    targets = rubric.get("targets", {})
    result = []
    for name in rubric["sections"]:
        idx = [i for i, s in enumerate(labelled) if s.label == name]
        duration = sum(labelled[i].owned_end_s - labelled[i].start_s for i in idx)
        result.append(StarSection(
            label=name,
            present=bool(idx),
            start_s=round(labelled[idx[0]].start_s, 3) if idx else None,
            end_s=round(labelled[idx[-1]].owned_end_s, 3) if idx else None,
            duration_s=round(duration, 3),
            share=round(duration / span, 4),
            target_share=float(targets.get(name, {}).get("share", 0.0)),
            sentences=idx,
        ))
    return result


def verdict_confidence(share: float, ranges: dict[str, tuple[float, float]] | None, labelled: list[StarSentence],
                       rubric: dict[str, Any]) -> StarConfidence:
    """The verdict section's share range (the labeller's, widened to at least `borderline_margin`
    either side of the share: sentence times are not exact either) gives borderline when it
    straddles the threshold; otherwise the verdict the share gives."""
    verdict = rubric["verdict"]
    threshold, margin = float(verdict["min_share"]), float(verdict.get("borderline_margin", 0.0))
    low, high = ranges[verdict["section"]] if ranges else (share, share)
    low, high = max(min(low, share - margin), 0.0), min(max(high, share + margin), 1.0)
    borderline = low < threshold <= high
    low_cut = float(verdict.get("low_confidence", 0.6))
    return StarConfidence(
        verdict="borderline" if borderline else ("dominant" if share >= threshold else "not_dominant"),
        borderline=borderline, share_low=round(low, 4), share_high=round(high, 4),
        section_ranges={k: ShareRange(low=round(a, 4), high=round(b, 4)) for k, (a, b) in (ranges or {}).items()},
        low_confidence_sentences=[i for i, s in enumerate(labelled) if s.confidence is not None and s.confidence < low_cut],
        method="trained" if ranges else "rules",
    )


def score_star(sentences: list[Sentence], rubric: dict[str, Any], lp: str | None = None) -> StarResult:
    """Label (the rubric's trained model, or its cues alone), time and judge the answer, then add
    findings, principles, follow-ups and the score."""
    from rehearse.star import classifier, trained
    from rehearse.star.coach import coach

    if not sentences:
        from rehearse.errors import RehearseError

        raise RehearseError(rubric.get("name", "rubric"), "no sentences to score")
    merged = merge_fragments(sentences, rubric)
    weights = classifier.model_path(rubric)
    if weights is not None:
        labelled, ranges = trained.model_labels(merged, rubric, classifier.load_model(str(weights)))
    else:
        labelled, ranges = label_sentences(merged, rubric), None
    sections = time_sections(labelled, rubric)
    verdict = rubric["verdict"]
    dominant = next(s for s in sections if s.label == verdict["section"])
    result = StarResult(
        rubric=rubric.get("name", "custom"),
        sections=sections,
        sentences=labelled,
        action_share=dominant.share,
        action_dominant=dominant.share >= float(verdict["min_share"]),
        dominance_threshold=float(verdict["min_share"]),
        missing=[s.label for s in sections if not s.present],
        span_s=round(labelled[-1].end_s - labelled[0].start_s, 3),
        confidence=verdict_confidence(dominant.share, ranges, labelled, rubric),
    )
    return coach(result, rubric, lp)
