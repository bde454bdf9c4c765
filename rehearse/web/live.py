"""A recording made in the browser: the WebSocket feeds the same recorder, session WAV and streaming
transcriber as `rehearse practice`, and Stop gives the same report.

The page sends `{"type": "start", "rate": 16000, "question": {...}, "previous": ID|null}`, then
16-bit mono PCM blocks (binary frames), then `{"type": "stop"}`. The server answers `started`
(the session folder's name), `stats` several times a second (seconds saved, level, silence,
words, pace, fillers) and finally `report` (its URL) or `error` (what went wrong and what was kept).
The recorder runs in its own thread with a `BrowserSource`, exactly as it runs with a microphone.
If the connection drops, everything that arrived is already in the session WAV (flushed every
`flush_s`); the answer is still analysed and saved when there is enough speech in it.
"""

from __future__ import annotations

import asyncio
import json
import queue
import sys
import threading

import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from rehearse import rubric
from rehearse.errors import RehearseError
from rehearse.models import Question
from rehearse.practice import question_bank

RATE = 16000
START_TIMEOUT_S = 120  # the page sends `start` once the microphone is open (the permission prompt may wait)


class BrowserSource:
    """The recorder's capture interface over blocks arriving on a WebSocket."""

    name = "browser"

    def __init__(self):
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self.ended: str | None = None  # "stop" (the candidate pressed Stop) or "disconnected"
        self.overflows = 0

    def feed(self, pcm: np.ndarray) -> None:
        if self.ended is None:
            self._blocks.put(pcm)

    def end(self, reason: str) -> None:
        if self.ended is None:
            self.ended = reason

    def start(self) -> None:
        pass

    def read(self, timeout: float) -> np.ndarray | None:
        try:
            return self._blocks.get(timeout=timeout)
        except queue.Empty:
            return None

    def alive(self, stall_s: float) -> bool:
        return self.ended is None or not self._blocks.empty()

    def stop(self) -> list[np.ndarray]:
        rest = []
        while True:
            try:
                rest.append(self._blocks.get_nowait())
            except queue.Empty:
                return rest


class WebView:
    """The recorder's live-view interface: each update goes to the page as a `stats` message."""

    def __init__(self, loop: asyncio.AbstractEventLoop, outbox: asyncio.Queue, wav):
        self.loop, self.outbox, self.wav = loop, outbox, wav

    def start(self, state) -> None:
        pass

    def update(self, state) -> None:
        stats = {"type": "stats", "elapsed_s": round(state.elapsed_s, 2), "saved_s": round(self.wav.seconds, 2),
                 "level_dbfs": round(state.level_dbfs, 1), "silent": state.silent, "words": state.words,
                 "wpm": None if state.pace_wpm is None else round(state.pace_wpm), "fillers": state.fillers}
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, stats)

    def stop(self) -> None:
        pass


def resolve_question(given: dict, default_target_s: float) -> Question:
    """The question the page chose: a bank id, or the candidate's own text (never a path or anything else)."""
    if not isinstance(given, dict):
        raise RehearseError("question", "no question was chosen")
    if given.get("id"):
        return question_bank.to_question(question_bank.by_id(str(given["id"])))
    text = str(given.get("text") or "").strip()[:1000]
    principles = given.get("principles") or []
    lp = str(principles[0]) if principles else None
    level = given.get("level") or None
    return question_bank.choose(text=text, lp=lp, level=str(level) if level else None, default_target_s=default_target_s)


class Resampler:
    """Blocks at the page's AudioContext rate to 16 kHz (PyAV's resampler), for a browser that would not run at 16 kHz."""

    def __init__(self, rate: int):
        import av

        self.rate = rate
        self._av = av
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)

    def __call__(self, pcm: np.ndarray) -> np.ndarray:
        frame = self._av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.rate
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


