"""Speaking rate, articulation rate, a rolling pace timeline, pace per section, stretches.

Words are counted as spoken (numbers expanded: "240" is three words), fillers excluded.
The speaking span runs from the first to the last voice-activity region that holds the
answer's words (voice activity is sharper at the edges than Whisper's word times). Window
rates count a word cut by a window edge in proportion to the part inside.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Any

from rehearse.models import (
    Filler,
    MinuteRates,
    PaceStretch,
    PaceVerdict,
    PaceWindow,
    Pacing,
    SectionPace,
    Span,
    StarSection,
    Word,
)
from rehearse.speech.words import spoken_words


@dataclass
class Counted:
    """A transcript word that counts towards the rate: its span and how many words it stands for."""

    start_s: float
    end_s: float
    n: int


def counted_words(words: list[Word], skip: set[int]) -> list[Counted]:
    return [Counted(w.start_s, w.end_s, spoken_words(w.text)) for i, w in enumerate(words) if i not in skip]


def words_in(counted: list[Counted], start: float, end: float) -> float:
    """Words inside [start, end]; a word cut by an edge counts in proportion."""
    total = 0.0
    for w in counted:
        length = w.end_s - w.start_s
        if length <= 0:
            total += w.n if start <= w.start_s < end else 0
            continue
        part = min(w.end_s, end) - max(w.start_s, start)
        if part > 0:
            total += w.n * part / length
    return total


def verdict(wpm: float, target: tuple[float, float]) -> PaceVerdict:
    low, high = target
    return "slow" if wpm < low else "fast" if wpm > high else "in_band"


def speaking_span(words: list[Word], speech: list[Span], pad_s: float = 0.0) -> tuple[float, float]:
    """First to last sound of the answer: the voice-activity regions that hold its words
    (their padding taken off); Whisper's first and last word times only without them."""
    first, last = words[0].start_s, words[-1].end_s
    regions = [r for r in speech if r.end_s > first - 0.3 and r.start_s < last + 0.3]
    if not regions:
        return first, max(last, first + 1e-3)
    start, end = regions[0].start_s + pad_s, regions[-1].end_s - pad_s
    return (start, end) if end > start else (first, max(last, first + 1e-3))


def timeline(counted: list[Counted], fillers: list[Filler], span: tuple[float, float], window_s: float,
             step_s: float, target: tuple[float, float]) -> list[PaceWindow]:
    """Rates over windows of `window_s`, every `step_s`; the last window ends at the span's end."""
    start, end = span
    if end - start <= window_s:
        starts = [start]
        window_s = end - start
    else:
        starts, t = [], start
        while t + window_s < end - 1e-6:
            starts.append(t)
            t += step_s
        starts.append(end - window_s)
    out = []
    for a in starts:
        b = a + window_s
        n = words_in(counted, a, b)
        wpm = n / window_s * 60 if window_s > 0 else 0.0
        out.append(PaceWindow(start_s=round(a, 3), end_s=round(b, 3), words=round(n, 2), words_per_minute=round(wpm, 1),
                              fillers=sum(a <= (f.start_s + f.end_s) / 2 < b for f in fillers),
                              verdict=verdict(wpm, target)))
    return out


def stretches(windows: list[PaceWindow], counted: list[Counted], target: tuple[float, float],
              min_stretch_s: float) -> list[PaceStretch]:
    """Runs of too-fast or too-slow windows, kept if at least `min_stretch_s` long and outside
    the band as a whole. A window stands for the step around its centre (the first and last
    windows reach the span's edges), so neighbouring stretches never overlap."""
    out: list[PaceStretch] = []
    run: list[PaceWindow] = []
    if not windows:
        return out
    span_start, span_end = windows[0].start_s, windows[-1].end_s
    half = (windows[1].start_s - windows[0].start_s) / 2 if len(windows) > 1 else 0.0

    def reach(w: PaceWindow, side: int) -> float:
        if w is windows[0] and side < 0:
            return span_start
        if w is windows[-1] and side > 0:
            return span_end
        return (w.start_s + w.end_s) / 2 + side * half

    def close() -> None:
        if not run:
            return
        a, b = round(reach(run[0], -1), 3), round(reach(run[-1], 1), 3)
        if b <= a:
            return
        wpm = words_in(counted, a, b) / (b - a) * 60
        if b - a >= min_stretch_s - 1e-6 and verdict(wpm, target) == run[0].verdict:
            out.append(PaceStretch(start_s=a, end_s=b, kind=run[0].verdict, words_per_minute=round(wpm, 1)))

    for w in windows:
        if run and w.verdict != run[-1].verdict:
            close()
            run = []
        if w.verdict != "in_band":
            run.append(w)
    close()
    return _join(out, counted, min_stretch_s)


