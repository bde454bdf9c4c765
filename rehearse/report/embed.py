"""The recording as a data URI for the HTML report: decoded and re-encoded as compact Ogg Opus."""

from __future__ import annotations

import base64
import io
import wave
from pathlib import Path

import numpy as np

from rehearse.audio import decode as audio

BIT_RATE = 24000  # mono speech at 16 kHz: clear at 24 kb/s, about 180 kB a minute


def opus_bytes(samples: np.ndarray, rate: int = audio.SAMPLE_RATE, bit_rate: int = BIT_RATE) -> bytes:
    """Mono float32 samples as an Ogg Opus file, with PyAV (bundled with faster-whisper)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1),
                                           format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def wav_bytes(samples: np.ndarray, rate: int = audio.SAMPLE_RATE) -> bytes:
    """16-bit mono WAV: the fallback when this PyAV build has no Opus encoder (four times larger)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def samples_data_uri(samples) -> str:
    """16 kHz mono samples as a data URI (Opus in Ogg, or WAV where PyAV has no Opus encoder)."""
    import av

    try:
        return "data:audio/ogg;base64," + base64.b64encode(opus_bytes(samples)).decode("ascii")
    except (av.error.FFmpegError, av.codec.codec.UnknownCodecError):  # a PyAV build without libopus
        return "data:audio/wav;base64," + base64.b64encode(wav_bytes(samples)).decode("ascii")


def audio_data_uri(path: str | Path) -> str:
    """The recording at `path` as `data:audio/ogg;base64,...` (16 kHz mono Opus, the audio the analysis heard).

    Raises RehearseError for a missing or unreadable file, like `analyze` does."""
    return samples_data_uri(audio.decode(Path(path)))
