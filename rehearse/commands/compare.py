"""`rehearse compare ID ID`: two saved attempts side by side."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "compare"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="put two saved sessions side by side (e.g. two attempts of one question)")
    parser.add_argument("first", help="session id (or 'last')")
    parser.add_argument("second", help="session id (or 'last')")
    parser.add_argument("--json", action="store_true", help='print {"sessions": [a, b], "rows": [...]}')
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.history import store as history
    from rehearse.report.progress import compare_rows, render_compare

    a, b = (history.get(history.session_id(x)) for x in (args.first, args.second))
    if args.json:
        out = {"sessions": [a.model_dump(mode="json"), b.model_dump(mode="json")], "rows": compare_rows(a, b)}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    render_compare(a, b, history.get_report(a.id), history.get_report(b.id))
    return 0
