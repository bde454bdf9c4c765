"""Audio decoding: any common format and rate to 16 kHz mono float32."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rehearse.errors import RehearseError

SAMPLE_RATE = 16000


def check_readable(path: Path) -> None:
    """Fail with a one-line error for paths that cannot hold a recording."""
    if not path.exists():
        raise RehearseError(str(path), "no such file")
    if path.is_dir():
        raise RehearseError(str(path), "is a directory, not an audio file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise RehearseError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise RehearseError(str(path), "file is empty (0 bytes)")


def decode(path: str | Path) -> np.ndarray:
    """Decode a file to 16 kHz mono float32 samples with PyAV (no system ffmpeg needed)."""
    path = Path(path)
    check_readable(path)
    if path.suffix.lower() == ".wav":
        from rehearse.audio import wav

        if wav.is_stale(path):  # a recording cut off by a crash: its header lags its data
            samples, rate = wav.read(path)
            if rate == SAMPLE_RATE and samples.size:
                return np.ascontiguousarray(samples, dtype=np.float32)
    from faster_whisper.audio import decode_audio

    try:
        length = _length_s(path)
        if length is not None and length > LONG_S:
            samples = _decode_long(path, length)
        else:
            samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many types for corrupt or non-audio input
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RehearseError(str(path), f"not a readable audio file ({reason})") from None
    if samples.size == 0:
        raise RehearseError(str(path), "contains no audio samples")
    return np.ascontiguousarray(samples, dtype=np.float32)


LONG_S = 600.0  # longer recordings are decoded straight into one float32 buffer


def _length_s(path: Path) -> float | None:
    """The container's stated length in seconds, if it states one."""
    import av

    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if container.duration:
            return container.duration / 1_000_000
        stream = container.streams.audio[0] if container.streams.audio else None
        if stream is not None and stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
    return None


def _decode_long(path: Path, length_s: float) -> np.ndarray:
    """The samples faster-whisper's decode_audio gives (same frames, same resampler), written
    frame by frame into one preallocated float32 buffer: about a third of decode_audio's peak
    memory on an hour-long recording (it keeps the int16 bytes and their float copy at once)."""
    import gc

    import av
    from faster_whisper.audio import (
        _group_frames,
        _ignore_invalid_frames,
        _resample_frames,
    )

    out = np.empty(int(length_s * SAMPLE_RATE * 1.01) + SAMPLE_RATE, dtype=np.float32)
    n = 0
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        frames = _resample_frames(_group_frames(_ignore_invalid_frames(container.decode(audio=0)), 500000), resampler)
        for frame in frames:
            chunk = frame.to_ndarray().reshape(-1)
            if n + len(chunk) > len(out):  # the stated length was short: grow
                grown = np.empty(max(2 * len(out), n + len(chunk)), dtype=np.float32)
                grown[:n] = out[:n]
                out = grown
            out[n : n + len(chunk)] = chunk.astype(np.float32) / 32768.0
            n += len(chunk)
    del resampler
    gc.collect()
    return out[:n]
