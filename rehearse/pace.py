"""Speaking rate and articulation rate."""

from __future__ import annotations

from rehearse.models import Pacing, Span, Word
from rehearse.words import spoken_words


def measure_pace(words: list[Word], filler_words: set[int], speech: list[Span], target: tuple[float, float]) -> Pacing:
    """Speaking rate over first-to-last word, articulation rate over voiced time only."""
    count = sum(spoken_words(w.text) for i, w in enumerate(words) if i not in filler_words)
    span_start, span_end = words[0].start_s, words[-1].end_s
    span = max(span_end - span_start, 1e-6)
    voiced = sum(max(0.0, min(r.end_s, span_end) - max(r.start_s, span_start)) for r in speech)
    voiced = min(max(voiced, 1e-6), span)
    wpm = count / span * 60
    low, high = target
    verdict = "slow" if wpm < low else "fast" if wpm > high else "in_band"
    return Pacing(
        words_per_minute=round(wpm, 1),
        articulation_wpm=round(count / voiced * 60, 1),
        word_count=count,
        speaking_span_s=round(span, 3),
        pause_time_s=round(span - voiced, 3),
        target_wpm=(low, high),
        verdict=verdict,
    )
