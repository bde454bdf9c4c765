"""`rehearse serve`: the Starlette app. Routes, the checks every request passes (Host, Origin,
security headers) and the static assets, all served by the app itself (no CDN).

Ids in URLs are history session numbers, upload job ids, or the names of mock-interview session
folders checked against the sessions folder: the client never names a path on disk.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from rehearse.web import guard, live, pages, uploads
from rehearse.web.server import APP_CSP, HERE, Options, Server, server_of


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404 and "text/html" in request.headers.get("accept", ""):
        return server_of(request).not_found("This page does not exist (or the session it names is not in your history).")
    return PlainTextResponse(exc.detail, status_code=exc.status_code)


async def _report_css(request: Request) -> Response:
    from rehearse.report.html import stylesheet

    return Response(stylesheet(), media_type="text/css")


def create_app(options: Options, server: Server | None = None) -> Starlette:
    server = server or Server(options)
    hosts, origins = guard.allowed(options.host, options.port)

    async def record(websocket) -> None:
        await live.record_answer(websocket, server)

    routes = [
        Route("/", pages.practise),
        Route("/upload", pages.upload_page, methods=["GET"]),
        Route("/upload", uploads.upload, methods=["POST"]),
        Route("/api/jobs/{job:str}", uploads.job_status),
        Route("/report/{session:int}", pages.report_page),
        Route("/audio/{session:int}", pages.audio),
        Route("/history", pages.history_page),
        Route("/history.csv", pages.history_csv),
        Route("/api/sessions/{session:int}", pages.delete_session, methods=["DELETE"]),
        Route("/compare/{a:int}/{b:int}", pages.compare_page),
        Route("/interview/{folder:str}", pages.interview_page),
        Route("/static/report.css", _report_css),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        WebSocketRoute("/ws/record", record),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
                  Middleware(guard.OriginGuard, origins=origins),
                  Middleware(guard.SecurityHeaders, csp=APP_CSP)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: _http_error})
    app.state.server = server
    return app
