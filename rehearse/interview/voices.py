"""Who is speaking: the voice of each stretch (spectral shape and median pitch), two clusters of
voices, and the stereo channels when each speaker has one."""

from __future__ import annotations

import itertools
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


def voice_features(x: np.ndarray, cfg: dict) -> tuple[np.ndarray, float]:
    """Spectral shape (log band energies, loudness removed) and log median pitch of one unit;
    also the pitch rise over its last half second, in semitones."""
    frames = _frames(x, 512, 160) * np.hanning(512)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(512, 1 / SR)
    edges = np.geomspace(cfg["band_hz"][0], cfg["band_hz"][1], cfg["bands"] + 1)
    bands = np.stack([power[:, (freqs >= a) & (freqs < b)].sum(axis=1) for a, b in itertools.pairwise(edges)], 1)
    total = bands.sum(axis=1)
    loud = total > np.percentile(total, 40)
    logb = np.log((bands[loud] if loud.any() else bands) + 1e-10)
    shape = (logb - logb.mean(axis=1, keepdims=True)).mean(axis=0)
    f0 = pitch_track(x, *cfg["pitch_hz"])
    voiced = f0[f0 > 0]
    median = float(np.median(voiced)) if len(voiced) >= 5 else 0.0
    tail = f0[-50:][f0[-50:] > 0]
    rise = 12 * np.log2(np.median(tail) / median) if median and len(tail) >= 5 else 0.0
    pitch = np.log(median) if median else np.nan
    return np.concatenate([shape, [pitch]]), float(rise)


def two_clusters(features: np.ndarray, weights: np.ndarray, seed: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """2-means on standardised features; labels and the Fisher ratio along the centres' line.
    Started from the two units farthest apart and, when `seed` (a guess of the labels: the
    units worded as questions) is given, from that guess too; the better separated split wins
    (an interviewer says far less than the candidate, and k-means alone may split the
    candidate's many units instead)."""
    x = (features - features.mean(0)) / (features.std(0) + 1e-9)
    far = np.argmax(((x - x.mean(0)) ** 2).sum(1))
    other = np.argmax(((x - x[far]) ** 2).sum(1))
    starts = [x[[far, other]]]
    if seed is not None and 0 < seed.sum() < len(seed):
        starts.append(np.stack([x[~seed].mean(0), x[seed].mean(0)]))
    best = (np.zeros(len(x), dtype=int), 0.0)
    for centres in starts:
        labels, separation = _kmeans(x, weights, centres)
        if separation > best[1]:
            best = (labels, separation)
    return best


def _kmeans(x: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    labels = np.zeros(len(x), dtype=int)
    for _ in range(50):
        labels = np.argmin(((x[:, None, :] - centres[None]) ** 2).sum(2), axis=1)
        if labels.min() == labels.max():
            return labels, 0.0
        new = np.stack([np.average(x[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        if np.allclose(new, centres):
            break
        centres = new
    axis = centres[1] - centres[0]
    proj = x @ axis / (np.linalg.norm(axis) + 1e-12)
    a, b = proj[labels == 0], proj[labels == 1]
    if len(a) < 2 or len(b) < 2:
        return labels, 0.0
    return labels, float((a.mean() - b.mean()) ** 2 / (a.var() + b.var() + 1e-9))


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
