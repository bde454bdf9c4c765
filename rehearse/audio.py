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
        from rehearse import session_wav

        if session_wav.is_stale(path):  # a recording cut off by a crash: its header lags its data
            samples, rate = session_wav.read(path)
            if rate == SAMPLE_RATE and samples.size:
                return np.ascontiguousarray(samples, dtype=np.float32)
    from faster_whisper.audio import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many types for corrupt or non-audio input
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RehearseError(str(path), f"not a readable audio file ({reason})") from None
    if samples.size == 0:
        raise RehearseError(str(path), "contains no audio samples")
    return np.ascontiguousarray(samples, dtype=np.float32)
