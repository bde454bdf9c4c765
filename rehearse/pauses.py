"""Silent pauses, from voice activity rather than Whisper's word edges."""

from __future__ import annotations

from rehearse.models import Pause, Sentence, Span


def find_pauses(speech: list[Span], sentences: list[Sentence], min_pause_s: float) -> list[Pause]:
    """Silent gaps between voice-activity regions inside the answer, at least `min_pause_s` long."""
    if not sentences:
        return []
    first, last = sentences[0].start_s, sentences[-1].end_s
    pauses = []
    for left, right in zip(speech, speech[1:]):
        start, end = max(left.end_s, first), min(right.start_s, last)
        if end - start < min_pause_s:
            continue
        position = "between_sentences" if _at_sentence_boundary(start, end, sentences) else "within_sentence"
        pauses.append(Pause(start_s=round(start, 3), end_s=round(end, 3), duration_s=round(end - start, 3), position=position))
    return pauses


def _at_sentence_boundary(start: float, end: float, sentences: list[Sentence], slack: float = 0.25) -> bool:
    for left, right in zip(sentences, sentences[1:]):
        if start < right.start_s + slack and end > left.end_s - slack:
            return True
    return False
