"""16-bit PCM WAV files read and mended, whatever state a crash left them in.

`header` is the 44-byte header of a mono 16-bit file; `read` trusts the file length over the
header (a recording cut off between writing its audio and rewriting its sizes), `is_stale` tells
such a file, `repair` rewrites its sizes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from rehearse.errors import RehearseError

HEADER_BYTES = 44


def header(frames: int, rate: int, channels: int = 1, width: int = 2) -> bytes:
    data = frames * channels * width
    return b"".join([
        b"RIFF", struct.pack("<I", 36 + data), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * width, channels * width, width * 8),
        b"data", struct.pack("<I", data),
    ])


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
                if len(body) < 16:
                    raise RehearseError(str(path), "WAV format chunk is too short")
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
                available -= available % max(1, fmt[0] * fmt[2])  # a header saying 0 channels is refused by the caller
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


def mended(path: str | Path):
    """The file as a seekable stream whose header gives the sizes the data really has (a WAV
    whose header lags its data, at any rate and channel count), for a decoder that trusts headers."""
    import io

    path = Path(path)
    _, _, _, offset, available = _layout(path)
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack("<I", min(0xFFFFFFFF, offset - 8 + available))
    data[offset - 4 : offset] = struct.pack("<I", min(0xFFFFFFFF, available))
    return io.BytesIO(bytes(data))
