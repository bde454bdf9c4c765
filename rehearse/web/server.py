"""What every route of `rehearse serve` shares: the options, the rubrics and loaded model, the upload
jobs, the app's templates, and responses with their Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from rehearse import __version__, rubric
from rehearse.errors import RehearseError

HERE = Path(__file__).parent
# the app's own pages: scripts, styles, fetches and sockets from the app only; recordings the page
# kept itself (blob:) may be downloaded
APP_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# the report renderer's pages carry this in their <meta>; the response header narrows scripts to the
# page's own inline one, by hash (`served`)
REPORT_META_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
                   "img-src 'self' data:; media-src 'self' data:; connect-src 'self'")


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8765
    max_upload_mb: float = 300.0
    model: str | None = None


class Server:
    """Options, rubrics, the model spec, the upload jobs."""

    def __init__(self, options: Options):
        from rehearse.paths import data_dir
        from rehearse.pipeline import setup
        from rehearse.web.uploads import Jobs

        self.options = options
        self.limit_arenas()
        self.practice = rubric.load("practice")
        self.setup = setup(options.model, "star", None)
        self.jobs = Jobs()
        self.data_dir = data_dir()
        self.max_bytes = int(options.max_upload_mb * 1024 * 1024)

    def load_model(self) -> None:
        """The model, and the report renderer's templates, ready before the first Stop."""
        from rehearse.practice import compare  # noqa: F401 - imported now rather than after the first answer
        from rehearse.report import html
        from rehearse.speech.model import get_model

        get_model(self.setup["spec"])
        for name in ("answer.html.j2", "interview.html.j2", "progress.html.j2"):
            html._env().get_template(name)
        for name in ("practise.html.j2", "upload.html.j2", "report_top.html.j2", "history_top.html.j2"):
            templates().get_template(name)

    @staticmethod
    def limit_arenas(arenas: int = 2) -> None:
        """At most `arenas` glibc malloc arenas: each answer runs on new threads (recorder, transcriber,
        page), and every thread could keep an arena of its own, so the idle footprint grew with
        each answer (bench_serve, 60-s answers: 320/363/377 MB idle after each of three, 288/296/307 MB with two)."""
        import ctypes
        import ctypes.util

        try:
            ctypes.CDLL(ctypes.util.find_library("c")).mallopt(-8, arenas)  # M_ARENA_MAX
        except (OSError, AttributeError, TypeError):
            pass  # not glibc: nothing to do

    @staticmethod
    def release_memory() -> None:
        """Hand the memory an analysis freed back to the system (glibc keeps it in per-thread arenas
        otherwise, and the server's footprint would grow with every answer)."""
        import ctypes
        import ctypes.util

        try:
            ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)
        except (OSError, AttributeError, TypeError):
            pass  # not glibc: nothing to do

    def save(self, report, source: str) -> int | None:
        from rehearse.history.store import save_quietly

        return save_quietly(report, source)

    def keep_page(self, report, folder: Path) -> None:
        """The session's self-contained report.html beside its recording, as `practice` leaves it.
        Run on its own thread (`asyncio.to_thread` would lower a shared worker for good), niced: the
        recording's embedding takes a second of CPU, and the browser is loading the report meanwhile."""
        import os
        import threading

        from rehearse.report.html import save_answer_page

        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: this thread only
        except (AttributeError, OSError):
            pass
        try:
            save_answer_page(report, folder / "report.html", audio=report.audio_path)
        except (OSError, RehearseError) as exc:
            print(f"rehearse: warning: {folder / 'report.html'}: cannot write the page ({exc})", file=sys.stderr)

    def page(self, template: str, page: str, title: str, status: int = 200, **context) -> HTMLResponse:
        """One of the app's own pages (templates/)."""
        text = templates().get_template(template).render(version=__version__, page=page, title=title,
                                                         data_dir=str(self.data_dir), **context)
        return html_response(text, status)

    def frame(self, page: str, top: str = "", scripts: tuple[str, ...] = ()) -> dict:
        """What the report renderer adds when the app shows one of its pages: the app's navigation,
        `top` (markup above the report), scripts from the app, its stylesheet and CSP."""
        from markupsafe import Markup

        nav = templates().get_template("nav.html.j2").render(page=page)
        return {"nav": Markup(nav), "top": Markup(top), "scripts": list(scripts), "css": "/static/app.css",
                "csp": REPORT_META_CSP,
                "footer": "Served by rehearse serve from this machine: nothing you record or upload leaves it."}

    def not_found(self, what: str) -> HTMLResponse:
        return self.page("error.html.j2", "", "rehearse · not found", status=404, status_text="404",
                         heading="Not found", text=what)


def server_of(request) -> Server:
    return request.app.state.server


@lru_cache(maxsize=1)
def templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def html_response(text: str, status: int = 200, csp: str = APP_CSP) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


def served(html: str) -> HTMLResponse:
    """A page from the report renderer: its inline script allowed by hash, nothing else inline but styles."""
    hashes = [base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()
              for m in re.findall(r"<script>(.*?)</script>", html, flags=re.S)]
    csp = ("default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self' "
           + " ".join(f"'sha256-{h}'" for h in hashes)
           + "; img-src 'self' data:; media-src 'self' data:; connect-src 'self'; form-action 'self'; "
             "base-uri 'none'; frame-ancestors 'none'")
    return html_response(html, csp=csp)


def json_error(text: str, status: int) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


def query(request: Request, name: str, limit: int = 200) -> str:
    return request.query_params.get(name, "").strip()[:limit]
