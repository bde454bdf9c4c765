"""`rehearse progress`: trends over your saved sessions (terminal table, --plot PNG, --json)."""

from __future__ import annotations

import argparse
import json
import sys

from rehearse.commands import filters

NAME = "progress"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="am I getting better? trends, personal bests and time to target over your sessions")
    filters.add(parser)
    parser.add_argument("--plot", metavar="FILE.png", help="also draw the trend charts (target bands shaded) into a PNG")
    parser.add_argument("--json", action="store_true", help='print {"sessions": [...], "trends": [...], "questions": [...]}')
    parser.add_argument("--html", metavar="OUT.html", help="also write the trend charts as one self-contained HTML page")
    parser.add_argument("--open", action="store_true", help="open the --html page in the default browser")
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.commands import COMMANDS
    from rehearse.history.progress import select, summarize
    from rehearse.report.html import check_page_options
    from rehearse.report.progress import empty_message, render_progress

    check_page_options(args.html, args.open)
    sessions, chosen = select(**filters.values(args))
    progress = summarize(sessions, chosen)
    if args.json:
        sys.stdout.write(json.dumps(progress.model_dump(mode="json"), indent=2) + "\n")
        if not sessions:
            print(empty_message(filters.filtered(args), COMMANDS), file=sys.stderr)
    elif not sessions:
        print(empty_message(filters.filtered(args), COMMANDS))
    else:
        render_progress(progress)
    if args.html and sessions:
        from rehearse.report.html import announce, render_progress_page, write_page

        announce(write_page(args.html, render_progress_page([x.model_dump(mode="json") for x in sessions])), args.open)
    elif args.html:
        print(f"No page written to {args.html}: there are no sessions to show yet.", file=sys.stderr)
    if args.plot:
        if not sessions:
            print(f"No chart written to {args.plot}: there are no sessions to draw yet.", file=sys.stderr)
            return 0
        from rehearse.report.plot import plot

        out = plot(progress, args.plot)
        print(f"Trend charts written to {out}", file=sys.stderr if args.json else sys.stdout)
    return 0
