"""Filled pauses heard in the audio: long voiced stretches with a steady pitch and spectrum.

A filled pause ("uh", "um", "er", "hmm") is a held vowel or hum: voiced, with a level pitch
and a spectrum that hardly changes, for longer than the vowels inside words last. This
module finds such steady stretches with a few lines of numpy (frame energy, log band
energies for spectral change, normalised autocorrelation for voicing and pitch), so no
librosa import or numba warm-up is paid on each run. `rehearse.delivery.fillers` decides which
stretches are fillers, using the words Whisper placed around them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE
from rehearse.models import Span

HOP = 160  # 10 ms frames
WIN = 512  # 32 ms window for energy and spectrum
PITCH_WIN = 640  # 40 ms: two periods of a 50 Hz voice
FMIN, FMAX = 60.0, 400.0
BANDS = 24


@dataclass
class Frames:
    """Per-frame features; frame i is centred at i * HOP samples."""

    db: np.ndarray  # energy, dB below the recording's loud speech (95th percentile)
    change: np.ndarray  # spectral change around the frame, dB (RMS over bands, level removed)
    spectrum: np.ndarray  # log band energies (frames x BANDS), dB
    voicing: np.ndarray  # normalised autocorrelation peak, 0..1 (computed on candidate frames only)
    semitones: np.ndarray  # pitch in semitones re 100 Hz where voiced, NaN elsewhere


@dataclass
class Stretch:
    """A steady voiced stretch of the audio."""

    start_s: float
    end_s: float
    voicing: float  # mean voicing
    pitch_range_st: float  # 10th..90th percentile range of the pitch, semitones
    change_db: float  # median spectral change
    level_db: float  # median energy relative to the recording's loud speech
    f0_hz: float
    score: float = 0.0  # 0..1: how filler-like (long, voiced, steady); see `_score`
    quiet_before: bool = False  # a short silence just before it (see `_quiet`)
    quiet_after: bool = False
    kind: str = "steady"  # steady: a held, level sound; island: a short voiced sound with silence both
    # sides; sound: any run of loud frames (where the recording has sound at all)
    heard_as: str | None = None  # islands: what Whisper wrote for it heard on its own (`rehearse.speech.relisten`)

    @property
    def duration_s(self) -> float:
        return round(self.end_s - self.start_s, 3)


def _score(duration_s: float, voicing: float, change_db: float, cfg: dict) -> float:
    """Mean of three 0..1 parts: length (0 at 0.1 s, 1 from 0.4 s), voicing (0 at min_voicing,
    1 at 0.95) and steadiness (0 at max_change_db, 1 at 1.5 dB of spectral change)."""
    parts = [
        (duration_s - 0.1) / 0.3,
        (voicing - cfg["min_voicing"]) / max(0.95 - cfg["min_voicing"], 1e-3),
        (cfg["max_change_db"] - change_db) / max(cfg["max_change_db"] - 1.5, 1e-3),
    ]
    return float(np.mean(np.clip(parts, 0, 1)))


def _framed(x: np.ndarray, width: int, idx: np.ndarray) -> np.ndarray:
    """Windows of `width` samples centred on frames `idx`."""
    pad = np.pad(x, (width // 2, width // 2 + HOP))
    view = np.lib.stride_tricks.sliding_window_view(pad, width)[::HOP]
    return view[idx]


def _band_matrix(n_fft: int, bands: int, fmin: float = 100.0, fmax: float = 5000.0) -> np.ndarray:
    """Triangular filters spaced evenly on the mel scale (frequencies x bands)."""
    mel = 2595 * np.log10(1 + np.array([fmin, fmax]) / 700)
    edges = 700 * (10 ** (np.linspace(mel[0], mel[1], bands + 2) / 2595) - 1)
    freqs = np.fft.rfftfreq(n_fft, 1 / SAMPLE_RATE)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    tri = np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid))
    return np.clip(tri, 0, None).T.astype(np.float32)


def _frames_in(regions: list[Span], n: int, pad_s: float) -> np.ndarray:
    """Frames inside the regions widened by `pad_s` (voice activity is slow to start on a hum)."""
    mask = np.zeros(n, dtype=bool)
    for r in regions:
        a = int((r.start_s - pad_s) * SAMPLE_RATE) // HOP
        b = int((r.end_s + pad_s) * SAMPLE_RATE) // HOP + 1
        mask[max(a, 0) : min(b, n)] = True
    return mask


def _windowed(mask: np.ndarray, w: int) -> np.ndarray:
    """Fraction of True frames in the `w`-frame window centred on each frame."""
    return np.convolve(mask.astype(np.float32), np.ones(w, dtype=np.float32) / w, mode="same")


def frame_features(samples: np.ndarray, regions: list[Span], cfg: dict, block: int = 2048) -> Frames:
    """Energy and spectral change for every frame inside `regions`; voicing and pitch only
    where the spectrum is steady enough for a filled pause to be possible."""
    x = samples.astype(np.float32, copy=False)
    n = len(x) // HOP + 1
    inside = np.flatnonzero(_frames_in(regions, n, cfg.get("region_pad_s", 0.3)))
    db = np.full(n, -120.0, dtype=np.float32)
    spectrum = np.zeros((n, BANDS), dtype=np.float32)
    filt = _band_matrix(WIN, BANDS)
    hann = np.hanning(WIN).astype(np.float32)
    for s in range(0, len(inside), block):
        idx = inside[s : s + block]
        fe = _framed(x, WIN, idx) * hann
        db[idx] = 10 * np.log10(np.mean(fe * fe, axis=1) + 1e-10)
        spectrum[idx] = 10 * np.log10((np.abs(np.fft.rfft(fe, axis=1)) ** 2) @ filt + 1e-9)
    loud = db[inside]
    if loud.size:
        db -= np.percentile(loud, 95)
    k = 2
    change = np.full(n, 99.0, dtype=np.float32)
    diff = spectrum[2 * k :] - spectrum[: -2 * k]
    diff -= diff.mean(axis=1, keepdims=True)  # level changes are not spectral changes
    change[k:-k] = np.sqrt(np.mean(diff * diff, axis=1))
    w = _window(cfg)
    steady = _windowed((change <= cfg["max_change_db"]) & (db >= -cfg["max_level_below_db"]), w)
    candidates = np.flatnonzero(np.convolve(steady >= cfg["min_fraction"], np.ones(w), mode="same") > 0)
    voicing, semitones = _pitch(x, candidates, n, block)
    return Frames(db=db, change=change, spectrum=spectrum, voicing=voicing, semitones=semitones)


def _pitch(x: np.ndarray, idx: np.ndarray, n: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised autocorrelation peak (window-corrected) and its pitch, for frames `idx`."""
    voicing = np.zeros(n, dtype=np.float32)
    semitones = np.full(n, np.nan, dtype=np.float32)
    phann = np.hanning(PITCH_WIN).astype(np.float32)
    nfft = 2 * PITCH_WIN
    wac = np.fft.irfft(np.abs(np.fft.rfft(phann, nfft)) ** 2)[:PITCH_WIN]
    lag_lo, lag_hi = int(SAMPLE_RATE / FMAX), int(SAMPLE_RATE / FMIN)
    norm = (wac / wac[0])[lag_lo:lag_hi].astype(np.float32)
    for s in range(0, len(idx), block):
        ids = idx[s : s + block]
        fp = _framed(x, PITCH_WIN, ids)
        fp = (fp - fp.mean(axis=1, keepdims=True)) * phann
        ac = np.fft.irfft(np.abs(np.fft.rfft(fp, nfft, axis=1)) ** 2, axis=1)
        seg = ac[:, lag_lo:lag_hi] / (ac[:, :1] + 1e-9) / norm
        lag = np.argmax(seg, axis=1)
        peak = np.clip(seg[np.arange(len(seg)), lag], 0, 1)
        voicing[ids] = peak
        semitones[ids] = np.where(peak > 0.3, 12 * np.log2(SAMPLE_RATE / (lag + lag_lo) / 100.0), np.nan)
    return voicing, semitones


