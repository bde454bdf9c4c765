"""Command line: `rehearse <command> ...`; each command lives in `rehearse/commands/`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rehearse.commands import COMMANDS
from rehearse.errors import RehearseError


def _modules():
    return [importlib.import_module(f"rehearse.commands.{name}") for name in COMMANDS]


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(prog="rehearse", description="Offline rehearsal coach for behavioural interview answers.")
    sub = parser.add_subparsers(dest="command", required=True)
    runners = {}
    for module in _modules():
        module.add_parser(sub)
        runners[module.NAME] = module.run
    return parser, runners


def main(argv: list[str] | None = None) -> int:
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        return runners[args.command](args)
    except RehearseError as exc:
        print(f"rehearse: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless debugging
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: internal error: {type(exc).__name__}: {exc} (set REHEARSE_DEBUG=1 for details)", file=sys.stderr)
        return 1
