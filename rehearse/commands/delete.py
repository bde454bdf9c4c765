"""`rehearse delete ID`: remove one saved session (its recording only with --audio)."""

from __future__ import annotations

import argparse

NAME = "delete"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="remove a saved session from the history (the recording is kept unless --audio)")
    parser.add_argument("id", help="session id from rehearse history, or 'last'")
    parser.add_argument("--audio", action="store_true", help="also delete the recording rehearse kept for it")
    return parser


def run(args: argparse.Namespace) -> int:
    from rehearse.history import store as history

    session, removed = history.delete(history.session_id(args.id), audio=args.audio)
    print(f"Deleted session {session.id} ({session.created_at[:16].replace('T', ' ')} UTC, {session.source}).")
    if removed is not None:
        print(f"Deleted its recording {removed}.")
    elif session.audio_path:
        reason = "kept (--audio deletes it)" if not args.audio else "kept: another session uses it, or it is gone"
        print(f"Its recording {session.audio_path} was {reason}.")
    elif args.audio:
        print(f"It had no recording kept by rehearse; the analysed file {session.file} is yours and was left alone.")
    return 0
