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
    analyze.add_argument("--html", metavar="OUT.html", help="also write the report as one self-contained HTML page (timeline, transcript)")
    analyze.add_argument("--open", action="store_true", help="open the --html page in the default browser")
    analyze.add_argument("--embed-audio", action="store_true", help="embed the recording in the --html page: click a word to play from there")
    analyze.add_argument("--no-save", action="store_true", help="do not save this answer to your history (rehearse progress)")
    return analyze


def run(args: argparse.Namespace) -> int:
    from rehearse.pipeline import analyze

    if args.min_pause is not None and args.min_pause <= 0:
        raise RehearseError("--min-pause", "must be a positive number of seconds")
    if (args.open or args.embed_audio) and not args.html:
        raise RehearseError("--open" if args.open else "--embed-audio", "needs --html OUT.html")
    if args.html:
        from rehearse.html import check_writable

        check_writable(args.html)  # before the slow analysis
    report = analyze(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause, prompt=args.prompt, lp=args.lp)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.report import render

        render(report)
        if args.explain:
            from rehearse.explain import render_explain

            render_explain(report)
    if args.html:
        write_html(report, args)
    if not args.no_save:
        from rehearse.history import save_quietly

        saved = save_quietly(report, "analyze")
        if saved is not None and not args.json:
            print(f"Saved as session {saved} (rehearse progress shows your trends; --no-save skips saving).")
    return 0


def write_html(report, args: argparse.Namespace) -> None:
    """The --html page, with the recording embedded when asked, opened when asked."""
    from rehearse.html import open_page, save_answer_page

    path = save_answer_page(report, args.html, audio=(report.audio_path or args.file) if args.embed_audio else None)
    print(f"rehearse: wrote {path}", file=sys.stderr)
    if args.open and not open_page(path):
        print(f"rehearse: could not start a browser; open {path.resolve().as_uri()} yourself", file=sys.stderr)
