"""The pages of `rehearse serve`: Practise, Upload, Report (the `--html` renderer's page, with the
recording playable), History (the progress page's charts and the sessions, with actions), Compare,
a mock interview's report; the recordings they play; the history's CSV export and delete."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from rehearse.errors import RehearseError
from rehearse.web.server import json_error, query, served, server_of, templates

RATE = 16000
FOLDER = re.compile(r"^[0-9]{8}-[0-9]{6}-[A-Za-z0-9_.-]{1,80}$")  # a session folder's name, never a path


def _bank() -> list[dict]:
    from rehearse.practice import question_bank

    return [{"id": q["id"], "text": q["text"], "principles": list(q.get("principles", [])),
             "levels": list(q.get("levels", [])), "target_s": float(q["target_s"])} for q in question_bank.load()]


def _report(session: int):
    from rehearse.history.store import get_report

    return get_report(session)


async def practise(request: Request) -> HTMLResponse:
    """Choose a question (bank by principle and level, random, or your own), prepare, record.
    `?again=ID` picks the question of session ID and compares the new attempt with it."""
    from rehearse.practice import question_bank

    server = server_of(request)
    bank = _bank()
    preselect, previous, notice = None, None, None
    again = query(request, "again", 12)
    if again:
        try:
            q = (await asyncio.to_thread(_report, int(again) if again.isdigit() else -1)).question
            if q is None:
                raise RehearseError(f"session {again}", "has no question to answer again")
            in_bank = q.id and any(b["id"] == q.id for b in bank)
            preselect = {"id": q.id if in_bank else None, "text": q.text}
            previous = int(again)
        except RehearseError as exc:
            notice = f"{exc.subject}: {exc.problem}"
    cap = server.practice["capture"]
    prep_default = int(cap["default_prep_s"])
    config = {"bank": bank, "rate": RATE, "worklet": "/static/capture-worklet.js",
              "default_target_s": float(cap["default_target_s"]),
              "meter_floor_dbfs": server.practice["level"]["meter_floor_dbfs"],
              "preselect": preselect, "previous": previous, "local_url": f"http://127.0.0.1:{server.options.port}/"}
    return server.page("practise.html.j2", "practise", "rehearse · practise",
                       principles=sorted({p for q in bank for p in q["principles"]}), levels=list(question_bank.LEVELS),
                       prep_choices=sorted({0, 10, 20, 30, 60, prep_default}), prep_default=prep_default,
                       meter_floor=config["meter_floor_dbfs"], config=config, previous=previous,
                       notice=notice, notice_error=bool(notice))


async def upload_page(request: Request) -> HTMLResponse:
    server = server_of(request)
    limit = f"{server.options.max_upload_mb:g}"
    return server.page("upload.html.j2", "upload", "rehearse · upload", max_mb=limit,
                       config={"max_bytes": server.max_bytes, "max_mb": limit})


async def report_page(request: Request) -> HTMLResponse:
    """One session's report, drawn by the `--html` renderer, with the app's navigation, "try again"
    and, after a retry (`?previous=ID`), this attempt against the previous one."""
    from rehearse.practice.compare import rows
    from rehearse.report.html import render_answer_page

    server = server_of(request)
    session = request.path_params["session"]
    try:
        report = await asyncio.to_thread(_report, session)
    except RehearseError:
        return server.not_found(f"There is no session {session} in your history.")
    kept = bool(report.audio_path) and Path(report.audio_path).is_file()
    context = {"session": session, "question": report.question, "previous": None, "rows": [], "kept": kept,
               "audio_path": report.audio_path, "left_label": "", "right_label": "this attempt"}
    before = query(request, "previous", 12)
    if before.isdigit() and int(before) != session:
        try:
            context.update(previous=int(before), rows=rows(await asyncio.to_thread(_report, int(before)), report),
                           left_label=f"session {before}")
        except RehearseError:
            pass
    top = templates().get_template("report_top.html.j2").render(**context)
    html = await asyncio.to_thread(render_answer_page, report, f"/audio/{session}" if kept else None,
                                   server.frame("report", top))
    return served(html)


async def audio(request: Request) -> Response:
    """The recording of a session: WAV as it is (seekable), anything else as Ogg Opus."""
    try:
        report = await asyncio.to_thread(_report, request.path_params["session"])
    except RehearseError:
        raise HTTPException(404) from None
    path = Path(report.audio_path) if report.audio_path else None
    if path is None or not path.is_file():
        raise HTTPException(404)
    if path.suffix.lower() == ".wav":
        return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-store"})
    return Response(await asyncio.to_thread(_opus, path), media_type="audio/ogg")


def _opus(path: Path) -> bytes:
    from rehearse.audio import decode as decoder
    from rehearse.report.embed import opus_bytes

    return opus_bytes(decoder.decode(path))


def _sessions(question: str = "", principle: str = ""):
    from rehearse.history.store import sessions

    return sessions(question=question or None, principle=principle or None)


async def history_page(request: Request) -> HTMLResponse:
    """The sessions (filtered by question and principle) and the progress charts, drawn by the progress
    page's renderer; each session can be opened, ticked for comparison or deleted; CSV export."""
    from rehearse.report.html import render_progress_page

    server = server_of(request)
    question, principle = query(request, "question"), query(request, "principle", 100)
    found = await asyncio.to_thread(_sessions, question, principle)
    principles = sorted({p for s in await asyncio.to_thread(_sessions) for p in s.principles})
    filters = urlencode({k: v for k, v in (("question", question), ("principle", principle)) if v})
    top = templates().get_template("history_top.html.j2").render(
        question=question, principle=principle, principles=principles, count=len(found),
        csv_url="/history.csv" + (f"?{filters}" if filters else ""))
    frame = {**server.frame("history", top, scripts=("/static/history.js",)), "actions": True}
    return served(render_progress_page([s.model_dump(mode="json") for s in found], frame))


