"""`rehearse export --csv FILE`: the session table as CSV, for a spreadsheet."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from rehearse.commands import filters

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
    import io

    from rehearse.files import write_atomic

    path = Path(args.csv)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=header)
    writer.writeheader()
    writer.writerows(table)
    write_atomic(path, text.getvalue(), "CSV file")  # through a temporary file; a FIFO or device is refused
    print(f"{len(table)} session{'s' if len(table) != 1 else ''} written to {path}")
    return 0
