"""The analysis pipeline, one answer: decode → voice activity → transcribe → delivery → STAR →
voice → tips. It only orchestrates: each step is one call into its stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rehearse import __version__, rubric
from rehearse.audio import decode as audio
from rehearse.audio.vad import find_speech
from rehearse.delivery import acoustic
from rehearse.delivery.analyze import analyze_delivery
from rehearse.errors import RehearseError
from rehearse.models import Question, Report, Span, Transcription
from rehearse.speech import model as whisper_model
from rehearse.speech import relisten
from rehearse.speech.transcript import transcribe_speech
from rehearse.star import prepare as star_prepare
from rehearse.star.label import score_star
from rehearse.star.tips import choose_tips
from rehearse.voice import pitch
from rehearse.voice.analyze import analyze_voice


class Laps:
    """Seconds spent per stage: `lap("vad")` records the time since the previous lap into `timings`."""

    def __init__(self, timings: dict[str, float] | None = None):
        self.timings = {} if timings is None else timings
        self.clock = time.perf_counter()
        self.carved = 0.0

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self.clock - self.carved, 3)
        self.clock, self.carved = now, 0.0

    def carve(self, name: str, seconds: float) -> None:
        """Book `seconds` spent inside the current lap under `name` instead (a step called from within a stage)."""
        self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 3)
        self.carved += seconds


def analyze(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
    question: Question | str | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Report:
    """Analyse one recorded answer from its file. `question`: the question answered, when known
    (shown in the report; its content words are the answer's topic terms, not repetitive wording).
    `progress(done_s, total_s)` follows the transcription, the slow part (`rehearse serve`'s upload bar)."""
    from rehearse.files import display

    lap = Laps()
    check_lp(rubric_name, lp)  # an unknown principle or model fails before the slow part
    whisper_model.resolve_model(model)
    decoded = audio.decode_file(path)
    lap("decode")
    report = analyze_samples(decoded.samples, display(path), model=model, rubric_name=rubric_name,
                             min_pause_s=min_pause_s, prompt=prompt, lp=lp, hotwords=hotwords, timings=lap.timings,
                             question=question, progress=progress)
    return with_decoding(report, decoded)


def with_decoding(report: Report, decoded: audio.Decoded) -> Report:
    """The report with what could not be decoded from its file (a damaged recording)."""
    if not decoded.undecodable_s:
        return report
    return report.model_copy(update={"undecodable_s": decoded.undecodable_s,
                                     "undecodable": [Span(start_s=a, end_s=b) for a, b in decoded.gaps]})


def check_lp(rubric_name: str, lp: str | None) -> None:
    """Fail early on an unknown --lp principle."""
    if lp:
        from rehearse.star.principles import resolve

        star_rubric = rubric.load(rubric_name)
        resolve(lp, rubric.load(star_rubric.get("principles", "principles")))


def setup(model: str | None, rubric_name: str, lp: str | None) -> dict:
    """Rubrics and model spec; an unknown principle, rubric or model fails before anything slow."""
    check_lp(rubric_name, lp)
    return {"config": rubric.load("delivery"), "star_rubric": rubric.load(rubric_name), "lexicon": rubric.load("fillers"),
            "spec": whisper_model.resolve_model(model), "rubric_name": rubric_name}


def analyze_samples(
    samples: np.ndarray,
    file: str,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
    timings: dict[str, float] | None = None,
    question: Question | str | None = None,
    transcriber: Callable | None = None,
    setup: dict | None = None,
    precomputed: dict | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Report:
    """Analyse one answer from 16 kHz mono samples; `file` names it in errors and the report.

    `transcriber(whisper, spec, samples, speech, hint, settings)`, when given, replaces the
    transcription of the whole recording (practice passes one that reuses the stretches it
    transcribed while the candidate was still speaking). `setup` (from `setup()`) gives the model
    and rubric already resolved. `precomputed` (from `precompute()`) holds the voice activity and
    pitch of these samples, worked out while the last words were being transcribed (and, from
    practice, the voiced islands it heard again while the candidate spoke: "relistened")."""
    lap = Laps(timings)
    if setup is None:
        check_lp(rubric_name, lp)
        rubric.load("fillers")
        spec = whisper_model.resolve_model(model)
    else:
        spec, rubric_name = setup["spec"], setup.get("rubric_name", rubric_name)
    star_prepare.warm_in_background(rubric.load(rubric_name))  # compiled while Whisper transcribes
    if precomputed is not None:
        speech, speech_s = precomputed["speech"]
    else:
        speech, speech_s = find_speech(samples, file)
    lap("vad")
    whisper = whisper_model.get_model(spec)
    lap("load_model")
    text = transcribe_speech(samples, speech, spec, whisper, prompt=prompt, hotwords=hotwords, transcriber=transcriber,
                             file=file if transcriber is None else None, progress=progress)
    if not text.words:
        raise RehearseError(file, "no speech was heard (no words recognised)")
    lap("transcribe")
    return analyze_transcribed(samples, text, file, rubric_name=rubric_name, min_pause_s=min_pause_s, lp=lp,
                               timings=lap.timings, question=question,
                               computed_pitch=precomputed.get("pitch") if precomputed else None,
                               listener=(whisper, spec), heard=precomputed.get("heard") if precomputed else None,
                               relistened=precomputed.get("relistened") if precomputed else None)


def precompute(samples: np.ndarray, file: str, speech: list[Span] | None = None,
               raw_pitch: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """What `analyze_samples` needs that does not depend on the words: voice activity, the fillers
    heard in the audio and the pitch track. Practice runs it in a thread while the last stretch is
    being transcribed, with the voice activity and pitch mostly worked out while the candidate
    spoke (`speech`, `raw_pitch`: see `rehearse.practice.lookahead`)."""
    found = find_speech(samples, file, found=speech)
    lexicon = rubric.load("fillers")
    heard = acoustic.listen(samples, found[0], lexicon["acoustic"]) if "acoustic" in lexicon else None
    return {"speech": found, "heard": heard,
            "pitch": raw_pitch if raw_pitch is not None else pitch.raw(samples, rubric.load("voice")["pitch"])}


def analyze_transcribed(
    samples: np.ndarray,
    text: Transcription,
    file: str,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    lp: str | None = None,
    timings: dict[str, float] | None = None,
    question: Question | str | None = None,
    computed_pitch: tuple[np.ndarray, np.ndarray] | None = None,
    listener: tuple | None = None,
    heard: list | None = None,
    relistened: dict | None = None,
) -> Report:
    """Everything after transcription, for one answer: fillers heard in the audio, delivery, STAR, voice, tips.
    `listener` (the Whisper model and its spec) hears each voiced island again on its own
    (`rehearse.speech.relisten`); without it, only the first transcription's words are used.
    `heard`: `acoustic.listen()` over the same voice activity, done earlier (see `precompute`);
    `relistened`: islands already heard again (`relisten.hear_islands`, practice does it while the
    candidate speaks)."""
    if isinstance(question, str):
        question = Question(text=question)
    lap = Laps(timings)
    config = rubric.load("delivery")
    star_rubric = rubric.load(rubric_name)
    lexicon = rubric.load("fillers")
    duration = len(samples) / audio.SAMPLE_RATE
    speech_s = sum(r.end_s - r.start_s for r in text.speech)

    if heard is None and "acoustic" in lexicon:
        heard = acoustic.listen(samples, text.speech, lexicon["acoustic"])
    lap("audio_fillers")
    hear = None
    if listener is not None and "relisten" in lexicon:
        whisper, spec = listener

        def hear(islands: list[acoustic.Stretch]) -> None:
            start = time.perf_counter()
            relisten.relisten(whisper, samples, islands, lexicon["relisten"], spec.english_only, relistened)
            lap.carve("relisten", time.perf_counter() - start)

    min_pause = config["pauses"]["min_pause_s"] if min_pause_s is None else min_pause_s
    star_prepare.warm(star_rubric)  # waits for the warm-up started before transcription, if still running
    star = score_star(text.sentences, star_rubric, lp=lp)
    lap("star")
    delivery = analyze_delivery(text, config, lexicon, min_pause, sections=star.sections, samples=samples,
                                heard=heard, hear=hear)
    lap("analysis")

    voice = analyze_voice(samples, text, star.sections, rubric.load("voice"), set(lexicon["filled_pauses"]),
                          question.text if question else None, computed_pitch)
    lap("voice")
    tips = choose_tips(delivery, star, star_rubric, config, duration, voice=voice)

    return Report(
        rehearse_version=__version__,
        file=file,
        question=question,
        duration_s=round(duration, 3),
        speech_s=round(speech_s, 3),
        transcript=text.text,
        model=text.model,
        words=text.words,
        sentences=text.sentences,
        pacing=delivery.pacing,
        pauses=delivery.pauses,
        fillers=delivery.fillers,
        fillers_per_minute=delivery.fillers_per_minute,
        repetitions=delivery.repetitions,
        all_pauses=delivery.all_pauses,
        pause_stats=delivery.pause_stats,
        per_minute=delivery.per_minute,
        worst_stretch=delivery.worst_stretch,
        top_fillers=delivery.top_fillers,
        filler_target_per_minute=config["fillers"]["max_per_minute"],
        min_pause_s=delivery.min_pause_s,
        star=star,
        tips=tips,
        timings_s=lap.timings,
        voice=voice,
    )


