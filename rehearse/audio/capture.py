"""Microphone capture: sounddevice InputStream at 16 kHz mono, a callback feeding a queue.

sounddevice (and so PortAudio) is imported only here, only when capture is asked for, so
`rehearse analyze` works on machines without PortAudio. Every capture error the user can
fix (no PortAudio, no input device, unknown or busy device) is a one-line RehearseError.
"""

from __future__ import annotations

import queue
import time

import numpy as np

from rehearse.errors import RehearseError

RATE = 16000
BLOCK_S = 0.1
PORTAUDIO_FIX = "PortAudio library not found: install it with `apt-get install libportaudio2` (Debian/Ubuntu), " \
                "`dnf install portaudio` (Fedora) or `brew install portaudio` (macOS)"


def sounddevice():
    """The sounddevice module, or a one-line error saying what to install."""
    try:
        import sounddevice as sd
    except OSError:  # raised by sounddevice when libportaudio cannot be loaded
        raise RehearseError("microphone", PORTAUDIO_FIX) from None
    except ImportError:
        raise RehearseError("microphone", "the Python package sounddevice is missing: pip install sounddevice") from None
    return sd


def input_devices() -> list[dict]:
    """Every device that can record: index, name, host API, channels, default rate, default flag."""
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
        apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise RehearseError("microphone", f"cannot list audio devices ({exc})") from None
    if default_in is None or default_in < 0:
        try:
            default_in = sd.query_devices(kind="input")["index"]
        except (sd.PortAudioError, ValueError, KeyError, TypeError):
            default_in = -1
    return [
        {"index": d["index"], "name": d["name"], "hostapi": apis[d["hostapi"]]["name"],
         "channels": d["max_input_channels"], "default_samplerate": d["default_samplerate"],
         "default": d["index"] == default_in}
        for d in devices if d["max_input_channels"] > 0
    ]


def resolve_device(spec: str | int | None) -> dict:
    """The input device `--device` names (index, exact name, or a unique part of a name); default if None."""
    inputs = input_devices()
    if not inputs:
        raise RehearseError("microphone", "no input device found: plug in a microphone or check that your sound "
                                          "server is running (see `rehearse doctor`)")
    if spec is None or str(spec).strip() == "":
        for d in inputs:
            if d["default"]:
                return d
        return inputs[0]
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        for d in inputs:
            if d["index"] == index:
                return d
        known = ", ".join(f"{d['index']} ({d['name']})" for d in inputs)
        raise RehearseError(f"--device {text}", f"no input device with this index (inputs: {known}; see `rehearse devices`)")
    exact = [d for d in inputs if d["name"].lower() == text.lower()]
    if exact:
        return exact[0]
    partial = [d for d in inputs if text.lower() in d["name"].lower()]
    if len(partial) == 1:
        return partial[0]
    known = ", ".join(repr(d["name"]) for d in inputs)
    if partial:
        raise RehearseError(f"--device {text}", f"matches several input devices ({', '.join(repr(d['name']) for d in partial)}); "
                                                "give the index from `rehearse devices`")
    raise RehearseError(f"--device {text}", f"no input device with this name (inputs: {known}; see `rehearse devices`)")


class MicSource:
    """Blocks of int16 mono samples from a microphone, through a queue filled by PortAudio's callback."""

    def __init__(self, device: str | int | None = None, rate: int = RATE, block_s: float = BLOCK_S):
        self.device = resolve_device(device)
        self.rate = rate
        self.blocksize = int(rate * block_s)
        self.queue: queue.Queue[np.ndarray] = queue.Queue()
        self.overflows = 0
        self._stream = None
        self._last_block = 0.0

    @property
    def name(self) -> str:
        return f"{self.device['index']} {self.device['name']}"

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self.queue.put_nowait(indata[:, 0].copy())

    def start(self) -> None:
        sd = sounddevice()
        try:
            self._stream = sd.InputStream(samplerate=self.rate, channels=1, dtype="int16", device=self.device["index"],
                                          blocksize=self.blocksize, callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as exc:
            self._stream = None
            raise RehearseError(f"microphone {self.device['name']!r}", _explain(exc)) from None
        self._last_block = time.monotonic()

    def read(self, timeout: float) -> np.ndarray | None:
        try:
            block = self.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        self._last_block = time.monotonic()
        return block

    def alive(self, stall_s: float) -> bool:
        """False once the stream stopped by itself or delivered nothing for `stall_s` (device pulled)."""
        if self._stream is None:
            return False
        if not self._stream.active:
            return False
        return time.monotonic() - self._last_block < stall_s

    def stop(self) -> list[np.ndarray]:
        """Stop recording; the blocks still queued."""
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: BLE001,S110 - a vanished device can fail to close; the audio is in the queue
                pass
            self._stream = None
        left = []
        while True:
            try:
                left.append(self.queue.get_nowait())
            except queue.Empty:
                return left


def _explain(exc: Exception) -> str:
    text = str(exc)
    low = text.lower()
    if "busy" in low or "unavailable" in low or "-9985" in low:
        return f"the device is busy or unavailable ({text}): close the other program using it, or pick another with --device"
    if "sample rate" in low or "-9997" in low:
        return f"the device cannot record at 16 kHz ({text}): pick another with --device (try `pulse` or `default`)"
    if "channel" in low:
        return f"the device cannot record mono ({text}): pick another with --device"
    return f"cannot open the device for recording ({text}); see `rehearse devices` and `rehearse doctor`"


class ArraySource:
    """The capture interface over samples in memory (tests, benchmarks): same blocks as a microphone."""

    def __init__(self, samples: np.ndarray, rate: int = RATE, block_s: float = BLOCK_S, realtime: bool = False):
        pcm = samples if samples.dtype == np.int16 else (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        self.blocks = [pcm[i:i + int(rate * block_s)] for i in range(0, len(pcm), int(rate * block_s))]
        self.block_s = block_s
        self.realtime = realtime
        self.name = "array"
        self.overflows = 0
        self._next = 0
        self._t0 = 0.0

    def start(self) -> None:
        self._t0 = time.monotonic()

    def read(self, timeout: float) -> np.ndarray | None:
        if self._next >= len(self.blocks):
            time.sleep(min(timeout, 0.01))
            return None
        if self.realtime:
            due = self._t0 + (self._next + 1) * self.block_s
            wait = due - time.monotonic()
            if wait > timeout:
                time.sleep(timeout)
                return None
            if wait > 0:
                time.sleep(wait)
        self._next += 1
        return self.blocks[self._next - 1]

    def alive(self, stall_s: float) -> bool:
        return self._next < len(self.blocks)

    def stop(self) -> list[np.ndarray]:
        return []
