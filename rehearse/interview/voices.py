"""Voice cues of a mock interview: the pitch rise at the end of a unit (a question cue) and the
stereo channels when each speaker has one. Who speaks by voice is in `speakers`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE as SR


def _frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    if len(x) < size:
        x = np.pad(x, (0, size - len(x)))
    n = 1 + (len(x) - size) // hop
    return np.lib.stride_tricks.as_strided(x, (n, size), (x.strides[0] * hop, x.strides[0]), writeable=False)


def pitch_track(x: np.ndarray, lo_hz: float, hi_hz: float) -> np.ndarray:
    """Pitch (Hz) of each voiced 40 ms frame (10 ms hop); 0 where unvoiced."""
    frames = _frames(x, 640, 160).astype(np.float64)
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = (frames ** 2).sum(axis=1)
    spec = np.fft.rfft(frames, n=1280, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :640]
    lo, hi = int(SR / hi_hz), int(SR / lo_hz)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(len(ac)), lag] / np.maximum(ac[:, 0], 1e-12)
    loud = energy > max(np.percentile(energy, 30), 1e-6)
    return np.where((peak > 0.45) & loud, SR / lag, 0.0)


def pitch_rise(x: np.ndarray, cfg: dict) -> float:
    """How far the pitch rises over the last half second of a unit, in semitones above the
    unit's median pitch (0 when too little of it is voiced)."""
    f0 = pitch_track(x, *cfg["pitch_hz"])
    voiced = f0[f0 > 0]
    if len(voiced) < 5:
        return 0.0
    tail = f0[-50:][f0[-50:] > 0]
    return float(12 * np.log2(np.median(tail) / np.median(voiced))) if len(tail) >= 5 else 0.0


def channel_balance(path: Path) -> Callable[[float, float], float] | None:
    """For a two-channel file, a function giving (left - right) level in dB over a time span;
    None for mono. Levels are kept per 50 ms, decoded as a stream (memory stays small)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            if stream.codec_context.channels != 2:
                return None
            resampler = av.audio.resampler.AudioResampler(format="fltp", layout="stereo", rate=SR)
            hop = SR // 20
            levels, carry = [], np.zeros((2, 0), np.float32)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    x = np.concatenate([carry, out.to_ndarray()], axis=1)
                    n = x.shape[1] // hop * hop
                    if n:
                        levels.append((x[:, :n].reshape(2, -1, hop) ** 2).mean(axis=2))
                    carry = x[:, n:]
    except Exception:  # noqa: BLE001 - the mono decode has already accepted the file; treat as mono
        return None
    if not levels:
        return None
    energy = np.concatenate(levels, axis=1)

    def balance(start_s: float, end_s: float) -> float:
        a, b = int(start_s * 20), max(int(end_s * 20), int(start_s * 20) + 1)
        left, right = energy[:, a:b].sum(axis=1) + 1e-10
        return float(10 * np.log10(left / right))

    return balance