async def history_csv(request: Request) -> Response:
    from rehearse.history.store import csv_rows

    found = await asyncio.to_thread(_sessions, query(request, "question"), query(request, "principle", 100))
    header, table = csv_rows(found)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(table)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="rehearse-sessions.csv"'})


async def delete_session(request: Request) -> JSONResponse:
    """Remove a session from the history; its recording stays where it is."""
    from rehearse.history.store import delete

    session = request.path_params["session"]
    try:
        removed, _ = await asyncio.to_thread(delete, session)
    except RehearseError:
        return json_error(f"There is no session {session} in your history.", 404)
    kept = f"; its recording stays at {removed.audio_path}" if removed.audio_path else ""
    return JSONResponse({"message": f"Session {session} was deleted from your history{kept}."})


async def compare_page(request: Request) -> HTMLResponse:
    from rehearse.practice.compare import rows

    server = server_of(request)
    a, b = request.path_params["a"], request.path_params["b"]
    try:
        ra, rb = await asyncio.to_thread(_report, a), await asyncio.to_thread(_report, b)
    except RehearseError as exc:
        return server.not_found(f"{exc.subject}: {exc.problem}")
    return server.page("compare.html.j2", "history", f"rehearse · session {a} against {b}", a=a, b=b,
                       rows=rows(ra, rb), left_label=f"session {a}", right_label=f"session {b}")


def interview_folder(server, name: str) -> Path:
    """The folder of an uploaded mock interview, by its name (checked: a direct child of the sessions folder)."""
    from rehearse.paths import sessions_dir

    if not FOLDER.match(name):
        raise HTTPException(404)
    folder = sessions_dir() / name
    if not (folder / "interview.json").is_file():
        raise HTTPException(404)
    return folder


def _interview(folder: Path):
    from rehearse.models import InterviewReport

    report = InterviewReport.model_validate_json((folder / "interview.json").read_text())
    sessions = json.loads((folder / "sessions.json").read_text())
    return report, sessions


async def interview_page(request: Request) -> HTMLResponse:
    """An uploaded mock interview: the renderer's interview page; each answer plays its own recording."""
    from rehearse.report.html import render_interview_page

    server = server_of(request)
    folder = interview_folder(server, request.path_params["folder"])
    report, sessions = await asyncio.to_thread(_interview, folder)
    answers = [(a, s) for a, s in zip(report.answers, sessions, strict=True) if a.report is not None]
    html = render_interview_page([(a.question, a.report) for a, _ in answers], report.summary.model_dump(mode="json"),
                                 [f"/audio/{s}" if s is not None else None for _, s in answers],
                                 [[(f.at_s, f.question) for f in a.followups] for a, _ in answers], frame=server.frame("upload"))
    return served(html)
