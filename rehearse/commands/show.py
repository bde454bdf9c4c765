"""`rehearse show ID`: print a saved report again, as `rehearse analyze` printed it."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "show"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="print a saved session's report again")
    parser.add_argument("id", help="session id from rehearse history, or 'last'")
    parser.add_argument("--json", action="store_true", help="print the stored report as JSON (as analyze --json)")
    parser.add_argument("--explain", action="store_true", help="also show every sentence with its STAR label and cues")
    parser.add_argument("--html", metavar="OUT.html", help="also write the report as one self-contained HTML page")
    parser.add_argument("--open", action="store_true", help="open the --html page in the default browser")
    parser.add_argument("--embed-audio", action="store_true", help="embed the session's recording in the --html page")
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.history import store as history

    session_id = history.session_id(args.id)
    from rehearse.report.html import check_page_options

    check_page_options(args.html, args.open, args.embed_audio)
    if args.html:
        write_html(history.get_report(session_id), args)
    if args.json:  # as stored, even if this version of rehearse could not read it back into a Report
        try:
            stored = json.loads(history.get_report_json(session_id))
        except ValueError:
            from rehearse.errors import RehearseError

            raise RehearseError(f"session {session_id}", "its stored report is damaged (not JSON) and cannot be shown; "
                                                         f"rehearse delete {session_id} removes it") from None
        sys.stdout.write(json.dumps(stored, indent=2) + "\n")
        return 0
    report = history.get_report(session_id)
    from rich.console import Console

    from rehearse.report.progress import when
    from rehearse.report.terminal import render

    session = history.get(session_id)
    head = f"Session {session.id} · {when(session.created_at)} · {session.source}"
    if session.question:
        head += f" · attempt {session.attempt} of “{session.question}”"
    console = Console()
    console.print(head, style="bold", highlight=False)
    render(report, console)
    if args.explain:
        from rehearse.report.explain import render_explain

        render_explain(report)
    return 0


def write_html(report, args: argparse.Namespace) -> None:
    """The stored report as an HTML page; the recording embedded when asked and still on disk."""
    from pathlib import Path

    from rehearse.errors import RehearseError
    from rehearse.report.html import announce, save_answer_page

    audio = report.audio_path or report.file
    if args.embed_audio and not Path(audio).is_file():
        raise RehearseError(audio, "the recording of this session is no longer there; leave out --embed-audio")
    announce(save_answer_page(report, args.html, audio=audio if args.embed_audio else None), args.open)
