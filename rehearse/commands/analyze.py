"""`rehearse analyze FILE`: analyse a recorded answer."""

from __future__ import annotations

import argparse
import sys

from rehearse.errors import RehearseError

NAME = "analyze"


def add_parser(sub) -> argparse.ArgumentParser:
    analyze = sub.add_parser(NAME, help="analyse a recorded answer: transcript, delivery, STAR timing")
    analyze.add_argument("file", help="recording of one spoken answer (wav, flac, mp3, m4a, ogg, webm, ...), "
                                      "or a folder: every audio file in it")
    analyze.add_argument("--json", action="store_true", help="print the full report as JSON")
    analyze.add_argument("--model", help="CTranslate2 Whisper folder or faster-whisper model name (default: bundled tiny.en)")
    analyze.add_argument("--rubric", default="star", help="rubric name or .toml path (default: star)")
    analyze.add_argument("--min-pause", type=float, metavar="SECONDS", help="shortest silence reported as a long pause (default 1.0)")
    analyze.add_argument("--prompt", help="Whisper initial prompt (default keeps fillers: 'Um, uh, hmm, er, ah.')")
    analyze.add_argument("--explain", action="store_true", help="show every sentence with its STAR label, time and the cues that decided it")
    analyze.add_argument("--lp", metavar="PRINCIPLE", help='Leadership Principle the question asks about, e.g. "Dive Deep": does the answer show it?')
    mode = analyze.add_argument_group("mock interviews and folders")
    mode.add_argument("--interview", action="store_true",
                      help="the recording is a mock interview: find the questions, report every answer and a summary")
    mode.add_argument("--splits", metavar="TIMES",
                      help="give the turns by hand (implies --interview): start times of question, answer, question, "
                           "answer, ... e.g. 0:00,0:07,2:31,2:40")
    mode.add_argument("--splits-file", metavar="FILE", help="the same times in a file, one per line or comma-separated")
    mode.add_argument("--force", action="store_true", help="folder: analyse again files already analysed")
    mode.add_argument("--jobs", type=int, metavar="N", help="folder: files analysed at once (default: one per core)")
    return analyze


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.min_pause is not None and args.min_pause <= 0:
        raise RehearseError("--min-pause", "must be a positive number of seconds")
    if args.jobs is not None and args.jobs < 1:
        raise RehearseError("--jobs", "must be at least 1")
    splits = _splits(args)
    if Path(args.file).is_dir():
        if splits is not None:
            raise RehearseError("--splits", "give turns for one file, not a folder")
        return _folder(args)
    if args.interview or splits is not None:
        return _interview(args, splits)
    from rehearse.pipeline import analyze
    report = analyze(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause, prompt=args.prompt, lp=args.lp)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.report import render

        render(report)
        if args.explain:
            from rehearse.explain import render_explain

            render_explain(report)
    return 0


def _splits(args: argparse.Namespace) -> list[float] | None:
    from rehearse.interview import parse_splits

    if args.splits and args.splits_file:
        raise RehearseError("--splits-file", "give --splits or --splits-file, not both")
    if args.splits:
        return parse_splits(args.splits)
    if args.splits_file:
        from pathlib import Path

        path = Path(args.splits_file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RehearseError(str(path), f"cannot read the splits file ({getattr(exc, 'strerror', None) or exc})") from None
        return parse_splits(text, str(path))
    return None


def _interview(args: argparse.Namespace, splits: list[float] | None) -> int:
    from rehearse.interview import analyze_interview

    report = analyze_interview(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause,
                               lp=args.lp, splits=splits, progress=True)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.interview_report import render_interview

        render_interview(report)
    for note in report.notes:
        print(f"rehearse: note: {args.file}: {note}", file=sys.stderr)
    return 0


def _folder(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from rehearse.batch import analyze_folder, audio_files, results_table

    folder = Path(args.file)
    options = {"interview": bool(args.interview), "model": args.model, "rubric": args.rubric,
               "min_pause": args.min_pause, "prompt": args.prompt, "lp": args.lp}
    total = len(audio_files(folder))
    err = Console(stderr=True)
    with Progress(TextColumn("analysing files"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
                  TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=err, transient=True,
                  disable=not (err.is_terminal and err.is_interactive)) as bar:
        task = bar.add_task("files", total=total)
        items = analyze_folder(folder, options, force=args.force, jobs=args.jobs,
                               on_done=lambda item: bar.advance(task))
    if args.json:
        sys.stdout.write("[" + ",\n".join(item.model_dump_json(indent=2) for item in items) + "]\n")
    else:
        Console().print(results_table(items))
    failed = [item for item in items if item.status == "error"]
    for item in failed:
        print(f"rehearse: error: {item.error}", file=sys.stderr)
    return 2 if failed else 0
