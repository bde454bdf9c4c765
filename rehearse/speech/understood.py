"""Did Whisper understand the recording? Noise, music, tones and reversed speech pass voice
activity now and then, and Whisper writes something for them (after its temperature fallback,
at random); such a recording is refused as not speech before the expensive second listens, so
its cost stays bounded whatever it holds. Thresholds: `rubrics/delivery.toml` [transcription]."""

from __future__ import annotations

import zlib
from collections import Counter

import numpy as np

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.audio.vad import NOT_SPEECH
from rehearse.errors import RehearseError
from rehearse.models import Span, Transcription, Word
from rehearse.speech import transcribe as whisper_words
from rehearse.speech.model import ModelSpec
from rehearse.speech.words import norm


def intelligible(words: list[Word], speech_s: float, config: dict, loops: bool = False) -> bool:
    """False for what Whisper cannot understand. Only words it heard count: not filled pauses, and
    not a word that repeats the three-word run ending at it (Whisper copying its own text, as in a
    decoding loop, grows surer with every copy). Refused: fewer than `min_intelligible_words_per_s`
    such words per second of voice activity that Whisper was at least
    `intelligible_min_probability` sure of; or their median probability under
    `intelligible_min_median_probability` (Whisper's guesses at reversed speech come out around
    0.1-0.5 and change from one run to the next, real speech 0.9); or one word over and over; or, with `loops` (a
    decoding without Whisper's own fallback, which catches loops), a text that compresses like a
    decoding loop."""
    tcfg = config["transcription"]
    rate_min = tcfg.get("min_intelligible_words_per_s", 0.0)
    if not rate_min or speech_s <= 0:
        return True
    content = _content(words)
    if len(content) >= 10 and Counter(norm(w.text) for w in content).most_common(1)[0][1] > 0.5 * len(content):
        return False
    if loops and looping(words, tcfg.get("max_compression_ratio", 0.0)):
        return False
    kept = first_hearings(content)
    sure = [w for w in kept if w.probability >= tcfg.get("intelligible_min_probability", 0.0)]
    middle = float(np.median([w.probability for w in kept])) if kept else 0.0
    return len(sure) >= rate_min * speech_s and middle >= tcfg.get("intelligible_min_median_probability", 0.0)


def heard(words: list[Word]) -> list[Word]:
    """The words `intelligible` judges by: no filled pauses, no copies (`first_hearings`)."""
    return first_hearings(_content(words))


def _content(words: list[Word]) -> list[Word]:
    filled = set(rubric.load("fillers")["filled_pauses"])
    return [w for w in words if norm(w.text) and norm(w.text) not in filled]


def first_hearings(words: list[Word], run: int = 3) -> list[Word]:
    """`words` without those that end a run of `run` words already written earlier in the text."""
    seen, kept = set(), []
    tokens = [norm(w.text) for w in words]
    for i, word in enumerate(words):
        key = tuple(tokens[max(0, i - run + 1): i + 1])
        if len(key) == run and key in seen:
            continue
        seen.add(key)
        kept.append(word)
    return kept


def looping(words: list[Word], max_ratio: float, chunk: int = 80) -> bool:
    """Whisper's own test for a decoding loop ("racket, racket, racket"): the text of most 80-word
    stretches compresses (zlib) by more than `max_ratio`; real speech stays under 1.8."""
    if not max_ratio or len(words) < 20:
        return False
    ratios = []
    for i in range(0, len(words), chunk):
        text = " ".join(w.text for w in words[i : i + chunk]).encode()
        if len(text) >= 100:
            ratios.append(len(text) / len(zlib.compress(text)))
    return bool(ratios) and sum(r > max_ratio for r in ratios) * 2 > len(ratios)


def check(text: Transcription, file: str, config: dict) -> None:
    """Refuse a transcription Whisper did not understand (`intelligible`) as not speech."""
    speech_s = sum(r.end_s - r.start_s for r in text.speech)
    if not intelligible(text.words, speech_s, config):
        raise RehearseError(file, NOT_SPEECH)


def probe(whisper, spec: ModelSpec, samples: np.ndarray, speech: list[Span], config: dict, settings: dict,
          file: str) -> None:
    """Whisper did not understand the recording with the filler hint: before decoding all of it
    again without the hint (the hint can derail Whisper on real speech), its first `probe_s` of
    speech is decoded once, greedily, without it, at most `probe_max_tokens` a window. Still not
    understood: refused as not speech, at the cost of one short decoding instead of a whole second one."""
    tcfg = config["transcription"]
    regions, heard = [], 0.0
    for r in speech:
        regions.append(r)
        heard += r.end_s - r.start_s
        if heard >= tcfg.get("probe_s", 30.0):
            break
    end = min(len(samples), int((regions[-1].end_s + 0.5) * SAMPLE_RATE))
    quick = {**settings, "block_s": None, "progress": None}
    heard_text = whisper_words.transcribe(whisper, spec, samples[:end], regions, prompt=None, **quick, hotwords=None,
                                          temperature=0.0, beam_size=1, max_new_tokens=tcfg.get("probe_max_tokens"))
    if not intelligible(heard_text.words, heard, config, loops=True):
        raise RehearseError(file, NOT_SPEECH)
