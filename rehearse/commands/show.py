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
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse import history

    session_id = history.session_id(args.id)
    if args.json:  # as stored, even if this version of rehearse could not read it back into a Report
        sys.stdout.write(json.dumps(json.loads(history.get_report_json(session_id)), indent=2) + "\n")
        return 0
    report = history.get_report(session_id)
    from rich.console import Console

    from rehearse.progress_view import when
    from rehearse.report import render

    session = history.get(session_id)
    head = f"Session {session.id} · {when(session.created_at)} · {session.source}"
    if session.question:
        head += f" · attempt {session.attempt} of “{session.question}”"
    console = Console()
    console.print(head, style="bold", highlight=False)
    render(report, console)
    if args.explain:
        from rehearse.explain import render_explain

        render_explain(report)
    return 0
