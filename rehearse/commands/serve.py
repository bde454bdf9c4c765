"""`rehearse serve`: the local web app (Practise, Upload, Report, History) on 127.0.0.1."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from rehearse.errors import RehearseError

NAME = "serve"
LOCAL = {"127.0.0.1", "localhost", "::1"}


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(NAME, help="practise in your browser: a local web app (practise, upload, reports, history)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; any other needs --allow-network)")
    p.add_argument("--allow-network", action="store_true",
                   help="really listen on the --host given, where other machines can reach your recordings")
    p.add_argument("--open", action="store_true", help="open the app in the default browser")
    p.add_argument("--max-upload-mb", type=float, default=300.0, metavar="MB",
                   help="largest recording the Upload page accepts (default 300 MB)")
    p.add_argument("--model", help="CTranslate2 Whisper folder or faster-whisper model name (default: bundled tiny.en)")
    return p


def _check(args) -> None:
    if not 1 <= args.port <= 65535:
        raise RehearseError("--port", "must be between 1 and 65535")
    if args.max_upload_mb <= 0:
        raise RehearseError("--max-upload-mb", "must be a positive number")
    if args.host not in LOCAL:
        if not args.allow_network:
            raise RehearseError("--host", f"{args.host} would let other machines reach your recordings and history; "
                                          "add --allow-network if you mean it")
        try:
            ipaddress.ip_address(args.host)
        except ValueError:
            raise RehearseError("--host", f"{args.host} is not an IP address (give the address to listen on)") from None
    try:  # a clear message for a port in use, before the model loads
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("::1" if args.host == "::1" else ("127.0.0.1" if args.host == "localhost" else args.host), args.port))
    except OSError as exc:
        raise RehearseError(f"--port {args.port}", f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
                                                   "is another rehearse serve running? choose another --port") from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from rehearse.web.app import create_app
    from rehearse.web.server import Options, Server

    _check(args)
    host = "127.0.0.1" if args.host == "localhost" else args.host
    if args.host not in LOCAL:
        print(f"rehearse: warning: listening on {host}: anyone who can reach this machine on port {args.port} can "
              "record, upload and read your sessions. Browsers give the microphone only to https pages or "
              f"127.0.0.1, so record on this machine at http://127.0.0.1:{args.port}/", file=sys.stderr)
    options = Options(host=host, port=args.port, max_upload_mb=args.max_upload_mb, model=args.model)
    server = Server(options)
    print("rehearse: loading the speech model…", file=sys.stderr, flush=True)
    server.load_model()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else (f'[{host}]' if ':' in host else host)}:{args.port}/"
    config = uvicorn.Config(create_app(options, server), host=host, port=args.port, log_level="warning",
                            ws_max_size=1 << 20, access_log=False)
    web = uvicorn.Server(config)
    print(f"rehearse: serving on {url} (Ctrl-C stops; data in {server.data_dir})", flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    web.run()
    return 0
