"""Voice activity and pitch of the recording, worked out while the candidate is still talking.

A low-priority thread takes the growing recording block by block (`[lookahead]` in
rubrics/practice.toml): Silero's voice activity of each block, joined at the edges as
`audio.vad.speech_regions` joins the blocks of a long file, and the pitch frames of each block,
tracked with a margin either side, and its voiced islands (candidate filled pauses), which the
transcriber hears again between stretches (`streaming.StreamingTranscriber.hear_ahead`). A block
ends in the middle of its last silence. At the stop only the last block is left, so these no
longer take CPU from the last words' transcription (they took a second of it for a 2-minute answer).
"""

from __future__ import annotations

import itertools
import os
import threading

import numpy as np

from rehearse import rubric
from rehearse.audio import vad
from rehearse.delivery import acoustic
from rehearse.models import Span
from rehearse.voice import pitch

RATE = 16000


class Lookahead:
    """Block-by-block voice activity and pitch of `buffer` (a `streaming.AudioBuffer`)."""

    def __init__(self, buffer, settings: dict):
        self.buffer = buffer
        self.block = int(settings["block_s"] * RATE)
        self.margin_s = float(settings["margin_s"])
        self.poll_s = float(settings["poll_s"])
        self.vad = rubric.load("delivery")["vad"]
        self.pitch = rubric.load("voice")["pitch"]
        self.acoustic = rubric.load("fillers").get("acoustic")
        self.done = 0  # samples whose blocks are worked out
        self.speech: list[Span] = []
        self.frames: list[tuple[np.ndarray, np.ndarray]] = []
        self.islands: list[tuple[float, float]] = []  # voiced islands of the finished blocks (start_s, end_s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rehearse-lookahead", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: this thread only
        except (AttributeError, OSError):
            pass
        while not self._stop.wait(self.poll_s):
            end = self.done + self.block
            if len(self.buffer) >= end + self.margin_s * RATE:
                try:
                    self._add(self.buffer.view(0, end + int(self.margin_s * RATE)), end)
                except Exception:  # noqa: BLE001 - `finish` works out whatever is left, and says what failed
                    return

    def cancel(self) -> None:
        """Stop the thread; nothing more is worked out."""
        self._stop.set()

    def _add(self, samples: np.ndarray, end: int, last: bool = False) -> None:
        """Work out the block from `self.done` to `end` of `samples` (the recording so far), or, unless
        it is the `last`, to the middle of its last silence: Silero starts afresh on the next block
        where nobody speaks, so its regions are the ones it finds in one pass over the recording."""
        v = self.vad
        regions = vad.speech_regions(samples[self.done:end], v["threshold"], v["min_silence_ms"], v["speech_pad_ms"])
        cut = end - self.done
        if not last and regions:
            gaps = [(a.end_s, b.start_s) for a, b in itertools.pairwise(regions)]
            if (end - self.done) / RATE - regions[-1].end_s >= v["min_silence_ms"] / 1000:
                gaps.append((regions[-1].end_s, (end - self.done) / RATE))
            if gaps:
                cut = int((gaps[-1][0] + gaps[-1][1]) / 2 * RATE)
                regions = [r for r in regions if r.end_s * RATE <= cut]
        frames = pitch.raw_part(samples, self.done, self.done + cut, self.pitch, self.margin_s)
        if not last and self.acoustic:
            self.islands += self._islands(samples, cut, regions)
        self.speech = vad.join(self.speech, regions, self.done / RATE, v["min_silence_ms"])
        self.frames.append(frames)
        self.done += cut

    def _islands(self, samples: np.ndarray, cut: int, regions: list[Span]) -> list[tuple[float, float]]:
        """The block's voiced islands (`acoustic.islands`), on the recording's 10-ms frame grid, for
        the transcriber to hear again before the stop (`relisten.hear_islands`). The analysis finds
        the islands of the whole recording afresh; those found here with the same times are not
        heard again then."""
        a = self.done - self.done % acoustic.HOP
        part = samples[a : self.done + cut]
        shift = (self.done - a) / RATE
        frames = acoustic.frame_features(part, [Span(start_s=r.start_s + shift, end_s=r.end_s + shift) for r in regions],
                                         self.acoustic)
        return [(round(s.start_s + a / RATE, 3), round(s.end_s + a / RATE, 3))
                for s in acoustic.islands(frames, part, self.acoustic)]

    def finish(self, samples: np.ndarray) -> tuple[list[Span], tuple[np.ndarray, np.ndarray]]:
        """Stop the thread; the voice activity and the raw pitch (`pitch.raw`) of the whole of `samples`."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join()  # lets a block being worked out finish
        if len(samples) > self.done and len(samples) >= RATE:  # shorter: refused for too little speech anyway
            self._add(samples, len(samples), last=True)
        times = np.concatenate([t for t, _ in self.frames]) if self.frames else np.zeros(0)
        f0 = np.concatenate([f for _, f in self.frames]) if self.frames else np.zeros(0)
        return self.speech, (times, f0)