def _join(found: list[PaceStretch], counted: list[Counted], max_gap_s: float) -> list[PaceStretch]:
    """Join stretches of the same kind less than `max_gap_s` apart (a brief dip back into the band)."""
    out: list[PaceStretch] = []
    for s in found:
        if out and out[-1].kind == s.kind and s.start_s - out[-1].end_s < max_gap_s:
            a, b = out[-1].start_s, s.end_s
            out[-1] = PaceStretch(start_s=a, end_s=b, kind=s.kind, words_per_minute=round(words_in(counted, a, b) / (b - a) * 60, 1))
        else:
            out.append(s)
    return out


def section_pace(counted: list[Counted], sections: list[StarSection], target: tuple[float, float]) -> list[SectionPace]:
    out = []
    for s in sections:
        if not s.present or s.start_s is None or s.end_s is None or s.end_s <= s.start_s:
            continue
        n = words_in(counted, s.start_s, s.end_s)
        wpm = n / (s.end_s - s.start_s) * 60
        out.append(SectionPace(label=s.label, start_s=s.start_s, end_s=s.end_s, words=round(n, 2),
                               words_per_minute=round(wpm, 1), verdict=verdict(wpm, target)))
    return out


def per_minute(counted: list[Counted], fillers: list[Filler], span: tuple[float, float],
               target: tuple[float, float], merge_last_s: float) -> list[MinuteRates]:
    """Rates for each minute of speaking; a last part shorter than `merge_last_s` joins the minute before."""
    start, end = span
    edges = [start]
    while edges[-1] + 60 < end:
        edges.append(edges[-1] + 60)
    edges.append(end)
    if len(edges) > 2 and edges[-1] - edges[-2] < merge_last_s:
        del edges[-2]
    out = []
    for i, (a, b) in enumerate(itertools.pairwise(edges), 1):
        minutes = (b - a) / 60
        n = words_in(counted, a, b)
        k = sum(a <= (f.start_s + f.end_s) / 2 < b for f in fillers)
        wpm = n / minutes if minutes > 0 else 0.0
        out.append(MinuteRates(start_s=round(a, 3), end_s=round(b, 3), minute=i, words_per_minute=round(wpm, 1),
                               fillers=k, fillers_per_minute=round(k / minutes, 2) if minutes > 0 else 0.0,
                               verdict=verdict(wpm, target)))
    return out


def measure_pace(words: list[Word], skip: set[int], speech: list[Span], fillers: list[Filler],
                 cfg: dict[str, Any], pad_s: float = 0.0, pauses: list[Span] | None = None,
                 ) -> tuple[Pacing, list[Counted], tuple[float, float]]:
    """Overall rates, the rolling timeline, variability and stretches (sections come later).

    Articulation rate leaves out the silent `pauses` when given, else the time between
    voice-activity regions."""
    target = tuple(cfg["target_wpm"])
    counted = counted_words(words, skip)
    count = sum(w.n for w in counted)
    span = speaking_span(words, speech, pad_s)
    length = max(span[1] - span[0], 1e-6)
    if pauses is not None:
        voiced = length - sum(max(0.0, min(p.end_s, span[1]) - max(p.start_s, span[0])) for p in pauses)
    else:
        voiced = sum(max(0.0, min(r.end_s - pad_s, span[1]) - max(r.start_s + pad_s, span[0])) for r in speech)
    voiced = min(max(voiced, 1e-6), length)
    wpm = count / length * 60
    window_s, step_s = float(cfg.get("window_s", 10.0)), float(cfg.get("step_s", 2.5))
    windows = timeline(counted, fillers, span, window_s, step_s, target)
    rates = [w.words_per_minute for w in windows]
    cv = pstdev(rates) / mean(rates) if len(rates) > 1 and mean(rates) > 0 else None
    pacing = Pacing(
        words_per_minute=round(wpm, 1),
        articulation_wpm=round(count / voiced * 60, 1),
        word_count=count,
        speaking_span_s=round(length, 3),
        pause_time_s=round(length - voiced, 3),
        target_wpm=target,
        verdict=verdict(wpm, target),
        window_s=window_s,
        step_s=step_s,
        timeline=windows,
        variability=round(cv, 3) if cv is not None else None,
        stretches=stretches(windows, counted, target, float(cfg.get("min_stretch_s", window_s))),
    )
    return pacing, counted, span
