"""Session filters shared by `progress`, `history` and `export` (not a command itself)."""

from __future__ import annotations

import argparse

from rehearse.errors import RehearseError


def add(parser: argparse.ArgumentParser, default: str = "20 unless a date range is given") -> None:
    parser.add_argument("--last", metavar="N", help=f"the N most recent sessions (default: {default})")
    parser.add_argument("--since", metavar="DATE", help="from this date: YYYY-MM-DD, YYYY-MM-DDTHH:MM, or 7d / 2w ago")
    parser.add_argument("--until", metavar="DATE", help="up to this date (a bare date includes the whole day)")
    parser.add_argument("--principle", metavar="NAME", help='only questions probing this Leadership Principle, e.g. "Ownership"')
    parser.add_argument("--question", metavar="TEXT", help="only attempts of this question: its bank id, or part of its text")
    parser.add_argument("--source", choices=("analyze", "practice", "interview"), help="only sessions saved by this command")


def values(args: argparse.Namespace) -> dict:
    last = None
    if args.last is not None:
        if not str(args.last).isascii() or not str(args.last).isdigit() or int(args.last) < 1:
            raise RehearseError(f"--last {args.last}", "must be a whole number of sessions, at least 1")
        last = int(args.last)
    return {"last": last, "since": args.since, "until": args.until, "principle": args.principle,
            "question": args.question, "source": args.source}


def filtered(args: argparse.Namespace) -> bool:
    return any(getattr(args, k) for k in ("since", "until", "principle", "question", "source"))
