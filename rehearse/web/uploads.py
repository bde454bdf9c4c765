"""Uploaded recordings: written to a new session folder as they arrive (up to a size limit), accepted
by decoding them (never by their name), then analysed in a background job whose progress the page
polls. An answer becomes one history session; a mock interview one session per answer, each with
its own stretch of the recording, so its report plays from the right place."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from rehearse.errors import RehearseError
from rehearse.files import write_atomic
from rehearse.paths import new_session_folder
from rehearse.web.server import Server, json_error, query, server_of


class TooLarge(Exception):
    pass


@dataclass
class Job:
    """One uploaded recording being analysed; `stage`, `done` and `total` drive the page's progress bar."""

    kind: str
    folder: Path
    step: str = "Waiting"
    done: float = 0.0
    total: float = 0.0
    status: str = "running"  # running, done, error
    url: str | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    # the progress interface of `pipeline.analyze` and `interview.analyze_interview`
    def stage(self, name: str, total: float | None = None) -> None:
        self.step, self.done, self.total = name[:1].upper() + name[1:], 0.0, total or 0.0

    def update(self, done: float, total: float) -> None:
        self.done, self.total = done, total

    def stop(self) -> None:
        pass

    def view(self) -> dict:
        return {"kind": self.kind, "stage": self.step, "done": round(self.done, 2), "total": round(self.total, 2),
                "status": self.status, "url": self.url, "error": self.error}


class Jobs:
    """The jobs of this server process, by a random id (the page never sees a path)."""

    def __init__(self):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> str:
        key = uuid.uuid4().hex
        with self._lock:
            self._jobs[key] = job
        return key

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)


async def receive(request: Request, target: Path, limit: int) -> int:
    """Write the request body to `target` as it arrives; TooLarge past `limit` bytes (the partial file is removed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    size = 0
    try:
        with target.open("wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                fh.write(chunk)
    except (TooLarge, ClientDisconnect):
        target.unlink(missing_ok=True)
        raise
    return size


def probe(path: Path, shown: str = "The file") -> str:
    """Decode the start of the file: the container's name when it holds audio; RehearseError otherwise.
    What the file is called plays no part."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise RehearseError(shown, "is not an audio recording (no sound track in it)")
            for _frame in container.decode(stream):
                return container.format.name.split(",")[0]
    except RehearseError:
        raise
    except Exception as exc:  # noqa: BLE001 - PyAV raises many types for non-audio input
        reason = getattr(exc, "strerror", None) or type(exc).__name__  # FFmpeg's words, without the path
        raise RehearseError(shown, f"is not an audio file rehearse can read ({reason})") from None
    raise RehearseError(shown, "holds no audio samples")


SUFFIX = {"wav": ".wav", "mp3": ".mp3", "ogg": ".ogg", "flac": ".flac", "matroska": ".webm", "mov": ".m4a",
          "aac": ".aac", "aiff": ".aiff", "webm": ".webm"}


def accept(part: Path, fmt: str) -> Path:
    """Give the decoded upload a name from what it is (its container), not from what it was called."""
    final = part.with_name("recording" + SUFFIX.get(fmt, ".audio"))
    part.rename(final)
    return final


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


async def upload(request: Request) -> JSONResponse:
    """POST /upload?kind=answer|interview[&question=TEXT], the recording as the body: 202 and a job id,
    or 413 (too large), 415 (not audio), 400 (empty)."""
    server = server_of(request)
    kind = request.query_params.get("kind", "answer")
    if kind not in ("answer", "interview"):
        return json_error("kind must be answer or interview", 400)
    question = query(request, "question", 1000) or None
    folder = new_session_folder("upload" if kind == "answer" else "interview")
    part = folder / "upload.part"
    try:
        size = await receive(request, part, server.max_bytes)
    except TooLarge:
        discard(folder)
        return json_error(f"The file is larger than the upload limit of {server.options.max_upload_mb:g} MB "
                          "(start rehearse serve with --max-upload-mb to raise it).", 413)
    except BaseException:  # the page went away mid-upload
        discard(folder)
        raise
    if size == 0:
        discard(folder)
        return json_error("The file is empty.", 400)
    try:
        fmt = await asyncio.to_thread(probe, part)
    except RehearseError as exc:
        discard(folder)  # not a recording: the user still has their file, nothing of theirs is lost
        return json_error(f"{exc.subject} {exc.problem}.", 415)
    path = accept(part, fmt)
    job = Job(kind=kind, folder=folder)
    key = server.jobs.add(job)
    threading.Thread(target=analyse, args=(server, job, path, question), name="rehearse-upload", daemon=True).start()
    return JSONResponse({"job": key, "folder": folder.name}, status_code=202)


async def job_status(request: Request) -> JSONResponse:
    job = server_of(request).jobs.get(request.path_params["job"])
    if job is None:
        return json_error("There is no such upload in this server (was it restarted?).", 404)
    return JSONResponse(job.view())


def analyse(server: Server, job: Job, path: Path, question: str | None) -> None:
    try:
        job.url = (_answer if job.kind == "answer" else _interview)(server, job, path, question)
        job.status = "done"
    except RehearseError as exc:
        job.error = f"{exc.problem} (the upload is kept in the session folder {job.folder.name})"
        job.status = "error"
    except Exception as exc:  # noqa: BLE001 - the page shows it; the file stays
        job.error = f"the analysis failed ({exc.__class__.__name__}: {exc}); the upload is kept in {job.folder.name}"
        job.status = "error"
    finally:
        server.release_memory()


def _answer(server: Server, job: Job, path: Path, question: str | None) -> str:
    from rehearse.pipeline import analyze
    from rehearse.practice import question_bank

    job.stage("transcribing")
    report = analyze(path, model=server.options.model, question=question_bank.choose(text=question) if question else None,
                     progress=job.update)
    report.audio_path = str(path)
    write_atomic(job.folder / "report.json", report.model_dump_json(indent=2) + "\n", "report")
    session = server.save(report, "analyze")
    if session is None:
        raise RehearseError(str(path), "the report could not be saved in your history")
    return f"/report/{session}"


def _interview(server: Server, job: Job, path: Path, question: str | None) -> str:
    from rehearse.audio import decode as audio
    from rehearse.interview.answers import analyze_interview, answer_samples
    from rehearse.practice.session_wav import SessionWav

    report = analyze_interview(path, model=server.options.model, progress=job)
    samples = audio.decode(path)
    sessions: list[int | None] = []
    for a in report.answers:
        if a.report is None:
            sessions.append(None)
            continue
        # the answer's own recording as its report heard it: its times start at the answer, the
        # follow-up questions and remarks inside it cut out
        wav = job.folder / f"answer-{a.index}.wav"
        with SessionWav(wav, fsync=False) as out:
            stretch = answer_samples(samples, a)
            out.write((np.clip(stretch, -1, 1) * 32767).astype(np.int16))
        a.report.audio_path = str(wav)
        sessions.append(server.save(a.report, "interview"))
    write_atomic(job.folder / "interview.json", report.model_dump_json(indent=2) + "\n", "report")
    write_atomic(job.folder / "sessions.json", json.dumps(sessions) + "\n", "session list")
    return f"/interview/{job.folder.name}"
