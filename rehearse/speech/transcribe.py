"""Whisper's words with times (faster-whisper), without the words it wrote over silence."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE
from rehearse.audio.vad import SilenceCut, overlap
from rehearse.models import Span, Transcription, Word
from rehearse.speech.model import ModelSpec
from rehearse.speech.sentences import _SENTENCE_END, split_sentences


def transcribe(
    model,
    spec: ModelSpec,
    samples: np.ndarray,
    speech: list[Span],
    prompt: str | None,
    min_word_overlap: float,
    sentence_gap_s: float,
    trailing_max_probability: float = 0.3,
    keep_silence_s: float = 0.8,
    hotwords: str | None = None,
    block_s: float | None = None,
    progress: Callable[[float, float], None] | None = None,
    beam_size: int | None = None,
    temperature: float | None = None,
    max_new_tokens: int | None = None,
    until_s: float | None = None,
    until_speech_s: float = 0.0,
    min_onset_s: float = 0.0,
) -> Transcription:
    """Transcribe with word times; words said over silence (hallucinations) are dropped.

    Silences longer than `keep_silence_s` are shortened before Whisper sees the audio (less to
    decode, nothing to hallucinate on); word times are mapped back to the original recording.
    `prompt` is shown to Whisper before the first 30-second window only; `hotwords` before
    every window (faster-whisper puts them ahead of the previous text), so a filler-style
    hint does not fade out in long recordings. Recordings longer than `block_s` are decoded
    block by block (split at silences); `progress(done_s, total_s)` is called as each
    segment is decoded. `beam_size` overrides faster-whisper's (5): 1 decodes greedily, faster;
    `temperature` (one value) turns its temperature fallback off; `max_new_tokens` caps a window.
    `until_s`: only the words before it are wanted (the
    streaming transcriber's cut); decoding stops once a segment's last word reaches it, or once
    less than `until_speech_s` of voice activity lies between that word and it: faster-whisper
    would start its next window at that word (with word times it does, however little is left:
    a second encoder pass for most stretches), and that window could only add words after the cut.
    """
    raw = []
    reached = False
    for block_start, block_end, regions in blocks(speech, len(samples) / SAMPLE_RATE, block_s):
        a, b = round(block_start * SAMPLE_RATE), round(block_end * SAMPLE_RATE)
        cut = SilenceCut(samples[a:b], regions, keep_silence_s)
        segments, _info = model.transcribe(
            cut.samples,
            language="en" if spec.english_only else None,
            word_timestamps=True,
            initial_prompt=(prompt or None) if block_start == 0 else None,
            hotwords=hotwords or None,
            vad_filter=False,
            **({"beam_size": beam_size} if beam_size else {}),
            **({"temperature": temperature} if temperature is not None else {}),
            **({"max_new_tokens": max_new_tokens} if max_new_tokens else {}),
        )
        for seg in segments:  # lazily decoded, 30 s window by window
            raw += [(w, block_start, cut.original_time) for w in (seg.words or [])]
            if progress is not None:
                progress(block_start + cut.original_time(seg.end), len(samples) / SAMPLE_RATE)
            if until_s is not None and seg.words:
                said = block_start + cut.original_time(seg.words[-1].end)
                if said >= until_s or overlap(Span(start_s=said, end_s=until_s), speech) < until_speech_s:
                    reached = True
                    break
        del cut
        if reached:
            break
    return keep_voiced(_merge_fragments(raw), speech, min_word_overlap, sentence_gap_s, trailing_max_probability,
                       min_onset_s, spec.label, prompt, trailing=not reached)


def keep_voiced(all_words: list[Word], speech: list[Span], min_word_overlap: float, sentence_gap_s: float,
                trailing_max_probability: float = 0.3, min_onset_s: float = 0.0, label: str = "",
                prompt: str | None = None, trailing: bool = True) -> Transcription:
    """The transcription of Whisper's words: those said over silence (and a low-confidence last
    phrase, when `trailing`) set apart in `dropped_words`."""
    words, dropped = [], []
    for word in all_words:
        voiced = _voiced(word, speech, min_word_overlap, min_onset_s)
        (words if voiced else dropped).append(voiced or word)
    # a low-confidence last phrase is a fragment only at the end of the audio
    cut = _trailing_fragment(words, trailing_max_probability) if trailing else len(words)
    words, dropped = words[:cut], sorted(dropped + words[cut:], key=lambda w: w.start_s)
    sentences = split_sentences(words, sentence_gap_s)
    return Transcription(
        text=" ".join(w.text for w in words),
        words=words,
        sentences=sentences,
        model=label,
        prompt=prompt,
        speech=speech,
        dropped_words=dropped,
    )


def blocks(speech: list[Span], duration_s: float, block_s: float | None) -> list[tuple[float, float, list[Span]]]:
    """Split a long recording at silences into blocks of at most about `block_s` seconds, each
    with its voice-activity regions re-timed from the block's start (memory stays bounded:
    faster-whisper computes the features of all it is given at once)."""
    if not block_s or duration_s <= block_s or not speech:
        return [(0.0, duration_s, speech)]
    out, start, regions = [], 0.0, []
    for i, region in enumerate(speech):
        if regions and region.end_s - start > block_s:
            end = (speech[i - 1].end_s + region.start_s) / 2  # mid-silence
            out.append((start, end, regions))
            start, regions = end, []
        regions.append(Span(start_s=region.start_s - start, end_s=region.end_s - start))
    out.append((start, duration_s, regions))
    return out


def _merge_fragments(raw) -> list[Word]:
    """faster-whisper words; pieces without a leading space ("%" after "8") join the word before.
    `raw` holds (word, block start, map from the block's shortened time to the block's time)."""
    words: list[Word] = []
    for w, offset, to_block in raw:

        def to_original(t: float, offset=offset, to_block=to_block) -> float:
            return offset + to_block(t)

        text = w.word
        if words and text and not text.startswith(" "):
            prev = words[-1]
            words[-1] = prev.model_copy(
                update={"text": prev.text + text.strip(), "end_s": max(prev.end_s, to_original(w.end)),
                        "probability": min(prev.probability, w.probability)}
            )
            continue
        if text.strip():
            start, end = to_original(w.start), to_original(w.end)
            words.append(Word(text=text.strip(), start_s=round(start, 3), end_s=round(max(end, start), 3), probability=w.probability))
    return words


def _trailing_fragment(words: list[Word], max_probability: float) -> int:
    """Index where a low-confidence last phrase starts (Whisper's "And" or "Okay." on the last breath)."""
    cut = len(words) - 1
    while cut > 0 and not _SENTENCE_END.search(words[cut - 1].text):
        cut -= 1
    tail = words[cut:]
    if cut > 0 and tail and all(w.probability < max_probability for w in tail):
        return cut
    return len(words)


def _voiced(word: Word, speech: list[Span], min_fraction: float, min_onset_s: float) -> Word | None:
    """`word` if it was said over voice activity, else None. Whisper often stretches the first word
    after a pause back over the silence to the end of the word before ("How" timed 66.0-67.5 s
    when it is said at 67.3-67.5 s): a word that runs into a stretch of voice activity and is
    voiced there for at least `min_onset_s` is kept, its start moved to where the voice begins."""
    if word.end_s - word.start_s < 0.05:  # zero-length words: keep if next to voice activity
        probe = Span(start_s=word.start_s - 0.15, end_s=word.end_s + 0.15)
        return word if overlap(probe, speech) > 0 else None
    if overlap(word, speech) >= min_fraction * (word.end_s - word.start_s):
        return word
    onset = next((r for r in speech if word.start_s < r.start_s < word.end_s <= r.end_s), None)
    if min_onset_s and onset is not None and word.end_s - onset.start_s >= min_onset_s:
        return word.model_copy(update={"start_s": round(onset.start_s, 3)})
    return None


def transcription_settings(config: dict, prompt: str | None = None, hotwords: str | None = None) -> tuple[dict, dict]:
    """Whisper hint (prompt, hotwords) and word-filter settings from the delivery rubric."""
    vcfg, tcfg = config["vad"], config["transcription"]
    hint = {"prompt": tcfg["prompt"] if prompt is None else prompt,
            "hotwords": (tcfg.get("hotwords") if hotwords is None else hotwords) or None}
    settings = {"min_word_overlap": vcfg["min_word_overlap"], "min_onset_s": vcfg["min_onset_s"],
                "sentence_gap_s": tcfg["sentence_gap_s"],
                "trailing_max_probability": tcfg["trailing_max_probability"], "keep_silence_s": tcfg["keep_silence_s"]}
    return hint, settings
