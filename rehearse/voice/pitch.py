"""Pitch over voiced speech, in semitones relative to the speaker's own median.

The pitch tracker is Praat's autocorrelation method (`To Pitch (ac)`, through parselmouth):
nearly as accurate as librosa's pyin on rendered speech with a known pitch (median error
0.12 vs 0.10 semitones), 28 times faster, and with no numba JIT (figures in
rubrics/voice.toml, from scripts/measure_pitch_trackers.py).
From the track this module finds monotone stretches and statements that end on a rise
(uptalk); the thresholds are in `rubrics/voice.toml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE
from rehearse.models import MonotoneStretch, Sentence, Span, Uptalk, Word


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


def raw(samples: np.ndarray, cfg: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Frame times and f0 (0 = unvoiced) of the whole recording, before voice activity is applied.
    The slow part of `track`: practice computes it while the last words are being transcribed."""
    import parselmouth

    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=SAMPLE_RATE)
    pitch = sound.to_pitch_ac(time_step=cfg["time_step_s"], pitch_floor=cfg["floor_hz"],
                              pitch_ceiling=cfg["ceiling_hz"])
    return np.asarray(pitch.xs()), np.asarray(pitch.selected_array["frequency"], dtype=np.float64)


def raw_part(samples: np.ndarray, start: int, end: int, cfg: dict[str, Any],
             margin_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """`raw` of the frames in samples[start:end], times in the whole recording; tracked with up
    to `margin_s` of the audio either side, so the tracker's path is settled at the edges."""
    m = int(margin_s * SAMPLE_RATE)
    a = max(0, start - m)
    times, f0 = raw(samples[a : min(len(samples), end + m)], cfg)
    times = times + a / SAMPLE_RATE
    keep = (times >= start / SAMPLE_RATE) & (times < end / SAMPLE_RATE)
    return times[keep], f0[keep]


def track(samples: np.ndarray, speech: list[Span], cfg: dict[str, Any],
          computed: tuple[np.ndarray, np.ndarray] | None = None) -> Track:
    """Pitch of every 10 ms frame of voiced speech inside the voice-activity regions (`computed`:
    `raw(samples, cfg)` done earlier)."""
    times, f0 = computed if computed is not None else raw(samples, cfg)
    f0 = f0.copy()
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


@dataclass
class Phrase:
    """A stretch of voiced speech between pauses: its voiced frames, and the sentence
    (Whisper's) of the word said as it ends."""

    frames: np.ndarray  # indices of its voiced frames in the track
    sentence: Sentence | None
    final: bool  # ends a sentence, followed by a pause (or the end of the answer)


def phrases(tr: Track, sentences: list[Sentence], words: list[Word], cfg: dict[str, Any]) -> list[Phrase]:
    """Voiced speech split at unvoiced gaps of at least gap_s (acoustically, so a sentence
    Whisper ran on is still split at its pauses). A phrase is final (a statement's end) when
    the gap after it is at least final_gap_s and its last word ends a Whisper sentence, or it
    is the last phrase: a rise before a thinking pause inside a sentence is not uptalk."""
    voiced = np.flatnonzero(tr.voiced)
    times = tr.times[voiced]
    if times.size == 0:
        return []
    gaps = np.diff(times)
    cuts = np.flatnonzero(gaps >= cfg["gap_s"]) + 1
    out = []
    starts = np.array([w.start_s for w in words])
    owner = {i: s for s in sentences for i in range(s.word_start, s.word_end)}
    for k, (a, b) in enumerate(zip(np.r_[0, cuts], np.r_[cuts, times.size], strict=True)):
        seg = times[a:b]
        after = gaps[b - 1] if b - 1 < gaps.size else np.inf
        # the word being said when the phrase ends: the last to start before it (Whisper's word
        # ends run late into the pause after them, its starts less so)
        near = int(np.searchsorted(starts, seg[-1])) - 1 if words else None
        near = None if near is not None and near < 0 else near
        sentence = owner.get(near) if near is not None else None
        ends_sentence = sentence is None or near == sentence.word_end - 1
        out.append(Phrase(frames=voiced[a:b], sentence=sentence,
                          final=(bool(after >= cfg["final_gap_s"]) and ends_sentence) or k == len(cuts)))
    return out


def words_before(words: list[Word], end_s: float, n: int = 4) -> str:
    """The last n words that end by end_s (+ a little), as the report quotes them."""
    said = [w.text.strip() for w in words if w.end_s <= end_s + 0.3]
    return ("… " if len(said) > n else "") + " ".join(said[-n:])


def uptalk(tr: Track, units: list[Phrase], words: list[Word], cfg: dict[str, Any]) -> list[Uptalk]:
    """Statement endings (final phrases not ending in "?") whose last voiced sound rises
    min_rise_st above the sound just before it."""
    out = []
    for ph in units:
        if not ph.final or (ph.sentence is not None and ph.sentence.text.rstrip().endswith("?")):
            continue
        times, values = tr.times[ph.frames], tr.semitones[ph.frames]
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
                              sentence=ph.sentence.index if ph.sentence else None, text=words_before(words, last),
                              rise_semitones=round(rise, 1), suggestion=cfg["suggestion"]))
    return out
