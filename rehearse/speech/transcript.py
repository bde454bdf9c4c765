"""The whole transcription of a recording, in one call: Whisper with the filler hint (decoded
again without it when the hint derailed Whisper), phrases it could not place dropped, then the
holes and copies mended (`rehearse.speech.holes`). Also the slice of a transcription that one
answer of an interview covers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.models import Span, Transcription
from rehearse.speech import filters, understood
from rehearse.speech import transcribe as whisper_words
from rehearse.speech.holes import fill_holes
from rehearse.speech.model import ModelSpec
from rehearse.speech.sentences import split_sentences


def transcribe_with_hint(whisper, spec: ModelSpec, samples: np.ndarray, speech: list[Span], config: dict,
                         hint: dict, settings: dict, file: str | None = None) -> Transcription:
    """Transcribe with the filler hint; decode again without it if the hint derailed Whisper.
    With `file`, a recording not understood with the hint nor in a short probe without it is
    refused as not speech (`understood.probe`) before the whole of it is decoded again."""
    tcfg = config["transcription"]
    until = settings.get("until_s") or float("inf")  # only the words before it are wanted (streaming)
    speech_s = sum(max(0.0, min(r.end_s, until) - r.start_s) for r in speech)
    text = whisper_words.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], **settings,
                                     hotwords=hint["hotwords"])
    if (hint["prompt"] or hint["hotwords"]) and len(text.words) < tcfg.get("min_words_per_speech_s", 0) * speech_s:
        # a filler prompt can derail Whisper into writing "Uh." for whole sentences: decode again without it
        if file is not None and not understood.intelligible(text.words, speech_s, config):
            understood.probe(whisper, spec, samples, speech, config, settings, file)
        plain = whisper_words.transcribe(whisper, spec, samples, speech, prompt=None, **settings, hotwords=None)
        if len(plain.words) > len(text.words):
            text = plain
    return filters.drop_unplaced(text, tcfg.get("unplaced_min_words", 0), settings["sentence_gap_s"])


def transcribe_speech(samples: np.ndarray, speech: list[Span], spec: ModelSpec, whisper,
                      prompt: str | None = None, hotwords: str | None = None,
                      progress: Callable[[float, float], None] | None = None,
                      transcriber: Callable | None = None, file: str | None = None) -> Transcription:
    """Whisper's words for the whole recording, cleaned up: the rubric's prompt and its no-prompt
    retry, phrases it could not place dropped, words stretched over seconds of speech cut back,
    holes and copies mended.

    `transcriber(whisper, spec, samples, speech, hint, settings)`, when given, replaces Whisper's
    pass over the whole recording (practice passes one that reuses the stretches it transcribed
    while the candidate was still speaking); the clean-up is the same. With `file` (a recording,
    not practice), what Whisper did not understand is refused as not speech before the holes are
    mended (`rehearse.speech.understood`): the cost stays bounded whatever the recording holds."""
    config = rubric.load("delivery")
    tcfg = config["transcription"]
    hint, settings = whisper_words.transcription_settings(config, prompt, hotwords)
    if transcriber is not None:
        text = transcriber(whisper, spec, samples, speech, hint, settings)
    else:
        if tcfg.get("block_s") and len(samples) > tcfg.get("long_s", tcfg["block_s"]) * SAMPLE_RATE:
            settings["block_s"] = tcfg["block_s"]  # long recordings: decoded block by block
        if progress is not None:
            settings["progress"] = progress
        text = transcribe_with_hint(whisper, spec, samples, speech, config, hint, settings, file=file)
        if file is not None:
            understood.check(text, file, config)
    # a word stretched over seconds of speech gives that speech back to the holes below
    text = filters.unstretch(text, tcfg.get("stretched_word_s", 0.0), tcfg.get("stretched_keep_s", 0.0),
                             tcfg.get("stretched_min_probability", 0.0), settings["sentence_gap_s"])
    return fill_holes(text, samples, spec, whisper, config)


def slice_transcription(text: Transcription, start_s: float, end_s: float, gap_s: float) -> Transcription:
    """The words and voice activity of `text` between `start_s` and `end_s`, re-timed from `start_s`
    (the transcription of that stretch alone, without transcribing it again)."""

    def shift(span, **extra):
        return span.model_copy(update={"start_s": round(max(span.start_s, start_s) - start_s, 3),
                                       "end_s": round(min(span.end_s, end_s) - start_s, 3), **extra})

    words = [shift(w) for w in text.words if w.start_s >= start_s and w.end_s <= end_s + 0.05]
    speech = [shift(r) for r in text.speech if r.end_s > start_s and r.start_s < end_s]
    dropped = [shift(w) for w in text.dropped_words if w.start_s >= start_s and w.end_s <= end_s]
    return Transcription(text=" ".join(w.text for w in words), words=words,
                         sentences=split_sentences(words, gap_s), model=text.model, prompt=text.prompt,
                         speech=speech, dropped_words=dropped)
