"""What keeps other web pages out of the local server.

Any page the user visits can send requests to 127.0.0.1. Two checks stop them:
- the Host header must name the address the server is bound to (Starlette's
  TrustedHostMiddleware): a DNS-rebinding page reaches the server under its own domain name;
- a WebSocket, and any request that changes something (POST, PUT, PATCH, DELETE), must come
  from the app's own origin (`OriginGuard`): browsers always send Origin with these, and
  another site cannot forge it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allowed(host: str, port: int) -> tuple[list[str], set[str]]:
    """Host names the server answers to, and the origins whose pages may post to it."""
    names = {host}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost"}
    elif host in ("0.0.0.0", "::"):
        import socket

        names |= {"127.0.0.1", "localhost", socket.gethostname()}
        try:
            names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
        except OSError:
            pass
    hosts = sorted(n for n in names if n not in ("0.0.0.0", "::"))
    origins = {f"http://{h if ':' not in h else f'[{h}]'}:{port}" for h in hosts}
    return hosts, origins


class OriginGuard:
    """Refuse a WebSocket or a state-changing request whose Origin is not one of `origins`."""

    def __init__(self, app: ASGIApp, origins: Iterable[str]):
        self.app = app
        self.origins = {o.lower() for o in origins}

    def _origin(self, scope: Scope) -> str | None:
        for key, value in scope.get("headers", []):
            if key == b"origin":
                return value.decode("latin-1").lower()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket" or (kind == "http" and scope["method"] not in SAFE_METHODS):
            origin = self._origin(scope)
            if origin not in self.origins:
                await self._refuse(kind, origin, send)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, kind: str, origin: str | None, send: Send) -> None:
        if kind == "websocket":
            # closing before accepting makes the server answer the handshake with 403
            await send({"type": "websocket.close", "code": 1008, "reason": "foreign origin"})
            return
        body = json.dumps({"error": f"refused: this request comes from {origin or 'a page with no origin'}, "
                                    "not from rehearse's own pages"}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers on every response: no MIME sniffing, no referrer, not framed, and a CSP for
    anything that does not set its own (static files, errors)."""

    def __init__(self, app: ASGIApp, csp: str):
        self.app = app
        self.extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                      (b"x-frame-options", b"DENY")]
        self.csp = csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
