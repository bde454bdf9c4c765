"""Voice activity from Silero VAD (shipped inside faster-whisper)."""

from __future__ import annotations

import numpy as np

from rehearse.audio import SAMPLE_RATE
from rehearse.models import Span


def speech_regions(samples: np.ndarray, threshold: float, min_silence_ms: int, speech_pad_ms: int) -> list[Span]:
    """Regions of the audio that hold speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=threshold,
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=speech_pad_ms,
        min_speech_duration_ms=60,
    )
    chunks = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [Span(start_s=c["start"] / SAMPLE_RATE, end_s=c["end"] / SAMPLE_RATE) for c in chunks]


def overlap(span: Span, regions: list[Span]) -> float:
    """Seconds of `span` covered by `regions` (regions sorted and disjoint)."""
    total = 0.0
    for region in regions:
        if region.end_s <= span.start_s:
            continue
        if region.start_s >= span.end_s:
            break
        total += min(span.end_s, region.end_s) - max(span.start_s, region.start_s)
    return total
