"""Pitch over voiced speech, in semitones relative to the speaker's own median.

The pitch tracker is Praat's autocorrelation method (`To Pitch (ac)`, through parselmouth):
as accurate as librosa's pyin on rendered speech with a known pitch and about 40 times
faster, with no numba JIT warm-up (scripts/measure_pitch_trackers.py has the figures).
From the track this module finds monotone stretches and statements that end on a rise
(uptalk); the thresholds are in `rubrics/voice.toml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rehearse.audio import SAMPLE_RATE
from rehearse.models import MonotoneStretch, Sentence, Span, Uptalk


@dataclass
class Track:
    """Frame times (s) and pitch in semitones re the median (NaN where unvoiced or outside speech)."""

    times: np.ndarray
    semitones: np.ndarray
    step_s: float
    median_hz: float | None

    @property
    def voiced(self) -> np.ndarray:
        return ~np.isnan(self.semitones)

    def between(self, start_s: float, end_s: float) -> np.ndarray:
        """Voiced semitone values of frames with start_s <= t < end_s."""
        sel = (self.times >= start_s) & (self.times < end_s) & self.voiced
        return self.semitones[sel]


def inside(times: np.ndarray, regions: list[Span]) -> np.ndarray:
    """Which of the (sorted) times fall inside any of the regions."""
    mask = np.zeros(len(times), dtype=bool)
    for r in regions:
        a, b = np.searchsorted(times, [r.start_s, r.end_s])
        mask[a:b] = True
    return mask


def track(samples: np.ndarray, speech: list[Span], cfg: dict[str, Any]) -> Track:
    """Pitch of every 10 ms frame of voiced speech inside the voice-activity regions."""
    import parselmouth

    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=SAMPLE_RATE)
    pitch = sound.to_pitch_ac(time_step=cfg["time_step_s"], pitch_floor=cfg["floor_hz"],
                              pitch_ceiling=cfg["ceiling_hz"])
    times = np.asarray(pitch.xs())
    f0 = np.asarray(pitch.selected_array["frequency"], dtype=np.float64)
    f0[~inside(times, speech)] = 0.0
    voiced = f0 > 0
    semitones = np.full(len(f0), np.nan)
    median = float(np.median(f0[voiced])) if voiced.any() else None
    if median:
        semitones[voiced] = 12 * np.log2(f0[voiced] / median)
    return Track(times=times, semitones=semitones, step_s=float(cfg["time_step_s"]), median_hz=median)


def spread(values: np.ndarray, cfg: dict[str, Any]) -> float | None:
    """Pitch range: the rubric's high minus low percentile, semitones."""
    if values.size < 2:
        return None
    lo, hi = np.percentile(values, [cfg["low_percentile"], cfg["high_percentile"]])
    return round(float(hi - lo), 2)


def monotone(tr: Track, pitch_cfg: dict[str, Any], cfg: dict[str, Any]) -> list[MonotoneStretch]:
    """Stretches in which every window of window_s has a pitch range of at most max_range_st."""
    times = tr.times[tr.voiced]
    if times.size == 0:
        return []
    window, step = float(cfg["window_s"]), float(cfg["step_s"])
    starts = np.arange(times[0], max(times[-1] - window, times[0]) + 1e-9, step)
    flat = []
    for a in starts:
        values = tr.between(a, a + window)
        rng = spread(values, pitch_cfg)
        flat.append(values.size * tr.step_s >= cfg["min_voiced_s"] and rng is not None and rng <= cfg["max_range_st"])
    out: list[MonotoneStretch] = []
    i = 0
    while i < len(starts):
        if not flat[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(starts) and flat[j + 1]:
            j += 1
        a, b = starts[i], starts[j] + window
        sel = times[(times >= a) & (times < b)]
        start, end = float(sel[0]), float(sel[-1])
        if end - start >= cfg["min_stretch_s"]:
            out.append(MonotoneStretch(start_s=round(start, 2), end_s=round(end, 2),
                                       range_semitones=spread(tr.between(start, end + 1e-6), pitch_cfg) or 0.0,
                                       suggestion=cfg["suggestion"]))
        i = j + 1
    return out


def sentence_end(sentences: list[Sentence], i: int, slack_s: float = 0.3) -> float:
    """Where a sentence's sound may end: Whisper's end plus a little slack, never past the next start."""
    end = sentences[i].end_s + slack_s
    if i + 1 < len(sentences):
        end = min(end, max(sentences[i + 1].start_s, sentences[i].end_s))
    return end


def last_words(text: str, n: int = 4) -> str:
    words = text.split()
    return ("… " if len(words) > n else "") + " ".join(words[-n:])


def uptalk(tr: Track, sentences: list[Sentence], cfg: dict[str, Any]) -> list[Uptalk]:
    """Statements whose last voiced sound rises min_rise_st above the sound just before it."""
    out = []
    for i, s in enumerate(sentences):
        if s.text.rstrip().endswith("?"):
            continue
        sel = (tr.times >= s.start_s) & (tr.times < sentence_end(sentences, i)) & tr.voiced
        times, values = tr.times[sel], tr.semitones[sel]
        if times.size == 0:
            continue
        last = times[-1]
        end = values[times >= last - cfg["end_s"]]
        ref = values[(times >= last - cfg["ref_from_s"]) & (times <= last - cfg["ref_to_s"])]
        if ref.size * tr.step_s < cfg["min_ref_voiced_s"]:
            continue
        rise = float(np.median(end) - np.median(ref))
        if abs(rise) > 9:  # an octave jump of the tracker, not intonation
            rise -= 12 * round(rise / 12)
        if rise >= cfg["min_rise_st"]:
            out.append(Uptalk(start_s=round(float(last - cfg["ref_from_s"]), 2), end_s=round(float(last), 2),
                              sentence=s.index, text=last_words(s.text), rise_semitones=round(rise, 1),
                              suggestion=cfg["suggestion"]))
    return out
