"""A WAV file written while the audio arrives, playable whatever happens to the process.

The writer keeps at most `flush_s` of audio in memory. Each flush appends the PCM with
`os.write` and then rewrites the RIFF and data sizes in the header, so after a crash, a
SIGKILL or a pulled microphone the file on disk is a valid WAV holding everything up to
the last flush. Files whose header is behind their data (a kill between the two writes) are
read and mended by `rehearse.audio.wav`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Self

import numpy as np

from rehearse.audio.wav import header
from rehearse.errors import RehearseError


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
        self._write_all(header(0, rate))

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
            self._updateheader()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                self._failed = DiskFull(str(self.path), f"the disk is full: recording stopped at {self.seconds:.1f} s; "
                                                        "the audio up to then is saved")
            else:
                self._failed = DiskFull(str(self.path), f"cannot write the recording ({exc.strerror or exc}); "
                                                        f"the first {self.seconds:.1f} s are saved")
            raise self._failed from None
        self.frames += written // 2
        self._updateheader()
        if self.fsync:
            os.fsync(self._fd)

    def _updateheader(self) -> None:
        try:
            os.pwrite(self._fd, header(self.frames, self.rate), 0)
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


