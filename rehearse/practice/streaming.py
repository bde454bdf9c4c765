"""Transcription while the candidate is still talking.

A worker thread watches the growing recording. Whenever at least `min_chunk_s` of new audio
ends in a silence, it transcribes that stretch (cut in the middle of the silence) and keeps
the words, with times in the whole recording. When recording stops only the last stretch is
left to transcribe, so the report is ready seconds after the candidate stops, however long
they spoke. `transcriber()` plugs the result into `pipeline.analyze_samples`.
"""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np

from rehearse.audio import vad
from rehearse.models import Span, Transcription, Word
from rehearse.speech import model as whisper_model
from rehearse.speech import relisten
from rehearse.speech.model import ModelSpec
from rehearse.speech.sentences import split_sentences
from rehearse.speech.transcribe import transcription_settings
from rehearse.speech.transcript import transcribe_with_hint

RATE = 16000


class AudioBuffer:
    """Float32 samples appended by the recorder, read by the transcriber thread."""

    def __init__(self, rate: int = RATE, capacity_s: float = 300):
        self._data = np.zeros(int(rate * capacity_s), dtype=np.float32)
        self._n = 0
        self._lock = threading.Lock()

    def append(self, pcm: np.ndarray) -> None:
        block = pcm.astype(np.float32) / 32768 if pcm.dtype == np.int16 else pcm.astype(np.float32)
        with self._lock:
            need = self._n + len(block)
            if need > len(self._data):
                grown = np.zeros(max(need, 2 * len(self._data)), dtype=np.float32)
                grown[: self._n] = self._data[: self._n]
                self._data = grown
            self._data[self._n:need] = block
            self._n = need

    def __len__(self) -> int:
        return self._n

    def view(self, start: int = 0, end: int | None = None) -> np.ndarray:
        with self._lock:
            end = self._n if end is None else min(end, self._n)
            return self._data[start:end].copy()


