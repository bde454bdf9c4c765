"""Cached Whisper transcriptions for the evaluation scripts.

`install()` serves `rehearse.speech.transcribe.transcribe` from a cache keyed by everything it
depends on (the samples, the voice-activity regions, the keyword settings and the model), so
re-tuning what comes after transcription does not re-transcribe. The key and folder are the
ones scripts/eval/eval_delivery.py uses, so both scripts share one cache
(build/eval-delivery/whisper). `load()` gives the pipeline's inputs for one file (samples,
voice activity, transcription) for quick tuning loops. Only for evaluation: `rehearse
analyze` never reads the cache.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse import rubric
from rehearse.audio import decode as audio
from rehearse.audio import vad
from rehearse.models import Span, Transcription
from rehearse.speech import transcribe
from rehearse.speech.model import load_model, resolve_model

FOLDER = ROOT / "build" / "eval-delivery" / "whisper"
_real = transcribe.transcribe
_model = None


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _key(samples: np.ndarray, speech: list[Span], kwargs: dict, label: str) -> str:
    regions = json.dumps([[round(r.start_s, 4), round(r.end_s, 4)] for r in speech]).encode()
    return _digest(np.ascontiguousarray(samples).tobytes(), regions,
                   json.dumps(kwargs, sort_keys=True, default=str).encode(), label.encode())


def cached_transcribe(model, spec, samples, speech, **kwargs) -> Transcription:
    """`transcribe.transcribe` with a cache; `cached_transcribe.last_seconds` is the time the
    transcription took when it was made (so speed figures stay honest on a cache hit)."""
    # the words Whisper wrote do not depend on how they are filtered afterwards: entries made before
    # `min_onset_s` existed serve, with the filter applied again to every word Whisper wrote
    path = FOLDER / f"{_key(samples, speech, {k: v for k, v in kwargs.items() if k != 'min_onset_s'}, spec.label)}.json"
    if path.is_file():
        data = json.loads(path.read_text())
        cached_transcribe.last_seconds = data["seconds"]
        text = Transcription.model_validate(data["text"])
        filters = ("min_word_overlap", "sentence_gap_s", "trailing_max_probability", "min_onset_s")
        return transcribe.keep_voiced(sorted(text.words + text.dropped_words, key=lambda w: w.start_s), speech,
                                      label=text.model, prompt=text.prompt,
                                      **{k: kwargs[k] for k in filters if k in kwargs})
    if model is None:
        model = _load_model(spec)
    start = time.perf_counter()
    text = _real(model, spec, samples, speech, **kwargs)
    cached_transcribe.last_seconds = time.perf_counter() - start
    FOLDER.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"text": text.model_dump(), "seconds": cached_transcribe.last_seconds}))
    return text


cached_transcribe.last_seconds = None


def install() -> None:
    """Serve the pipeline's transcription from the cache."""
    transcribe.transcribe = cached_transcribe


def _load_model(spec):
    global _model
    if _model is None:
        _model = load_model(spec)
    return _model


@dataclass
class Cached:
    samples: np.ndarray
    speech: list[Span]
    text: Transcription
    transcribe_s: float  # seconds the transcription took when it was made


RUBRIC = object()  # "as the rubric says"


def load(path: str | Path, prompt=RUBRIC, hotwords=RUBRIC) -> Cached:
    """Samples, voice activity and the (cached) transcription of `path`, made as `rehearse
    analyze` makes it; `prompt` and `hotwords` override the rubric's."""
    config = rubric.load("delivery")
    prompt = config["transcription"]["prompt"] if prompt is RUBRIC else prompt
    hotwords = (config["transcription"].get("hotwords") if hotwords is RUBRIC else hotwords) or None
    samples = audio.decode(Path(path))
    v, t = config["vad"], config["transcription"]
    speech = vad.speech_regions(samples, v["threshold"], v["min_silence_ms"], v["speech_pad_ms"], block_s=v.get("block_s"))
    spec = resolve_model(None)
    text = cached_transcribe(
        None, spec, samples, speech, prompt=prompt, min_word_overlap=v["min_word_overlap"],
        sentence_gap_s=t["sentence_gap_s"], trailing_max_probability=t["trailing_max_probability"],
        keep_silence_s=t["keep_silence_s"], hotwords=hotwords, min_onset_s=v["min_onset_s"],
    )
    return Cached(samples, speech, text, cached_transcribe.last_seconds)
