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


def rows(sessions) -> tuple[list[str], list[dict]]:
    """One CSV row per session: every stored column; principles joined with ' | ', shares as share_<section>."""
    labels: list[str] = []
    for s in sessions:
        labels += [k for k in s.shares if k not in labels]
    out = []
    for s in sessions:
        data = s.model_dump(mode="json")
        shares = data.pop("shares")
        data["principles"] = " | ".join(data["principles"])
        data.update({f"share_{k}": shares.get(k) for k in labels})
        out.append(data)
    header = list(out[0]) if out else []
    return header, out


def run(args: argparse.Namespace) -> int:
    from rehearse.history.progress import select
    from rehearse.models import Session

    chosen = filters.values(args)
    if chosen["last"] is None and not filters.filtered(args):
        chosen["last"] = 10**9  # export everything unless asked otherwise
    sessions, _ = select(**chosen)
    header, table = rows(sessions)
    if not header:
        header = [k for k in Session.model_fields if k != "shares"]
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