class StreamingTranscriber:
    """Transcribes finished stretches of `buffer` in a background thread."""

    def __init__(self, buffer: AudioBuffer, config: dict, spec: ModelSpec, settings: dict,
                 prompt: str | None = None, hotwords: str | None = None):
        self.buffer = buffer
        self.config = config
        self.spec = spec
        self.hint, self.settings = transcription_settings(config, prompt, hotwords)
        s = settings
        self.min_chunk = int(s["min_chunk_s"] * RATE)
        self.max_chunk = int(s["max_chunk_s"] * RATE)
        self.cut_gap_s = float(s["cut_gap_s"])
        self.stopped_gap_s = float(s.get("stopped_gap_s", 1.0))
        self.poll_s = float(s["poll_s"])
        self.context_words = int(s.get("context_words", 40))
        self.final_beam_size = s.get("final_beam_size")  # the stretch the candidate waits for
        self.until_speech_s = float(s.get("until_speech_s", 0.0))
        self.committed = 0  # samples transcribed (or skipped as silence) so far
        self.words: list[Word] = []
        self.chunks: list[tuple[float, float, float]] = []  # (start_s, end_s, seconds spent)
        self.error: BaseException | None = None
        self.islands_from = None  # something with `.islands`, (start_s, end_s) of voiced islands: `hear_ahead`
        self.relisten_cfg: dict | None = None
        self.heard_alone: dict[tuple[float, float], str] = {}  # `relisten.hear_islands` of those islands
        self._islands_heard = 0
        self._stop = threading.Event()
        self._cancelled = False
        self._lock = threading.Lock()  # held while a chunk is transcribed
        self._thread = threading.Thread(target=self._run, name="rehearse-transcriber", daemon=True)
        self.whisper = None

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        # Every Whisper call happens on this thread: CTranslate2's CPU thread pool belongs to the
        # thread that created the model, and calling it from another thread was 3-6 times slower.
        try:
            self.whisper = whisper_model.get_model(self.spec)
            while True:
                stopping = self._stop.wait(self.poll_s)
                if self._cancelled:
                    return
                with self._lock:
                    if not self._step(final=stopping) and not stopping:
                        self._hear_ahead()
                if stopping:
                    return
        except BaseException as exc:  # noqa: BLE001 - reported at stop; the recording itself goes on
            self.error = exc

    def _speech(self, samples: np.ndarray) -> list[Span]:
        v = self.config["vad"]
        return vad.speech_regions(samples, v["threshold"], v["min_silence_ms"], v["speech_pad_ms"])

    def _cut(self, pending: np.ndarray, speech: list[Span]) -> int | None:
        """Where to end the next chunk: the middle of the latest silence long enough, at least `min_chunk` in."""
        n = len(pending)
        end_s = n / RATE
        if not speech:
            return n - RATE if n >= self.max_chunk else None  # nothing but silence: skip it, keep the last second
        gaps = [(a.end_s, b.start_s) for a, b in itertools.pairwise(speech)]
        if end_s - speech[-1].end_s >= max(self.cut_gap_s, self.stopped_gap_s):  # the speaker has stopped for now
            gaps.append((speech[-1].end_s, end_s))
        # a long chunk may be cut at a shorter breath rather than grow past Whisper's 30-s window
        for min_gap in (self.cut_gap_s,) if n < self.max_chunk else (self.cut_gap_s, 0.25):
            for a, b in reversed(gaps):
                cut = int((a + b) / 2 * RATE)
                if b - a >= min_gap and cut >= self.min_chunk:
                    return cut
        return None

    def hear_ahead(self, islands_from, relisten_cfg: dict | None) -> None:
        """Between stretches, hear the voiced islands `islands_from.islands` lists again on their own
        (`relisten.hear_islands`, the analysis's second listen), so fewer are left after the stop."""
        self.islands_from, self.relisten_cfg = islands_from, relisten_cfg

    def _hear_ahead(self) -> None:
        if self.islands_from is None or not self.relisten_cfg:
            return
        batch = int(self.relisten_cfg.get("batch", 16))
        todo = self.islands_from.islands[self._islands_heard : self._islands_heard + batch]
        if not todo:
            return
        try:
            lo = max(0, int((todo[0][0] - 1) * RATE))  # the part of the recording they lie in
            samples = self.buffer.view(lo, int((todo[-1][1] + 1) * RATE))
            self.heard_alone |= relisten.hear_islands(self.whisper, samples, todo, self.relisten_cfg,
                                                      self.spec.english_only, origin=lo)
            self._islands_heard += len(todo)
        except Exception:  # noqa: BLE001 - only a head start: the analysis hears them after the stop
            self.islands_from = None

    def _step(self, final: bool) -> bool:
        """Transcribe the next stretch if one is finished (all that is left if `final`); True if it did."""
        start, total = self.committed, len(self.buffer)
        pending = self.buffer.view(start, total)
        if len(pending) < (RATE // 4 if final else self.min_chunk):
            if final:
                self.committed = total
            return False
        speech = self._speech(pending)
        cut = len(pending) if final else self._cut(pending, speech)
        if cut is None:
            return False
        clock = time.perf_counter()
        if speech:
            # Whisper hears the speech after the cut too, so the stretch does not end in a silence for
            # it to fill with a hallucinated "Thank you for watching", and it reads what was said
            # before, as it would in one long recording
            hint = dict(self.hint)
            if self.words and hint["prompt"]:
                hint["prompt"] = hint["prompt"] + " " + " ".join(w.text for w in self.words[-self.context_words:])
            # Whisper stops at the cut: the words after it are transcribed again with the next stretch,
            # and after the last stretch's final words there is nothing left to decode (faster-whisper
            # would run another encoder pass on the trailing silence)
            settings = dict(self.settings, until_s=cut / RATE, until_speech_s=self.until_speech_s)
            if self.final_beam_size and (final or cut > int(speech[-1].end_s * RATE)):
                # the last stretch, or one cut after the last voice (the speaker has stopped, and the
                # click on Stop may come while it is decoded): the candidate may be waiting for it
                settings["beam_size"] = self.final_beam_size
            text = transcribe_with_hint(self.whisper, self.spec, pending, speech, self.config, hint, settings)
            offset, limit = start / RATE, cut / RATE
            self.words += [w.model_copy(update={"start_s": round(w.start_s + offset, 3), "end_s": round(w.end_s + offset, 3)})
                           for w in text.words if w.start_s < limit]
        self.chunks.append((start / RATE, (start + cut) / RATE, round(time.perf_counter() - clock, 3)))
        self.committed = start + cut
        return True

    def finish(self) -> None:
        """Stop watching; transcribe what is left (the last stretch) and wait for it."""
        self._stop.set()
        if self._thread.is_alive() or self._thread.ident is not None:
            self._thread.join()
        else:  # never started (driven step by step): finish here
            if self.whisper is None:
                self.whisper = whisper_model.get_model(self.spec)
            self._step(final=True)
        if self.error:
            raise self.error

    def cancel(self, wait_s: float = 30.0) -> bool:
        """Stop without transcribing the rest; wait up to `wait_s` for the stretch being
        transcribed to finish (CTranslate2 aborts the process if it exits mid-call). False if
        the thread is still busy after that."""
        self._cancelled = True
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(wait_s)
        return not self._thread.is_alive()

    def running_stats(self, filled_pauses: set[str]) -> tuple[int, float | None, int]:
        """Words so far, their pace (wpm, fillers excluded) and the filled pauses heard."""
        words = list(self.words)
        fillers = sum(1 for w in words if w.text.lower().strip(".,?!") in filled_pauses)
        content = len(words) - fillers
        if len(words) < 2 or words[-1].end_s - words[0].start_s < 5:
            return len(words), None, fillers
        return len(words), content / ((words[-1].end_s - words[0].start_s) / 60), fillers

    def transcriber(self):
        """For `pipeline.analyze_samples`: the streamed words as one transcription of the whole recording."""

        def build(whisper, spec, samples, speech, hint, settings) -> Transcription:
            tcfg = self.config["transcription"]
            words = sorted(self.words, key=lambda w: w.start_s)
            return Transcription(
                text=" ".join(w.text for w in words),
                words=words,
                sentences=split_sentences(words, tcfg["sentence_gap_s"]),
                model=spec.label,
                prompt=hint["prompt"],
                speech=speech,
            )

        return build
