"""Voice cues of a mock interview: the pitch rise at the end of a unit (a question cue) and the
stereo channels when each speaker has one. Who speaks by voice is in `speakers`."""

from __future__ import annotations

import itertools
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


class ChannelLevels:
    """The two channels' levels of a stereo file, every 50 ms. Called with a time span, the
    (left - right) level in dB over it."""

    def __init__(self, energy: np.ndarray):
        self.energy = energy  # (2, frames)

    def _span(self, start_s: float, end_s: float) -> np.ndarray:
        a = int(start_s * 20)
        return self.energy[:, a: max(int(end_s * 20), a + 1)] + 1e-10

    def __call__(self, start_s: float, end_s: float) -> float:
        left, right = self._span(start_s, end_s).sum(axis=1)
        return float(10 * np.log10(left / right))

    def majority(self, start_s: float, end_s: float, min_db: float) -> float:
        """Over the frames of a span where one channel is at least `min_db` louder and which are
        not silence (within 30 dB of the span's loudest), the share that are left minus the share
        that are right: which speaker holds most of the span's time even when the other's words
        run into it (0 when no frame leans)."""
        e = self._span(start_s, end_s)
        db = 10 * np.log10(e[0] / e[1])
        loud = e.max(axis=0) >= e.max() * 1e-3
        left, right = int(((db >= min_db) & loud).sum()), int(((db <= -min_db) & loud).sum())
        return (left - right) / (left + right) if left + right else 0.0


def channel_balance(path: Path) -> ChannelLevels | None:
    """For a two-channel file, its channel levels (`ChannelLevels`); None for mono. Levels are
    kept per 50 ms, decoded as a stream (memory stays small)."""
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
    return ChannelLevels(np.concatenate(levels, axis=1)) if levels else None


def channel_changes(words: list, balance: ChannelLevels, min_db: float, min_s: float) -> list[int]:
    """Where the channel changes inside a unit of a stereo file with one speaker per channel
    (index of the first word after each change; [] for a unit on one channel). Whisper can write
    the end of one speaker's turn and the start of the other's as one sentence. Each word goes to
    the channel it is at least `min_db` louder on (a word on neither takes its neighbour's); runs
    of one channel shorter than `min_s` join the run beside them."""
    sides = [None if abs(b := balance(w.start_s, w.end_s)) < min_db else b > 0 for w in words]
    if all(s is None for s in sides):
        return []
    for order in (range(len(sides)), range(len(sides) - 1, -1, -1)):  # fill from the left, then the right
        last = None
        for i in order:
            sides[i] = last = sides[i] if sides[i] is not None else last
    while True:
        runs = [(k, len(list(g))) for k, g in itertools.groupby(sides)]
        starts = list(itertools.accumulate([0] + [n for _, n in runs]))
        lengths = [words[starts[r + 1] - 1].end_s - words[starts[r]].start_s for r in range(len(runs))]
        k = int(np.argmin(lengths))
        if len(runs) == 1 or lengths[k] >= min_s:
            return starts[1:-1]
        # the short run takes the side of its longer neighbour
        other = runs[k - 1][0] if k == len(runs) - 1 or (k and lengths[k - 1] >= lengths[k + 1]) else runs[k + 1][0]
        sides[starts[k]:starts[k + 1]] = [other] * runs[k][1]
