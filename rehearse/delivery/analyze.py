"""Delivery: pace, silent pauses and fillers, gathered into one model, with the worst stretch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from rehearse.clock import clock_span
from rehearse.delivery.acoustic import Stretch
from rehearse.delivery.fillers import find_fillers
from rehearse.delivery.pace import measure_pace, per_minute, section_pace, verdict
from rehearse.delivery.pauses import find_pauses, pause_stats
from rehearse.delivery.repetitions import find_repetitions
from rehearse.models import (
    Delivery,
    Filler,
    FillerCount,
    PaceWindow,
    Pause,
    StarSection,
    Transcription,
    Word,
    WorstStretch,
)


def analyze_delivery(transcription: Transcription, config: dict[str, Any], lexicon: dict[str, Any], min_pause_s: float,
                     sections: list[StarSection] | None = None, samples: np.ndarray | None = None,
                     heard: list[Stretch] | None = None, hear: Callable[[list[Stretch]], None] | None = None) -> Delivery:
    """`sections` (the STAR sections) give the pace per section; `samples` (16 kHz mono)
    sharpen pause edges and find the brief pauses voice activity does not split off; `heard`
    (steady stretches, voiced islands and runs of sound, `rehearse.delivery.acoustic`) place filled pauses
    and find dropped ones; `hear` has Whisper hear voiced islands again on their own (`rehearse.speech.relisten`)."""
    words, sentences = transcription.words, transcription.sentences
    fillers, filler_words = find_fillers(words, sentences, lexicon, heard, transcription.speech, hear)
    skip = filler_words | _covered_by_fillers(words, fillers)
    pad_s = config["vad"].get("speech_pad_ms", 0) / 1000
    pcfg = config["pauses"]
    all_pauses = find_pauses(transcription.speech, words, pcfg, samples, pad_s)
    pacing, counted, span = measure_pace(words, skip, transcription.speech, fillers, config["pace"], pad_s, all_pauses)
    if sections:
        pacing.sections = section_pace(counted, sections, pacing.target_wpm)
    minutes = max(pacing.speaking_span_s / 60, 1e-6)
    rcfg = config.get("report", {})
    return Delivery(
        pacing=pacing,
        pauses=[p for p in all_pauses if p.duration_s >= min_pause_s],
        fillers=fillers,
        fillers_per_minute=round(len(fillers) / minutes, 2),
        min_pause_s=min_pause_s,
        all_pauses=all_pauses,
        pause_stats=pause_stats(all_pauses, pacing.speaking_span_s, pcfg),
        per_minute=per_minute(counted, fillers, span, pacing.target_wpm, float(rcfg.get("merge_last_minute_s", 20))),
        worst_stretch=worst_stretch(pacing.timeline, words, fillers, all_pauses, pacing.target_wpm, rcfg),
        top_fillers=top_fillers(fillers, minutes, int(rcfg.get("top_fillers", 3))),
        repetitions=find_repetitions(words, sentences, lexicon),
    )


def _covered_by_fillers(words: list[Word], fillers: list[Filler]) -> set[int]:
    """Words that are mostly inside a filler found in the audio (not spoken content)."""
    heard = [f for f in fillers if f.source == "audio"]
    out = set()
    for i, w in enumerate(words):
        length = max(w.end_s - w.start_s, 1e-3)
        if any(min(w.end_s, f.end_s) - max(w.start_s, f.start_s) > 0.5 * length for f in heard):
            out.add(i)
    return out


def top_fillers(fillers: list[Filler], minutes: float, limit: int) -> list[FillerCount]:
    counts = Counter((f.text.lower(), f.kind) for f in fillers)
    return [FillerCount(text=text, kind=kind, count=n, per_minute=round(n / minutes, 2))
            for (text, kind), n in counts.most_common(limit)]


def worst_stretch(windows: list[PaceWindow], words: list[Word], fillers: list[Filler], pauses: list[Pause],
                  target: tuple[float, float], cfg: dict[str, Any]) -> WorstStretch | None:
    """The window where delivery suffers most: fillers, pace outside the target, mid-clause pauses.

    Score = fillers + (wpm outside the band) / wpm_per_filler + mid-clause pauses of at least
    the medium band x mid_clause_pause_weight. None when no window scores above zero.
    """
    low, high = target
    per_filler = float(cfg.get("wpm_per_filler", 10))
    pause_weight = float(cfg.get("mid_clause_pause_weight", 1))
    best, best_score = None, 0.0
    for w in windows:
        k = sum(w.start_s <= (f.start_s + f.end_s) / 2 < w.end_s for f in fillers)
        mid = sum(p.mid_clause and p.band != "brief" and w.start_s <= p.start_s < w.end_s for p in pauses)
        off = max(0.0, w.words_per_minute - high, low - w.words_per_minute)
        score = k + off / per_filler + pause_weight * mid
        if score > best_score + 1e-9:
            best, best_score = (w, k, mid), score
    if best is None:
        return None
    w, k, mid = best
    inside = [x for x in words if w.start_s <= (x.start_s + x.end_s) / 2 < w.end_s]
    a = inside[0].start_s if inside else w.start_s
    b = inside[-1].end_s if inside else w.end_s
    parts = [f"{k} filler{'s' if k != 1 else ''}", f"{w.words_per_minute:.0f} wpm"]
    if mid:
        parts.append(f"{mid} mid-clause pause{'s' if mid != 1 else ''}")
    return WorstStretch(start_s=round(a, 3), end_s=round(b, 3), words_per_minute=w.words_per_minute, fillers=k,
                        mid_clause_pauses=mid, verdict=verdict(w.words_per_minute, target),
                        summary=f"{clock_span(a, b)}: " + ", ".join(parts))
