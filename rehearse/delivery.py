"""Delivery: pace, silent pauses and fillers, gathered into one model."""

from __future__ import annotations

from typing import Any

from rehearse.fillers import find_fillers
from rehearse.models import Delivery, Transcription
from rehearse.pace import measure_pace
from rehearse.pauses import find_pauses


def analyze_delivery(transcription: Transcription, config: dict[str, Any], lexicon: dict[str, Any], min_pause_s: float) -> Delivery:
    words, sentences = transcription.words, transcription.sentences
    fillers, filler_words = find_fillers(words, sentences, lexicon)
    pacing = measure_pace(words, filler_words, transcription.speech, tuple(config["pace"]["target_wpm"]))
    pauses = find_pauses(transcription.speech, sentences, min_pause_s)
    minutes = max(pacing.speaking_span_s / 60, 1e-6)
    return Delivery(
        pacing=pacing,
        pauses=pauses,
        fillers=fillers,
        fillers_per_minute=round(len(fillers) / minutes, 2),
        min_pause_s=min_pause_s,
    )