def _window(cfg: dict) -> int:
    return max(round(cfg["window_s"] * SAMPLE_RATE / HOP) | 1, 3)


def steady_stretches(frames: Frames, cfg: dict) -> list[Stretch]:
    """Stretches in which every `window_s` window has at least `min_fraction` of frames that are
    voiced, loud enough, spectrally steady and level in pitch (a fraction, so single-frame
    glitches and octave errors of the pitch tracker do not break a stretch)."""
    w = _window(cfg)
    semis = frames.semitones
    step = np.abs(np.diff(semis, prepend=np.nan))
    step = np.abs(step - 12 * np.round(step / 12))  # octave errors
    with np.errstate(invalid="ignore"):
        level_pitch = step <= cfg["max_pitch_step_st"]
    good = (
        (frames.voicing >= cfg["min_voicing"])
        & (frames.db >= -cfg["max_level_below_db"])
        & (frames.change <= cfg["max_change_db"])
        & level_pitch
    )
    passed = _windowed(good, w) >= cfg["min_fraction"]
    ok = (np.convolve(passed, np.ones(w), mode="same") > 0) & (frames.voicing >= cfg["min_voicing"] / 2)
    stretches = []
    for a, b in _runs(ok):
        if (b - a) * HOP / SAMPLE_RATE < cfg["min_stretch_s"]:
            continue
        seg = semis[a:b][~np.isnan(semis[a:b])]
        if seg.size:  # pitch range with octave errors folded back
            dev = seg - np.median(seg)
            dev -= 12 * np.round(dev / 12)
            lo, hi = np.percentile(dev, [10, 90])
        else:
            lo = hi = 0.0
        voicing = float(frames.voicing[a:b].mean())
        change = float(np.median(frames.change[a:b]))
        a, b = _grow(frames, a, b, cfg)
        duration = (b - a) * HOP / SAMPLE_RATE
        stretches.append(Stretch(
            start_s=round(a * HOP / SAMPLE_RATE, 3), end_s=round(b * HOP / SAMPLE_RATE, 3),
            voicing=round(voicing, 3),
            pitch_range_st=round(float(hi - lo), 2),
            change_db=round(change, 2),
            level_db=round(float(np.median(frames.db[a:b])), 1),
            f0_hz=round(float(100 * 2 ** (np.median(seg) / 12)), 1) if seg.size else 0.0,
            score=round(_score(duration, voicing, change, cfg), 3),
            quiet_before=_quiet(frames, a - 1, -1, cfg), quiet_after=_quiet(frames, b, 1, cfg),
        ))
    return stretches


