"""One recording: capture → session WAV (written as it arrives) → live view, until a stop condition.

Stops on Enter (when stdin is a terminal), Ctrl-C, SIGTERM, `max_seconds`, sustained silence
after speech (`stop_after_silence`), a microphone that stops delivering audio, or a full
disk. Whatever stops it, the WAV on disk holds everything captured up to then.
"""

from __future__ import annotations

import math
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Self

import numpy as np

from rehearse.practice.session_wav import DiskFull, SessionWav
from rehearse.practice.streaming import AudioBuffer, StreamingTranscriber

RATE = 16000


@dataclass
class LiveState:
    """What the recording loop reports as it goes (a view, if any, shows it)."""

    elapsed_s: float = 0.0
    level_dbfs: float = -120.0
    silent: bool = False
    words: int = 0
    pace_wpm: float | None = None
    fillers: int = 0
    device: str = ""


def dbfs(block: np.ndarray) -> float:
    """RMS level of int16 samples in dB below full scale (-120 for digital silence)."""
    if block.size == 0:
        return -120.0
    rms = math.sqrt(float(np.mean(np.square(block.astype(np.float64)))) ) / 32768
    return max(-120.0, 20 * math.log10(rms)) if rms > 0 else -120.0


class Stopper:
    """Stop requests from signal handlers: the first Ctrl-C stops recording, a second one aborts."""

    def __init__(self):
        self.reason: str | None = None
        self._old: dict[int, object] = {}

    def _handle(self, signum, frame) -> None:
        if signum == signal.SIGINT and self.reason == "ctrl-c":
            raise KeyboardInterrupt
        self.reason = "ctrl-c" if signum == signal.SIGINT else "sigterm"

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


@dataclass
class Recording:
    seconds: float
    stop_reason: str
    stopped_at: float  # time.perf_counter() when recording stopped
    silent_warned: bool = False
    error: DiskFull | None = None
    warnings: list[str] = field(default_factory=list)


def _enter_pressed() -> bool:
    try:
        if not sys.stdin.isatty():
            return False
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready:
            sys.stdin.readline()
            return True
    except (OSError, ValueError):
        pass
    return False


def record(source, wav: SessionWav, buffer: AudioBuffer, settings: dict, *, max_seconds: float | None = None,
           stop_after_silence: float | None = None, view=None,
           streaming: StreamingTranscriber | None = None, filled_pauses: set[str] | None = None,
           warn=None, on_start=None, enter_stops: bool = True) -> Recording:
    """Record from `source` (MicSource, ArraySource, or the blocks a web page sends `rehearse serve`)
    into `wav` and `buffer` until told to stop. `enter_stops=False` leaves the terminal alone (a
    server recording for a page must not stop when someone presses Enter in the server's terminal).

    `view`, when given, is shown the `LiveState` as it changes (`start(state)`, `update(state)`,
    `stop()`; `rehearse.practice.live_view.LiveView` draws it on the terminal).

    `on_start()` is called when the first audio arrives (the moment recording really begins).
    """
    cap, lvl = settings["capture"], settings["level"]
    block_s = float(cap["block_s"])
    warn = warn or (lambda text: print(f"rehearse: warning: {text}", file=sys.stderr, flush=True))
    state = LiveState(device=getattr(source, "name", ""))
    frames, silent_run, quiet_run, voice_heard, warned = 0, 0.0, 0.0, False, False
    reason, error, last_view = None, None, 0.0
    result_warnings: list[str] = []
    with Stopper() as stopper:
        source.start()
        if view:
            view.start(state)
        try:
            while reason is None:
                block = source.read(timeout=block_s)
                if block is not None and block.size:
                    if frames == 0 and on_start:
                        on_start()
                    try:
                        wav.write(block)
                    except DiskFull as exc:
                        error, reason = exc, "disk full"
                        break
                    buffer.append(block)
                    frames += len(block)
                    seconds = len(block) / RATE
                    level = dbfs(block)
                    state.level_dbfs = level
                    silent_run = silent_run + seconds if level < lvl["silent_dbfs"] else 0.0
                    if level >= lvl["speech_dbfs"]:
                        voice_heard, quiet_run = True, 0.0
                    else:
                        quiet_run += seconds
                    state.silent = silent_run >= lvl["silent_warn_s"]
                    if state.silent and not warned:
                        warned = True
                        text = (f"no sound from the microphone ({state.device}) for {silent_run:.0f} s: is it muted, "
                                "or the wrong device? (choose one with --device; list them with `rehearse devices`)")
                        result_warnings.append(text)
                        if not view:
                            warn(text)
                elapsed = frames / RATE
                if stopper.reason:
                    reason = stopper.reason
                elif max_seconds is not None and elapsed >= max_seconds:
                    reason = "max-seconds"
                elif stop_after_silence is not None and voice_heard and quiet_run >= stop_after_silence:
                    reason = "silence"
                elif enter_stops and _enter_pressed():
                    reason = "enter"
                elif not source.alive(float(cap["stall_s"])):
                    reason = "microphone lost" if getattr(source, "name", "") != "array" else "input ended"
                now = time.monotonic()
                if view and now - last_view >= 0.1:
                    state.elapsed_s = elapsed
                    if streaming is not None:
                        state.words, state.pace_wpm, state.fillers = streaming.running_stats(filled_pauses or set())
                    view.update(state)
                    last_view = now
        finally:
            stopped_at = time.perf_counter()
            try:
                for block in source.stop():
                    if error is None:
                        try:
                            wav.write(block)
                        except DiskFull as exc:
                            error = exc
                            break
                        buffer.append(block)
                        frames += len(block)
            finally:
                if view:
                    view.stop()
                try:
                    wav.close()
                except DiskFull as exc:
                    error = error or exc
    dropped = getattr(source, "overflows", 0)
    if dropped:
        text = (f"the machine fell behind the microphone {dropped} time(s) and that audio was never delivered; "
                "the recording may have gaps (close busy programs and try again)")
        result_warnings.append(text)
        if not view:
            warn(text)
    if reason == "microphone lost":
        text = "the microphone stopped delivering audio (unplugged?); the recording up to then is kept"
        result_warnings.append(text)
        if not view:
            warn(text)
    return Recording(seconds=frames / RATE, stop_reason=reason or "error", stopped_at=stopped_at,
                     silent_warned=warned, error=error, warnings=result_warnings)
