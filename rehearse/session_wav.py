"""A WAV file written while the audio arrives, playable whatever happens to the process.

The writer keeps at most `flush_s` of audio in memory. Each flush appends the PCM with
`os.write` and then rewrites the RIFF and data sizes in the header, so after a crash, a
SIGKILL or a pulled microphone the file on disk is a valid WAV holding everything up to
the last flush. A reader for files whose header is behind their data (a kill between the
two writes) is here too: `read` trusts the file length, `repair` fixes the header.
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path
from typing import Self

import numpy as np

from rehearse.errors import RehearseError

HEADER_BYTES = 44


def _header(frames: int, rate: int, channels: int = 1, width: int = 2) -> bytes:
    data = frames * channels * width
    return b"".join([
        b"RIFF", struct.pack("<I", 36 + data), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * width, channels * width, width * 8),
        b"data", struct.pack("<I", data),
    ])


class DiskFull(RehearseError):
    """The disk filled up while recording: the audio up to then is kept."""


class SessionWav:
    """16-bit mono WAV appended to as audio arrives; flushed at least every `flush_s` seconds of audio."""

    def __init__(self, path: str | Path, rate: int = 16000, flush_s: float = 0.5, fsync: bool = True):
        self.path = Path(path)
        self.rate = rate
        self.flush_frames = max(1, int(flush_s * rate))
        self.fsync = fsync
        self.frames = 0  # frames on disk
        self._pending: list[bytes] = []
        self._pending_frames = 0
        self._failed: DiskFull | None = None
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise RehearseError(str(self.path), f"cannot create the recording file ({exc.strerror or exc})") from None
        self._write_all(_header(0, rate))

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def write(self, pcm: np.ndarray) -> None:
        """Queue int16 samples; flush when `flush_s` of audio is waiting."""
        if self._failed:
            raise self._failed
        block = np.ascontiguousarray(pcm, dtype="<i2").tobytes()
        self._pending.append(block)
        self._pending_frames += len(block) // 2
        if self._pending_frames >= self.flush_frames:
            self.flush()

    def flush(self) -> None:
        """Append the waiting audio, then make the header describe it."""
        if self._failed:
            raise self._failed
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending, self._pending_frames = [], 0
        try:
            written = self._write_all(data)
        except OSError as exc:
            written = getattr(exc, "written", 0)
            self.frames += written // 2
            self._update_header()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                self._failed = DiskFull(str(self.path), f"the disk is full: recording stopped at {self.seconds:.1f} s; "
                                                        "the audio up to then is saved")
            else:
                self._failed = DiskFull(str(self.path), f"cannot write the recording ({exc.strerror or exc}); "
                                                        f"the first {self.seconds:.1f} s are saved")
            raise self._failed from None
        self.frames += written // 2
        self._update_header()
        if self.fsync:
            os.fsync(self._fd)

    def _update_header(self) -> None:
        try:
            os.pwrite(self._fd, _header(self.frames, self.rate), 0)
        except OSError:
            pass  # the data is on disk; `read` and `repair` cope with a stale header

    def _write_all(self, data: bytes) -> int:
        view, done = memoryview(data), 0
        while done < len(data):
            try:
                done += os.write(self._fd, view[done:])
            except OSError as exc:
                exc.written = done
                raise
        return done

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            if not self._failed:
                self.flush()
        finally:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _layout(path: Path) -> tuple[int, int, int, int, int]:
    """(channels, rate, width, data offset, data bytes actually in the file) of a PCM WAV."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise RehearseError(str(path), "not a WAV file")
        fmt = None
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                raise RehearseError(str(path), "WAV file has no data chunk")
            cid, clen = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                body = fh.read(clen)
                tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
                if tag != 1 or bits != 16:
                    raise RehearseError(str(path), "only 16-bit PCM WAV can be read here")
                fmt = (channels, rate, bits // 8)
                if clen % 2:
                    fh.read(1)
            elif cid == b"data":
                if fmt is None:
                    raise RehearseError(str(path), "WAV data chunk before its format chunk")
                offset = fh.tell()
                available = size - offset
                available -= available % (fmt[0] * fmt[2])
                return (*fmt, offset, available)
            else:
                fh.seek(clen + clen % 2, 1)


def header_frames(path: str | Path) -> int:
    """Frames the header claims (may be fewer than the file holds after a crash)."""
    path = Path(path)
    with path.open("rb") as fh:
        fh.seek(40)
        return struct.unpack("<I", fh.read(4))[0] // 2


def is_stale(path: str | Path) -> bool:
    """True for a 16-bit WAV holding audio past the end its header gives (a crash between writes).

    Bytes after the data that form a proper chunk (LIST, id3 ...) are metadata, not lost audio.
    """
    path = Path(path)
    try:
        _, _, _, offset, available = _layout(path)
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.seek(offset - 4)
            claimed = struct.unpack("<I", fh.read(4))[0]
            if claimed >= available:
                return False
            fh.seek(offset + claimed + claimed % 2)
            after = fh.read(8)
    except (RehearseError, OSError, struct.error):
        return False
    if len(after) == 8 and all(32 <= b < 127 for b in after[:4]):
        chunk_end = offset + claimed + claimed % 2 + 8 + struct.unpack("<I", after[4:])[0]
        if chunk_end <= size + 1:
            return False
    return True


def read(path: str | Path) -> tuple[np.ndarray, int]:
    """Samples (float32, mono mix) and rate of a 16-bit WAV, trusting the file length over its header."""
    path = Path(path)
    channels, rate, _, offset, available = _layout(path)
    with path.open("rb") as fh:
        fh.seek(offset)
        pcm = np.frombuffer(fh.read(available), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def repair(path: str | Path) -> bool:
    """Rewrite the sizes of a WAV whose header lags its data; True if it needed it."""
    path = Path(path)
    if not is_stale(path):
        return False
    _, _, _, offset, available = _layout(path)
    with path.open("r+b") as fh:
        fh.seek(4)
        fh.write(struct.pack("<I", offset - 8 + available))
        fh.seek(offset - 4)
        fh.write(struct.pack("<I", available))
    return True
