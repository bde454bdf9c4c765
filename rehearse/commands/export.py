"""`rehearse export --csv FILE`: the session table as CSV, for a spreadsheet."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from rehearse.commands import filters
from rehearse.errors import RehearseError

NAME = "export"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="export saved sessions as CSV")
    parser.add_argument("--csv", required=True, metavar="FILE", help="CSV file to write ('-' for standard output)")
    filters.add(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.history.progress import select
    from rehearse.history.store import csv_rows

    chosen = filters.values(args)
    if chosen["last"] is None and not filters.filtered(args):
        chosen["last"] = 10**9  # export everything unless asked otherwise
    sessions, _ = select(**chosen)
    header, table = csv_rows(sessions)
    if args.csv == "-":
        writer = csv.DictWriter(sys.stdout, fieldnames=header)
        writer.writeheader()
        writer.writerows(table)
        return 0
    path = Path(args.csv)
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(table)
    except OSError as exc:
        raise RehearseError(str(path), f"cannot write the CSV file ({exc.strerror or exc})") from None
    print(f"{len(table)} session{'s' if len(table) != 1 else ''} written to {path}")
    return 0