async def record_answer(websocket: WebSocket, server) -> None:
    """One answer recorded from the page; see the module docstring for the messages."""
    from rehearse.practice.recorder import record
    from rehearse.practice.session import (
        analyse_recording,
        look_ahead,
        session_folder,
        warm_up,
    )
    from rehearse.practice.session_wav import SessionWav
    from rehearse.practice.streaming import AudioBuffer, StreamingTranscriber

    await websocket.accept()
    try:
        start = json.loads(await asyncio.wait_for(websocket.receive_text(), START_TIMEOUT_S))
    except (TimeoutError, WebSocketDisconnect, ValueError, KeyError):
        await _close(websocket)
        return
    if start.get("type") != "start":
        await _close(websocket)
        return
    settings = server.practice
    try:
        rate = int(start.get("rate") or RATE)
        if not 8000 <= rate <= 192000:
            raise RehearseError("rate", f"unusable sample rate {rate}")
        question = resolve_question(start.get("question"), float(settings["capture"]["default_target_s"]))
        previous = start.get("previous")
        previous = int(previous) if isinstance(previous, int) or (isinstance(previous, str) and previous.isdigit()) else None
        folder = session_folder(question)
    except RehearseError as exc:
        await _send(websocket, {"type": "error", "message": f"{exc.subject}: {exc.problem}. Nothing was recorded."})
        await _close(websocket)
        return
    (folder / "question.json").write_text(question.model_dump_json(indent=2) + "\n")
    wav_path = folder / "answer.wav"
    resample = None if rate == RATE else Resampler(rate)
    buffer = AudioBuffer()
    streaming = StreamingTranscriber(buffer, server.setup["config"], server.setup["spec"], settings["streaming"])
    streaming.start()
    lookahead = look_ahead(buffer, settings, streaming)
    warm_up(server.setup)
    source = BrowserSource()
    loop = asyncio.get_running_loop()
    outbox: asyncio.Queue = asyncio.Queue()
    wav = SessionWav(wav_path, flush_s=settings["capture"]["flush_s"])
    view = WebView(loop, outbox, wav)
    filled = set(rubric.load("fillers")["filled_pauses"])
    recording: asyncio.Future = loop.create_future()

    def run() -> None:
        try:
            rec = record(source, wav, buffer, settings, view=view, streaming=streaming, filled_pauses=filled,
                         enter_stops=False)
            loop.call_soon_threadsafe(recording.set_result, rec)
        except BaseException as exc:  # noqa: BLE001 - handed to the event loop, reported to the page
            loop.call_soon_threadsafe(recording.set_exception, exc)

    threading.Thread(target=run, name="rehearse-browser-recorder", daemon=True).start()
    await _send(websocket, {"type": "started", "folder": folder.name})
    sender = asyncio.create_task(_forward(websocket, outbox))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                source.end("disconnected")
                break
            if message.get("bytes") is not None:
                data = message["bytes"]
                pcm = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
                source.feed(resample(pcm) if resample else pcm.copy())
            elif message.get("text"):
                try:
                    kind = json.loads(message["text"]).get("type")
                except (ValueError, AttributeError):
                    kind = None
                if kind in ("stop", "cancel"):
                    source.end("stop")
                    break
    except WebSocketDisconnect:
        source.end("disconnected")
    connected = source.ended == "stop"
    try:
        rec = await recording
    except Exception as exc:  # noqa: BLE001 - the WAV holds what was written; say so
        lookahead.cancel()
        streaming.cancel()
        await _fail(websocket, connected, f"Recording failed ({exc.__class__.__name__}: {exc}); what arrived is in "
                                          f"the session folder {folder.name}.")
        return
    finally:
        sender.cancel()
    kept = f"{rec.seconds:.1f} s of audio are kept in the session folder {folder.name}"
    if rec.error is not None and rec.seconds < 1:
        lookahead.cancel()
        await _fail(websocket, connected, f"{rec.error.problem}; {kept}.")
        return
    if rec.seconds == 0:
        lookahead.cancel()
        streaming.cancel()
        await _fail(websocket, connected, f"No audio arrived from the microphone, so nothing was recorded ({folder.name}).")
        return
    try:
        report = await asyncio.to_thread(analyse_recording, rec, streaming, buffer, wav_path, question, server.setup,
                                       lookahead)
    except RehearseError as exc:
        await _fail(websocket, connected, f"{exc.problem}. {kept[0].upper()}{kept[1:]}: speak for longer and try again.")
        return
    except Exception as exc:  # noqa: BLE001 - the page must hear about it; the recording is on disk
        await _fail(websocket, connected, f"The analysis failed ({exc.__class__.__name__}: {exc}); {kept}.")
        return
    session = await asyncio.to_thread(server.save, report, "practice")
    if session is None:
        await _fail(websocket, connected, f"The report could not be saved in your history; {kept}.")
        return
    url = f"/report/{session}" + (f"?previous={previous}" if previous else "")
    if connected:
        await _send(websocket, {"type": "report", "url": url, "session": session, "saved_s": round(rec.seconds, 2)})
        await _close(websocket)
    if not connected:
        print(f"rehearse: the page recording into {folder.name} went away after {rec.seconds:.1f} s; "
              f"the answer was analysed and saved as session {session}", file=sys.stderr)
    await _on_own_thread(server.keep_page, report, folder)
    server.release_memory()


async def _on_own_thread(func, *args) -> None:
    """`func(*args)` on a new thread (one that may change its own priority), awaited."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def run() -> None:
        try:
            func(*args)
            loop.call_soon_threadsafe(done.set_result, None)
        except BaseException as exc:  # noqa: BLE001 - handed to the event loop
            loop.call_soon_threadsafe(done.set_exception, exc)

    threading.Thread(target=run, name="rehearse-keep-page", daemon=True).start()
    await done


async def _forward(websocket: WebSocket, outbox: asyncio.Queue) -> None:
    """Send the latest stats, dropping any older ones still waiting (the page only shows the newest)."""
    while True:
        stats = await outbox.get()
        while not outbox.empty():
            stats = outbox.get_nowait()
        if not await _send(websocket, stats):
            return


async def _send(websocket: WebSocket, data: dict) -> bool:
    try:
        await websocket.send_text(json.dumps(data))
        return True
    except (WebSocketDisconnect, RuntimeError, OSError):
        return False


async def _close(websocket: WebSocket) -> None:
    try:
        await websocket.close()
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the page has gone already


async def _fail(websocket: WebSocket, connected: bool, text: str) -> None:
    if connected:
        await _send(websocket, {"type": "error", "message": text})
        await _close(websocket)
    else:
        print(f"rehearse: a page recording went away: {text}", file=sys.stderr)

