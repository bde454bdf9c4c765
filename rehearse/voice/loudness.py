"""Loudness of the voice: speech level in dBFS, noise floor, clipping, sentences that trail off,
and the input-level advice a candidate can act on. numpy only; thresholds in `rubrics/voice.toml`."""

from __future__ import annotations

from typing import Any

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE
from rehearse.models import Clipping, LevelAdvice, TrailingOff, Word
from rehearse.voice.pitch import Phrase, Track, words_before

FLOOR_DB = -100.0


def frame_levels(samples: np.ndarray, times: np.ndarray, frame_s: float) -> np.ndarray:
    """RMS level (dBFS, a full-scale square wave is 0 dB) of a frame_s window centred on each time."""
    x = samples.astype(np.float64)
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    half = max(round(frame_s * SAMPLE_RATE / 2), 1)
    centre = np.round(times * SAMPLE_RATE).astype(np.int64)
    a = np.clip(centre - half, 0, len(x))
    b = np.clip(centre + half, 0, len(x))
    mean = (energy[b] - energy[a]) / np.maximum(b - a, 1)
    return np.maximum(10 * np.log10(mean + 1e-12), FLOOR_DB)


def clipping(samples: np.ndarray, cfg: dict[str, Any], merge_s: float = 0.1) -> list[Clipping]:
    """Runs of at least clip_run samples at or above clip_level of full scale; runs closer than
    merge_s are one span."""
    hot = np.abs(samples) >= cfg["clip_level"]
    if not hot.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], hot.astype(np.int8), [0]])))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= cfg["clip_run"]]
    spans: list[list[int]] = []
    for a, b in runs:
        if spans and a - spans[-1][1] <= merge_s * SAMPLE_RATE:
            spans[-1][1] = b
            spans[-1][2] += b - a
        else:
            spans.append([a, b, b - a])
    return [Clipping(start_s=round(a / SAMPLE_RATE, 3), end_s=round(b / SAMPLE_RATE, 3), samples=n) for a, b, n in spans]


def is_clipping(clips: list[Clipping], cfg: dict[str, Any]) -> bool:
    longest = cfg["max_clip_run_ms"] * SAMPLE_RATE / 1000
    return len(clips) > cfg["max_clip_events"] or any(c.samples >= longest for c in clips)


def advice(level: float | None, snr: float | None, clips: list[Clipping], cfg: dict[str, Any]) -> LevelAdvice:
    """The one input-level action that matters most: clipping, then too quiet, noise, too loud."""
    if is_clipping(clips, cfg):
        return LevelAdvice(verdict="clipping", text=f"the signal clipped {len(clips)} time(s)",
                           suggestion=cfg["clip_suggestion"])
    if level is None:
        return LevelAdvice(verdict="quiet", text="no voiced speech measured", suggestion=cfg["quiet_suggestion"])
    if level < cfg["quiet_dbfs"]:
        return LevelAdvice(verdict="quiet", text=f"speech level {level:.0f} dBFS (want at least {cfg['quiet_dbfs']:.0f})",
                           suggestion=cfg["quiet_suggestion"])
    if snr is not None and snr < cfg["min_snr_db"]:
        return LevelAdvice(verdict="noisy", text=f"voice only {snr:.0f} dB above the background (want {cfg['min_snr_db']:.0f})",
                           suggestion=cfg["noise_suggestion"])
    if level > cfg["loud_dbfs"]:
        return LevelAdvice(verdict="loud", text=f"speech level {level:.0f} dBFS (want at most {cfg['loud_dbfs']:.0f})",
                           suggestion=cfg["loud_suggestion"])
    return LevelAdvice(verdict="ok", text=f"speech level {level:.0f} dBFS", suggestion=cfg["ok_suggestion"])


def trailing_off(tr: Track, levels: np.ndarray, units: list[Phrase], words: list[Word],
                 cfg: dict[str, Any]) -> list[TrailingOff]:
    """Phrases whose last tail_s of voiced sound is min_drop_db quieter than the voiced sound before it."""
    out = []
    for ph in units:
        times, db = tr.times[ph.frames], levels[ph.frames]
        cut = times[-1] - cfg["tail_s"]
        body, tail = db[times < cut], db[times >= cut]
        if body.size * tr.step_s < cfg["min_body_voiced_s"] or tail.size * tr.step_s < cfg["min_tail_voiced_s"]:
            continue
        drop = float(np.median(body) - np.median(tail))
        if drop >= cfg["min_drop_db"]:
            out.append(TrailingOff(start_s=round(float(times[times >= cut][0]), 2), end_s=round(float(times[-1]), 2),
                                   sentence=ph.sentence.index if ph.sentence else None,
                                   text=words_before(words, float(times[-1])), drop_db=round(drop, 1),
                                   suggestion=cfg["suggestion"]))
    return out
