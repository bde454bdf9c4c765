"""Command line: `rehearse <command> ...`; each command lives in `rehearse/commands/`."""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys

from rehearse.commands import COMMANDS
from rehearse.errors import RehearseError


def _modules():
    return [importlib.import_module(f"rehearse.commands.{name}") for name in COMMANDS]


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line, like every other error of rehearse (the usage
    block is what `--help` is for)."""

    def error(self, message: str):
        hint = ""
        if "expected one argument" in message and any(a.startswith("-") and a[1:2].isdigit() for a in sys.argv[1:]):
            hint = " (a value starting with '-' goes after '=', e.g. --splits=-5,0:02)"
        self.exit(2, f"{self.prog}: error: {message}{hint}; see `{self.prog} --help`\n")


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = _Parser(prog="rehearse", description="Offline rehearsal coach for behavioural interview answers.")
    sub = parser.add_subparsers(dest="command", required=True)
    runners = {}
    for module in _modules():
        module.add_parser(sub)
        runners[module.NAME] = module.run
    return parser, runners


def _tolerant_output() -> None:
    """A terminal or pipe whose encoding cannot show every character (LANG=C, PYTHONIOENCODING=ascii)
    gets a replacement character instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace" if stream is sys.stdout else "backslashreplace")
            except (ValueError, OSError):
                pass


class StdoutError(OSError):
    """Standard output refused a write (full device, closed pipe)."""


class _Stdout:
    """sys.stdout, with its write errors told apart from every other OSError."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _stdout_gone() -> None:
    """Standard output cannot take more (closed pipe, full device): send what is left nowhere, so
    the interpreter's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    if not isinstance(sys.stdout, _Stdout) and sys.stdout is not None:
        sys.stdout = _Stdout(sys.stdout)
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        code = runners[args.command](args)
        sys.stdout.flush()
        return code
    except RehearseError as exc:
        print(f"rehearse: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        return 130
    except (StdoutError, BrokenPipeError) as exc:
        _stdout_gone()
        if exc.errno == errno.EPIPE:  # `rehearse ... | head`: the reader has all it wanted
            return 0
        from rehearse.files import os_problem

        print(f"rehearse: error: standard output: cannot write: {os_problem(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # the system refused something (full disk, name too long, ...): not a bug
        from rehearse.files import display, os_problem

        where = display(exc.filename) if exc.filename is not None else "rehearse"
        print(f"rehearse: error: {where}: {os_problem(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not bad input: still one line unless debugging
        if os.environ.get("REHEARSE_DEBUG"):
            raise
        print(f"rehearse: internal error: {type(exc).__name__}: {exc} (set REHEARSE_DEBUG=1 for details)", file=sys.stderr)
        return 1
