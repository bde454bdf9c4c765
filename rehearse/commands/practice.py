"""`rehearse practice`: pick a question, prepare, speak it into the microphone, get the report, retry."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rehearse.errors import RehearseError

NAME = "practice"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(NAME, help="answer a question out loud into the microphone and get feedback the moment you stop")
    pick = p.add_mutually_exclusive_group()
    pick.add_argument("--id", metavar="ID", help="question id from `rehearse questions`")
    pick.add_argument("--question", metavar="TEXT", help="practise your own question")
    p.add_argument("--lp", metavar="PRINCIPLE", help='pick a question probing this Leadership Principle, e.g. "Dive Deep"')
    p.add_argument("--level", help="pick a question for this level: intern, new grad, experienced")
    p.add_argument("--target", type=float, metavar="SECONDS", help="suggested length (default: the question's, or 120 s)")
    p.add_argument("--prep", type=float, metavar="SECONDS", help="preparation time before recording (default 20)")
    p.add_argument("--no-prep", action="store_true", help="start recording at once")
    p.add_argument("--device", metavar="NAME|INDEX", help="input device (see `rehearse devices`; default: the system default)")
    p.add_argument("--max-seconds", type=float, metavar="N", help="stop recording after N seconds")
    p.add_argument("--stop-after-silence", type=float, metavar="S", help="stop after S seconds of silence once you have spoken")
    p.add_argument("--json", action="store_true", help="print the report as JSON (as `analyze --json`, plus question and audio_path)")
    p.add_argument("--model", help="CTranslate2 Whisper folder or faster-whisper model name (default: bundled tiny.en)")
    p.add_argument("--no-save", action="store_true", help="do not add the attempt to your history (the recording is still kept)")
    return p


def _check(args) -> None:
    for flag, value in (("--max-seconds", args.max_seconds), ("--stop-after-silence", args.stop_after_silence),
                        ("--target", args.target)):
        if value is not None and value <= 0:
            raise RehearseError(flag, "must be a positive number of seconds")
    if args.prep is not None and args.prep < 0:
        raise RehearseError("--prep", "must be zero or more seconds")


def _prepare(seconds: float, console, interactive: bool) -> None:
    """Countdown before recording; Enter starts early when stdin is a terminal."""
    from rich.live import Live
    from rich.text import Text

    from rehearse.practice.recorder import _enter_pressed

    if seconds <= 0:
        return
    end = time.monotonic() + seconds
    if not interactive:
        console.print(f"Preparation: {seconds:g} s")
        time.sleep(seconds)
        return
    with Live(console=console, refresh_per_second=4, transient=True) as live:
        while (left := end - time.monotonic()) > 0:
            live.update(Text(f"Prepare your answer: {left:4.0f} s  (Enter to start now)", style="bold"))
            if _enter_pressed():
                return
            time.sleep(0.1)


def attempt(question, args, settings, setup, source_factory, console, interactive: bool):
    """One recorded answer to `question`: the Report, or None if the user stopped with SIGTERM."""
    from rehearse import rubric
    from rehearse.practice.live_view import LiveView, question_panel
    from rehearse.practice.recorder import record
    from rehearse.practice.session import (
        analyse_recording,
        look_ahead,
        session_folder,
        warm_up,
    )
    from rehearse.practice.session_wav import SessionWav
    from rehearse.practice.streaming import AudioBuffer, StreamingTranscriber

    source = source_factory()  # resolves the device: a bad --device fails before anything is created
    folder = session_folder(question)
    (folder / "question.json").write_text(question.model_dump_json(indent=2) + "\n")
    wav_path = folder / "answer.wav"
    console.print(question_panel(question))
    buffer = AudioBuffer()
    streaming = StreamingTranscriber(buffer, setup["config"], setup["spec"], settings["streaming"])
    streaming.start()  # loads the model while the candidate prepares
    lookahead = look_ahead(buffer, settings, streaming)
    warm_up(setup)
    prep = 0.0 if args.no_prep else (settings["capture"]["default_prep_s"] if args.prep is None else args.prep)
    _prepare(prep, console, interactive)
    view = None
    if interactive and console.is_terminal:
        pace = tuple(setup["config"]["pace"]["target_wpm"])
        view = LiveView(question, console, settings["level"]["meter_floor_dbfs"], pace)
    lexicon = rubric.load("fillers")
    def started() -> None:
        if view is None:  # the live view says it on a terminal
            print(f"rehearse: recording from {source.name} to {wav_path} (stop with Ctrl-C"
                  f"{f'; stops by itself after {args.max_seconds:g} s' if args.max_seconds else ''})",
                  file=sys.stderr, flush=True)

    with SessionWav(wav_path, flush_s=settings["capture"]["flush_s"]) as wav:
        rec = record(source, wav, buffer, settings, max_seconds=args.max_seconds,
                     stop_after_silence=args.stop_after_silence, view=view, streaming=streaming,
                     filled_pauses=set(lexicon["filled_pauses"]), on_start=started)
    for text in rec.warnings if view else []:
        console.print(f"[yellow]warning:[/] {text}")
    print(f"rehearse: stopped ({rec.stop_reason}) after {rec.seconds:.1f} s; recording saved to {wav_path}",
          file=sys.stderr, flush=True)
    if rec.stop_reason == "sigterm":
        lookahead.cancel()
        if not streaming.cancel():  # Whisper still busy: leave now, the recording is already on disk
            sys.stderr.flush()
            os._exit(143)
        return None
    if rec.error is not None and rec.seconds < 1:
        raise rec.error
    if rec.error is not None:
        print(f"rehearse: warning: {rec.error}", file=sys.stderr)
    if rec.seconds == 0:
        raise RehearseError(str(wav_path), "nothing was recorded (the microphone delivered no audio)")
    try:
        return analyse_recording(rec, streaming, buffer, wav_path, question, setup, lookahead)
    except RehearseError as exc:
        raise RehearseError(str(wav_path), f"{exc.problem} (the recording is kept there)") from None


def _keep(report, folder: Path, args) -> None:
    """The session's HTML page (recording embedded) beside its WAV, and the answer in the history.
    Neither may cost the candidate the report: a failure is one warning line."""
    from rehearse.report.html import save_answer_page

    try:
        save_answer_page(report, folder / "report.html", audio=report.audio_path)
    except (OSError, RehearseError) as exc:
        print(f"rehearse: warning: {folder / 'report.html'}: cannot write the page ({exc})", file=sys.stderr)
    if not args.no_save:
        from rehearse.history.store import save_quietly

        session = save_quietly(report, "practice")
        if session is not None and not args.json:
            print(f"rehearse: saved as session {session} (rehearse progress shows your trends)", file=sys.stderr)


def _ask_retry(console) -> bool:
    try:
        answer = console.input("[bold]Try this question again?[/] [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from rehearse import rubric
    from rehearse.audio.capture import MicSource
    from rehearse.pipeline import setup as resolve_setup
    from rehearse.practice import question_bank

    _check(args)
    settings = rubric.load("practice")
    question = question_bank.choose(qid=args.id, text=args.question, lp=args.lp, level=args.level,
                                    default_target_s=float(settings["capture"]["default_target_s"]))
    if args.target:
        question = question.model_copy(update={"target_s": args.target})
    setup = resolve_setup(args.model, "star", (question.principles or [None])[0])
    interactive = sys.stdin.isatty() and not args.json
    console = Console(stderr=args.json)
    block_s = float(settings["capture"]["block_s"])
    MicSource(args.device, block_s=block_s)  # fail on PortAudio / device problems before anything else

    previous = None
    while True:
        report = attempt(question, args, settings, setup, lambda: MicSource(args.device, block_s=block_s), console,
                         interactive)
        if report is None:
            return 143
        if args.json:
            sys.stdout.write(report.model_dump_json(indent=2) + "\n")
            sys.stdout.flush()
            _keep(report, Path(report.audio_path).parent, args)  # after the feedback: it takes a second
        else:
            from rehearse.report.terminal import render

            render(report, console)
            console.print(f"[dim]ready {report.timings_s['stop_to_report']:.1f} s after you stopped · "
                          f"saved in {Path(report.audio_path).parent}[/]")
            if previous is not None:
                from rehearse.practice.compare import table

                console.print(table(previous, report))
            _keep(report, Path(report.audio_path).parent, args)
        if not interactive or not _ask_retry(console):
            return 0
        previous = report


