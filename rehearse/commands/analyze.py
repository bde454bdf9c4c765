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
    analyze.add_argument("--explain", action="store_true", help="show every sentence with its STAR label, time and the cues that decided it (with --interview: every turn, its speaker and role, and why)")
    analyze.add_argument("--lp", metavar="PRINCIPLE", help='Leadership Principle the question asks about, e.g. "Dive Deep": does the answer show it?')
    analyze.add_argument("--html", metavar="OUT.html", help="also write the report as one self-contained HTML page (timeline, transcript)")
    analyze.add_argument("--open", action="store_true", help="open the --html page in the default browser")
    analyze.add_argument("--embed-audio", action="store_true", help="embed the recording in the --html page: click a word to play from there")
    analyze.add_argument("--no-save", action="store_true", help="do not save this answer to your history (rehearse progress)")
    analyze.add_argument("--question", metavar="TEXT|ID", help="the question this answer responds to, as text or a question-bank id "
                                                               "(`rehearse questions`); kept in your history, groups retries")
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
    import math
    from pathlib import Path

    if args.file == "":
        raise RehearseError("analyze", "no file given: the name is empty")
    if args.min_pause is not None and not (math.isfinite(args.min_pause) and args.min_pause > 0):
        raise RehearseError("--min-pause", "must be a positive number of seconds")
    from rehearse.report.html import check_page_options

    check_page_options(args.html, args.open, args.embed_audio)  # before the slow analysis
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

    question = _question(args.question, args.lp)
    report = analyze(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause, prompt=args.prompt,
                     lp=args.lp, question=question)
    saved = None
    if not args.no_save:  # saved first: a page that cannot be written or a closed stdout loses nothing
        from rehearse.history.store import save_quietly

        saved = save_quietly(report, "analyze")
    html_error = None
    if args.html:  # the page before the terminal report: a reader closing stdout early does not lose it
        try:
            write_html(report, args)
        except RehearseError as exc:
            html_error = exc
    if report.undecodable_s:
        from rehearse.report.terminal import damage_line

        print(f"rehearse: note: {report.file}: {damage_line(report)}", file=sys.stderr)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.report.terminal import render

        render(report)
        if args.explain:
            from rehearse.report.explain import render_explain

            render_explain(report)
    if saved is not None and not args.json:
        print(f"Saved as session {saved} (rehearse progress shows your trends; --no-save skips saving).")
    if html_error is not None:
        raise RehearseError(html_error.subject, html_error.problem + (f" (the analysis is saved as session {saved}: "
                                                                      f"rehearse show {saved} --html writes it again)"
                                                                      if saved is not None else ""))
    return 0


def _question(given: str | None, lp: str | None):
    """--question as a bank id (its principles, level and length come along) or as free text."""
    if given is None:
        return None
    from rehearse.practice import question_bank

    entry = next((q for q in question_bank.load() if q["id"] == given.strip()), None)
    if entry is not None:
        return question_bank.to_question(entry)
    return question_bank.choose(text=given, lp=lp)


def write_html(report, args: argparse.Namespace) -> None:
    """The --html page, with the recording embedded when asked, opened when asked."""
    from rehearse.report.html import announce, save_answer_page

    announce(save_answer_page(report, args.html, audio=(report.audio_path or args.file) if args.embed_audio else None),
             args.open)


def _splits(args: argparse.Namespace) -> list[float] | None:
    from rehearse.interview.turns import parse_splits

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
    from rehearse.interview.answers import analyze_interview

    report = analyze_interview(args.file, model=args.model, rubric_name=args.rubric, min_pause_s=args.min_pause,
                               lp=args.lp, splits=splits, progress=True)
    ids = []
    if not args.no_save:  # saved first: nothing is lost if the page or stdout fails
        from rehearse.history.store import save_quietly

        ids = [save_quietly(a.report, "interview") for a in report.answers if a.report is not None]
        ids = [i for i in ids if i is not None]
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        from rehearse.report.interview import render_interview, render_turns

        render_interview(report)
        if args.explain:
            render_turns(report)
    for note in report.notes:
        print(f"rehearse: note: {args.file}: {note}", file=sys.stderr)
    if args.html:
        from rehearse.report.html import announce, render_interview_page, write_page

        answers = [a for a in report.answers if a.report is not None]
        uris = _answer_audio(args.file, answers) if args.embed_audio else None
        summary = report.summary.model_dump(mode="json")
        followups = [[(f.at_s, f.question) for f in a.followups] for a in answers]
        page = write_page(args.html, render_interview_page([(a.question, a.report) for a in answers], summary, uris,
                                                           followups))
        announce(page, args.open)
    if ids and not args.json:
        print(f"Saved {len(ids)} answers as sessions {ids[0]}–{ids[-1]} (--no-save skips saving).")
    return 0


def _answer_audio(file: str, answers) -> list[str]:
    """Each answer's stretch of the recording as a data URI, as its report heard it (its times start
    at the answer; follow-ups and remarks inside it cut out)."""
    from rehearse.audio import decode as audio
    from rehearse.interview.answers import answer_samples
    from rehearse.report.embed import samples_data_uri

    samples = audio.decode(file)
    return [samples_data_uri(answer_samples(samples, a)) for a in answers]


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

    from rehearse.interview.batch import analyze_folder, audio_files, results_table

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
    ids = []
    if not args.no_save:  # every analysed answer is kept, as for one file; saved before printing
        from rehearse.interview.batch import save_items

        ids = save_items(items)
    if args.json:
        sys.stdout.write("[" + ",\n".join(item.model_dump_json(indent=2) for item in items) + "]\n")
    else:
        Console().print(results_table(items))
    if ids and not args.json:
        print(f"Saved {len(ids)} answer{'s' if len(ids) != 1 else ''} as session{'s' if len(ids) != 1 else ''} "
              f"{ids[0]}{f'–{ids[-1]}' if len(ids) > 1 else ''} (--no-save skips saving).")
    failed = [item for item in items if item.status == "error"]
    for item in failed:
        print(f"rehearse: error: {item.error}", file=sys.stderr)
    return 2 if failed else 0
