"""Audio decoding: any common format and rate to 16 kHz mono float32."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rehearse.errors import RehearseError

SAMPLE_RATE = 16000


def check_readable(path: Path) -> Path:
    """A regular, readable, non-empty file, or a one-line error naming the real problem (a FIFO,
    device or socket is refused before anything opens it: a FIFO with no writer would block)."""
    from rehearse.files import check_input

    return check_input(path)


@dataclass
class Decoded:
    """16 kHz mono float32 samples and what could not be decoded."""

    samples: np.ndarray
    gaps: list[tuple[float, float]] = field(default_factory=list)  # damaged stretches, filled with silence
    stated_s: float | None = None  # the length the container states

    @property
    def undecodable_s(self) -> float:
        """Seconds of the recording that could not be decoded: the damaged stretches, or, when a
        decoder resynchronised without a gap in its timestamps, what is missing from the stated length."""
        gaps = sum(b - a for a, b in self.gaps)
        missing = (self.stated_s or 0.0) - len(self.samples) / SAMPLE_RATE
        if missing > max(MISSING_MIN_S, MISSING_MIN_SHARE * (self.stated_s or 0.0)) and self.damaged:
            gaps = max(gaps, missing)
        return round(gaps, 2)

    damaged: bool = False  # at least one packet could not be decoded


MISSING_MIN_S = 0.5        # a stated length longer than the audio by less than this is the encoder's padding
MISSING_MIN_SHARE = 0.02


def decode(path: str | Path) -> np.ndarray:
    """Decode a file to 16 kHz mono float32 samples with PyAV (no system ffmpeg needed)."""
    return decode_file(path).samples


def decode_file(path: str | Path) -> Decoded:
    """Decode a file packet by packet: a damaged packet is skipped (its time filled with silence,
    so later times stay true) and reported in `gaps`; a file cut off keeps what was written."""
    from rehearse.files import display

    path = check_readable(path)
    name = display(path)
    source: object = str(path)
    if _is_riff(path):
        from rehearse.audio import wav as session_wav

        try:
            channels, rate, _, _, _ = session_wav._layout(path)
        except RehearseError:
            channels = rate = None
        except OSError as exc:
            from rehearse.files import os_problem

            raise RehearseError(name, f"cannot be read ({os_problem(exc)})") from None
        if channels == 0:
            raise RehearseError(name, "not a readable audio file (its WAV header says 0 channels)")
        if rate == 0:
            raise RehearseError(name, "not a readable audio file (its WAV header says 0 samples a second)")
        if channels and session_wav.is_stale(path):  # a recording cut off by a crash: its header lags its data
            source = session_wav.mended(path)
    try:
        decoded = _decode_stream(source, path.stat().st_size)
    except _NoAudio as exc:
        raise RehearseError(name, f"has no audio track{f' (only {exc})' if str(exc) else ''}: not a recording") from None
    except MemoryError:
        raise RehearseError(name, "not a readable audio file (its header states an impossible length)") from None
    except EOFError:
        raise RehearseError(name, "not a readable audio file (it ends before any audio: cut off?)") from None
    except Exception as exc:  # PyAV raises many types for corrupt or non-audio input
        reason = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RehearseError(name, f"not a readable audio file ({reason})") from None
    if decoded.samples.size == 0:
        raise RehearseError(name, "contains no audio samples")
    return decoded


def _is_riff(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


class _NoAudio(Exception):
    """The container holds no audio stream; the message names what it holds."""


class _Buffer:
    """float32 samples appended chunk by chunk into one preallocated array, grown when needed
    (on an hour-long recording a third of the peak memory of collecting int16 chunks)."""

    def __init__(self, expect_s: float):
        self.out = np.empty(int(expect_s * SAMPLE_RATE) + SAMPLE_RATE, dtype=np.float32)
        self.n = 0

    def add(self, chunk: np.ndarray) -> None:
        if self.n + len(chunk) > len(self.out):
            grown = np.empty(max(2 * len(self.out), self.n + len(chunk)), dtype=np.float32)
            grown[: self.n] = self.out[: self.n]
            self.out = grown
        self.out[self.n : self.n + len(chunk)] = chunk
        self.n += len(chunk)

    def result(self) -> np.ndarray:
        return self.out[: self.n]


def _decode_stream(source, size_bytes: int) -> Decoded:
    import av

    with av.open(source, mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            fmt = container.format.name or ""
            if fmt == "image2" or fmt.endswith("_pipe"):
                raise _NoAudio("a picture")
            raise _NoAudio(" and ".join(sorted({s.type for s in container.streams})))
        stream = container.streams.audio[0]
        stated = None
        if container.duration:
            stated = container.duration / 1_000_000
        elif stream.duration and stream.time_base:
            stated = float(stream.duration * stream.time_base)
        # a header can claim anything: never expect more than the bytes could hold at 8 kb/s
        bound = size_bytes / 1000 + 60
        buf = _Buffer(min(stated, bound) if stated and stated > 0 else min(bound, LONG_S))
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        rate = stream.codec_context.sample_rate  # the stream's own: 0 when unknown
        gaps: list[tuple[float, float]] = []
        start_t: float | None = None
        damaged = False
        skipping = False  # packets are being skipped since the last good frame

        def emit(frames) -> None:
            for out in frames:
                buf.add(out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0)

        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except (av.error.FFmpegError, ValueError):  # a damaged packet: skip it, go on
                    damaged = skipping = True
                    continue
                for frame in frames:
                    t = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else None
                    if start_t is None:
                        start_t = t if t is not None else 0.0
                    if skipping and t is not None:  # silence for what could not be decoded: later times stay true
                        at = buf.n / SAMPLE_RATE
                        missing = min(t - start_t - at, bound)
                        if missing > 0.02:
                            gaps.append((round(at, 3), round(at + missing, 3)))
                            buf.add(np.zeros(int(round(missing * SAMPLE_RATE)), dtype=np.float32))
                    frame.pts = None
                    if rate and frame.sample_rate != rate:  # a damaged header: not this stream's audio
                        damaged = skipping = True
                        continue
                    try:
                        emit(resampler.resample(frame))
                    except ValueError:  # a damaged header decoded as another rate or layout: skip the frame
                        damaged = skipping = True
                        continue
                    skipping = False
        except EOFError:  # the file ends early (cut off): keep what was decoded
            if buf.n == 0:
                raise
            damaged = True
        except av.error.FFmpegError:
            if buf.n == 0:
                raise
            damaged = True
        emit(resampler.resample(None))
    return Decoded(buf.result(), gaps, stated, damaged)


LONG_S = 600.0  # a stated length past this is not trusted for the first buffer without the file's size
