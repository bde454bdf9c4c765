"""`rehearse analyze FILE`: analyse a recorded answer."""

from __future__ import annotations

import argparse
import sys

from rehearse.errors import RehearseError

NAME = "analyze"


def add_parser(sub) -> argparse.ArgumentParser:
    analyze = sub.add_parser(NAME, help="analyse a recorded answer: transcript, delivery, STAR timing")
    analyze.add_argument("file", help="recording of one spoken answer (wav, flac, mp3, m4a, ogg, webm, ...)")
    analyze.add_argument("--json", action="store_true", help="print the full report as JSON")
    analyze.add_argument("--model", help="CTranslate2 Whisper folder or faster-whisper model name (default: bundled tiny.en)")
    analyze.add_argument("--rubric", default="star", help="rubric name or .toml path (default: star)")
    analyze.add_argument("--min-pause", type=float, metavar="SECONDS", help="shortest silence reported as a long pause (default 1.0)")
    analyze.add_argument("--prompt", help="Whisper initial prompt (default keeps fillers: 'Um, uh, hmm, er, ah.')")
    analyze.add_argument("--explain", action="store_true", help="show every sentence with its STAR label, time and the cues that decided it")
    analyze.add_argument("--lp", metavar="PRINCIPLE", help='Leadership Principle the question asks about, e.g. "Dive Deep": does the answer show it?')
    analyze.add_argument("--no-save", action="store_true", help="do not save this answer to your history (rehearse progress)")
    return analyze


def run(args: argparse.Namespace) -> int:
    from rehearse.pipeline import analyze

    if args.min_pause is not None and args.min_pause <= 0:
        raise RehearseError("--min-pause", "must be a positive number of seconds")
    report = analyze(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause, prompt=args.prompt, lp=args.lp)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.report import render

        render(report)
        if args.explain:
            from rehearse.explain import render_explain

            render_explain(report)
    if not args.no_save:
        from rehearse.history import save_quietly

        saved = save_quietly(report, "analyze")
        if saved is not None and not args.json:
            print(f"Saved as session {saved} (rehearse progress shows your trends; --no-save skips saving).")
    return 0
