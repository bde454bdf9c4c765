"""`rehearse questions`: list the practice question bank, filtered by principle and level."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "questions"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(NAME, help="list the practice questions (filter by Leadership Principle or level)")
    p.add_argument("--lp", metavar="PRINCIPLE", help='only questions probing this principle, e.g. "Ownership"')
    p.add_argument("--level", help="only questions for this level: intern, new grad, experienced")
    p.add_argument("--json", action="store_true", help="print the questions as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from rehearse.clock import clock
    from rehearse.practice.question_bank import select, to_question

    chosen = [to_question(q) for q in select(args.lp, args.level)]
    if args.json:
        sys.stdout.write(json.dumps([q.model_dump() for q in chosen], indent=2) + "\n")
        return 0
    table = Table(title=f"{len(chosen)} questions", show_lines=False)
    table.add_column("id", no_wrap=True)
    for name in ("question", "principles", "level", "length"):
        table.add_column(name, overflow="fold")
    for q in chosen:
        table.add_row(q.id, q.text, ", ".join(q.principles), q.level or "", clock(q.target_s or 0))
    Console().print(table)
    if not chosen:
        print("no question matches; try without --level", file=sys.stderr)
    return 0
