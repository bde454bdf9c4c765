"""`rehearse history`: list the saved sessions (grouped by question with --by-question)."""

from __future__ import annotations

import argparse
import json
import sys

from rehearse.commands import filters

NAME = "history"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="list your saved sessions (rehearse show ID prints one again)")
    filters.add(parser, default="every session")
    parser.add_argument("--by-question", action="store_true", help="group the attempts of each question together")
    parser.add_argument("--json", action="store_true", help='print {"sessions": [...]}')
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.commands import COMMANDS
    from rehearse.history.progress import select
    from rehearse.report.progress import empty_message, render_history

    sessions, _ = select(**filters.values(args), every=True)
    if args.json:
        sys.stdout.write(json.dumps({"sessions": [s.model_dump(mode="json") for s in sessions]}, indent=2) + "\n")
    elif not sessions:
        print(empty_message(filters.filtered(args), COMMANDS))
    else:
        render_history(sessions, by_question=args.by_question)
    return 0