def _quiet(frames: Frames, i: int, step: int, cfg: dict) -> bool:
    """Whether, within quiet_reach_s of frame i (going back for step -1, on for +1), at least
    quiet_min_s of frames are quiet_below_db or more under loud speech."""
    reach = round(cfg["quiet_reach_s"] * SAMPLE_RATE / HOP)
    lo, hi = (max(i - reach + 1, 0), i + 1) if step < 0 else (i, min(i + reach, len(frames.db)))
    quiet = frames.db[lo:hi] <= -cfg["quiet_below_db"]
    return int(quiet.sum()) >= round(cfg["quiet_min_s"] * SAMPLE_RATE / HOP)


def _grow(frames: Frames, a: int, b: int, cfg: dict) -> tuple[int, int]:
    """Widen a steady run to the onset and fade of its sound: up to grow_before_s before it and
    grow_after_s after it (a filled pause starts sharply and fades slowly), while the frames
    stay loud (within grow_level_db of loud speech) and without a sharp spectral change."""
    reach_before = round(cfg["grow_before_s"] * SAMPLE_RATE / HOP)
    reach_after = round(cfg["grow_after_s"] * SAMPLE_RATE / HOP)

    def fits(i: int) -> bool:
        return frames.db[i] >= -cfg["grow_level_db"] and frames.change[i] <= cfg["grow_max_change_db"]

    lo = a
    while lo > 0 and a - lo < reach_before and fits(lo - 1):
        lo -= 1
    hi = b
    while hi < len(frames.db) and hi - b < reach_after and fits(hi):
        hi += 1
    return lo, hi


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def islands(frames: Frames, samples: np.ndarray, cfg: dict) -> list[Stretch]:
    """Short voiced sounds standing alone: runs of frames within island_level_db of loud speech,
    island_min_s to island_max_s long, with at least island_quiet_s of quieter frames before and
    after, and a mean voicing of at least island_min_voicing. Some voices say "er" with a
    gliding vowel that is never steady; said on its own between words, it is still a sound no
    word accounts for (`rehearse.delivery.fillers` decides)."""
    if not cfg.get("island_max_s"):
        return []
    loud = frames.db > -cfg["island_level_db"]
    bridge = round(cfg.get("island_bridge_s", 0.0) * SAMPLE_RATE / HOP)
    if bridge:  # a dip of a frame or two in a sound's fading tail does not end it
        for a, b in _runs(~loud):
            if 0 < a and b < len(loud) and b - a <= bridge:
                loud[a:b] = True
    runs = _runs(loud)
    quiet = round(cfg["island_quiet_s"] * SAMPLE_RATE / HOP)
    ends = [0] + [b for _, b in runs]
    starts = [a for a, _ in runs] + [len(frames.db)]
    candidates = [(a, b) for k, (a, b) in enumerate(runs)
                  if cfg["island_min_s"] <= (b - a) * HOP / SAMPLE_RATE <= cfg["island_max_s"]
                  and a - ends[k] >= quiet and starts[k + 1] - b >= quiet]
    if not candidates:
        return []
    idx = np.concatenate([np.arange(a, b) for a, b in candidates])  # one voicing pass for all of them
    voicing, _ = _pitch(samples.astype(np.float32, copy=False), idx, len(frames.db), 2048)
    out = []
    for a, b in candidates:
        v = float(voicing[a:b].mean())
        if v < cfg["island_min_voicing"]:
            continue
        out.append(Stretch(start_s=round(a * HOP / SAMPLE_RATE, 3), end_s=round(b * HOP / SAMPLE_RATE, 3), voicing=round(v, 3),
                           pitch_range_st=0.0, change_db=round(float(np.median(frames.change[a:b])), 2),
                           level_db=round(float(np.median(frames.db[a:b])), 1), f0_hz=0.0,
                           quiet_before=True, quiet_after=True, kind="island"))
    return out


def sound_runs(frames: Frames, cfg: dict) -> list[Stretch]:
    """Every run of frames within island_level_db of loud speech: where a written word's sound can be."""
    return [Stretch(start_s=round(a * HOP / SAMPLE_RATE, 3), end_s=round(b * HOP / SAMPLE_RATE, 3), voicing=0.0,
                    pitch_range_st=0.0, change_db=0.0, level_db=0.0, f0_hz=0.0, kind="sound")
            for a, b in _runs(frames.db > -cfg.get("island_level_db", 30.0))]


def listen(samples: np.ndarray, speech: list[Span], cfg: dict) -> list[Stretch]:
    """The steady voiced stretches of a recording, its voiced islands (candidate filled pauses)
    and its runs of sound."""
    frames = frame_features(samples, speech, cfg)
    return steady_stretches(frames, cfg) + islands(frames, samples, cfg) + sound_runs(frames, cfg)
