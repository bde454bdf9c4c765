"""One practice attempt on disk: its session folder, and its report once recording stops.

Shared by `rehearse practice` (the microphone) and `rehearse serve` (the browser's microphone):
the same folder layout (question.json, answer.wav, report.json) and the same analysis, which
finishes the stretch still being transcribed while voice activity and pitch are worked out."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rehearse.errors import RehearseError
from rehearse.files import write_atomic
from rehearse.models import Question, Report


def session_folder(question: Question) -> Path:
    """A new folder under the sessions folder, named for the time and the question."""
    from rehearse.paths import new_session_folder

    return new_session_folder(question.id or "own-question")


def warm_up(setup: dict) -> None:
    """Have the STAR stage compiled before the stop (in a thread, while the candidate speaks)."""
    from rehearse import rubric
    from rehearse.star import prepare

    prepare.warm_in_background(rubric.load(setup.get("rubric_name", "star")))


def look_ahead(buffer, settings: dict, streaming=None):
    """Voice activity and pitch worked out while the candidate speaks (`lookahead.Lookahead`, started);
    `streaming` (the transcriber) hears the voiced islands it finds again between stretches."""
    from rehearse import rubric
    from rehearse.practice.lookahead import Lookahead

    lookahead = Lookahead(buffer, settings["lookahead"])
    if streaming is not None:
        streaming.hear_ahead(lookahead, rubric.load("fillers").get("relisten"))
    lookahead.start()
    return lookahead


def analyse_recording(rec, streaming, buffer, wav_path: Path, question: Question, setup: dict,
                      lookahead=None) -> Report:
    """The report of a finished recording (`rec` from `recorder.record`): the last stretch transcribed,
    the rest analysed, report.json written beside the WAV. RehearseError when there is nothing to analyse.
    `lookahead` (from `look_ahead`) holds the voice activity and pitch of all but the last block."""
    from concurrent.futures import ThreadPoolExecutor

    from rehearse.pipeline import analyze_samples, precompute
    from rehearse.speech.model import get_model

    def ahead_of_words(samples):
        if lookahead is None:
            return precompute(samples, str(wav_path))
        speech, raw_pitch = lookahead.finish(samples)
        return precompute(samples, str(wav_path), speech=speech, raw_pitch=raw_pitch)

    streamed_s = streaming.committed / 16000
    with ThreadPoolExecutor(max_workers=1) as pool:
        # voice activity and pitch do not need the words: worked out while the last ones are transcribed
        ahead = pool.submit(ahead_of_words, buffer.view())
        streaming.finish()
        finished = time.perf_counter()
        precomputed = ahead.result()
    precomputed["relistened"] = dict(streaming.heard_alone)
    get_model(setup["spec"])
    report = analyze_samples(buffer.view(), str(wav_path), setup=setup, lp=(question.principles or [None])[0],
                             transcriber=streaming.transcriber(), question=question, precomputed=precomputed)
    report.timings_s["stop_to_report"] = round(time.perf_counter() - rec.stopped_at, 3)
    report.timings_s["streamed_audio_s"] = round(streamed_s, 3)
    report.timings_s["stop_to_last_words"] = round(finished - rec.stopped_at, 3)
    if os.environ.get("REHEARSE_DEBUG"):
        print(f"rehearse: debug: stretches (start, end, seconds to transcribe): {streaming.chunks}", file=sys.stderr)
    report.question = question
    report.audio_path = str(wav_path)
    folder = Path(wav_path).parent
    try:  # renamed into place whole: the page and `rehearse show` never read half a report
        write_atomic(folder / "report.json", report.model_dump_json(indent=2) + "\n", "report")
    except RehearseError as exc:
        print(f"rehearse: warning: {exc}", file=sys.stderr)
    return report
