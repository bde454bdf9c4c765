"""The analysis pipeline: decode → voice activity → transcribe → delivery → STAR → voice → tips."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rehearse import (
    __version__,
    acoustic,
    audio,
    pitch,
    relisten,
    rubric,
    transcribe,
    vad,
)
from rehearse.delivery import analyze_delivery
from rehearse.errors import RehearseError
from rehearse.models import Question, Report, Span, Transcription
from rehearse.star import score_star
from rehearse.tips import choose_tips
from rehearse.voice import analyze_voice
from rehearse.words import norm

_models: dict[str, object] = {}


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
THREADS: int | None = None  # CPU threads per model; None: every core (batch workers share the cores)


def get_model(spec: transcribe.ModelSpec):
    """Load each model once per process."""
    if spec.source not in _models:
        _models[spec.source] = transcribe.load_model(spec, threads=THREADS)
    return _models[spec.source]


def analyze(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
    question: Question | str | None = None,
) -> Report:
    """Analyse one recorded answer from its file. `question`: the question answered, when known
    (shown in the report; its content words are the answer's topic terms, not repetitive wording)."""
    path = Path(path)
    lap = Laps()
    check_lp(rubric_name, lp)  # an unknown principle or model fails before the slow part
    transcribe.resolve_model(model)
    samples = audio.decode(path)
    lap("decode")
    return analyze_samples(samples, str(path), model=model, rubric_name=rubric_name, min_pause_s=min_pause_s,
                           prompt=prompt, lp=lp, hotwords=hotwords, timings=lap.timings, question=question)


def check_lp(rubric_name: str, lp: str | None) -> None:
    """Fail early on an unknown --lp principle."""
    if lp:
        from rehearse.principles import resolve

        star_rubric = rubric.load(rubric_name)
        resolve(lp, rubric.load(star_rubric.get("principles", "principles")))


def find_speech(samples: np.ndarray, file: str) -> tuple[list[Span], float]:
    """Voice-activity regions and seconds of speech; bad input (silence, too little speech) fails."""
    vcfg = rubric.load("delivery")["vad"]
    speech = vad.speech_regions(samples, vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"],
                                block_s=vcfg.get("block_s"))
    speech_s = sum(r.end_s - r.start_s for r in speech)
    if not speech:
        raise RehearseError(file, "no speech was heard (the recording is silent)")
    if speech_s < vcfg["min_speech_s"]:
        raise RehearseError(file, f"only {speech_s:.1f} s of speech heard; need at least {vcfg['min_speech_s']:g} s")
    return speech, speech_s


def setup(model: str | None, rubric_name: str, lp: str | None) -> dict:
    """Rubrics and model spec; an unknown principle, rubric or model fails before anything slow."""
    check_lp(rubric_name, lp)
    return {"config": rubric.load("delivery"), "star_rubric": rubric.load(rubric_name), "lexicon": rubric.load("fillers"),
            "spec": transcribe.resolve_model(model), "rubric_name": rubric_name}


def transcription_settings(config: dict, prompt: str | None = None, hotwords: str | None = None) -> tuple[dict, dict]:
    """Whisper hint (prompt, hotwords) and word-filter settings from the delivery rubric."""
    vcfg, tcfg = config["vad"], config["transcription"]
    hint = {"prompt": tcfg["prompt"] if prompt is None else prompt,
            "hotwords": (tcfg.get("hotwords") if hotwords is None else hotwords) or None}
    settings = {"min_word_overlap": vcfg["min_word_overlap"], "sentence_gap_s": tcfg["sentence_gap_s"],
                "trailing_max_probability": tcfg["trailing_max_probability"], "keep_silence_s": tcfg["keep_silence_s"]}
    return hint, settings


def transcribe_with_hint(whisper, spec: transcribe.ModelSpec, samples: np.ndarray, speech: list[Span], config: dict,
                         hint: dict, settings: dict) -> Transcription:
    """Transcribe with the filler hint; decode again without it if the hint derailed Whisper."""
    tcfg = config["transcription"]
    speech_s = sum(r.end_s - r.start_s for r in speech)
    text = transcribe.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], **settings,
                                 hotwords=hint["hotwords"])
    if (hint["prompt"] or hint["hotwords"]) and len(text.words) < tcfg.get("min_words_per_speech_s", 0) * speech_s:
        # a filler prompt can derail Whisper into writing "Uh." for whole sentences: decode again without it
        plain = transcribe.transcribe(whisper, spec, samples, speech, prompt=None, **settings, hotwords=None)
        if len(plain.words) > len(text.words):
            text = plain
    return transcribe.drop_unplaced(text, tcfg.get("unplaced_min_words", 0), settings["sentence_gap_s"])


def _uncovered(region: Span, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of a voice-activity region that none of `spans` (word spans) overlaps."""
    pieces, at = [], region.start_s
    for a, b in sorted(spans):
        if b <= at or a >= region.end_s:
            continue
        if a > at:
            pieces.append((at, a))
        at = max(at, b)
    if at < region.end_s:
        pieces.append((at, region.end_s))
    return pieces


def fill_holes(text: Transcription, samples: np.ndarray, spec: transcribe.ModelSpec, whisper, config: dict) -> Transcription:
    """Speech Whisper skipped, transcribed again (`_fill_holes_once`); then each passage written
    twice (`transcribe.copies`: Whisper copied an earlier passage over new speech, or timed a
    window's words late so that a hole's transcription holds them again) is heard again on its
    own (`relisten.hear_clips`, all at once in a short encoder window): its first `copy_check_s`
    with `copy_context_s` of audio either side. Unless Whisper then writes at least half of the
    words written there again (a phrase said twice), the copy is dropped and the speech under it
    transcribed again like a hole."""
    text = _fill_holes_once(text, samples, spec, whisper, config)
    tcfg = config["transcription"]
    runs = transcribe.copies(text.words, tcfg.get("copy_min_words", 0))
    check, context = tcfg.get("copy_check_s", 4.0), tcfg.get("copy_context_s", 1.0)
    starts = [text.words[run.start].start_s for run in runs]
    texts = relisten.hear_clips(whisper, samples, [(a - context, a + check + context) for a in starts],
                                check + 2 * context, int(tcfg.get("copy_max_tokens", 48)),
                                english_only=spec.english_only)
    drop: set[int] = set()
    for run, a, said in zip(runs, starts, texts):
        written = {norm(w.text) for w in text.words[run.start : run.stop] if (w.start_s + w.end_s) / 2 <= a + check}
        if 2 * len(written & {norm(t) for t in said.split()}) < len(written):  # not said twice: copied over other speech
            drop.update(run)
    if not drop:
        return text
    unique = transcribe.without(text, drop, tcfg["sentence_gap_s"])
    gone = [(text.words[i].start_s, text.words[i].end_s) for i in drop]
    return _fill_holes_once(unique, samples, spec, whisper, config, heard_again=gone)


def _transcribe_alone(text: Transcription, samples: np.ndarray, spec: transcribe.ModelSpec, whisper, config: dict,
                      a: float, b: float) -> list:
    """Whisper's words for the speech from `a` to `b` s transcribed on its own, without the prompt,
    with `hole_pad_s` of audio either side; only the words whose middle lies in [a - 0.1, b + 0.1]."""
    tcfg = config["transcription"]
    _, settings = transcription_settings(config)
    duration = len(samples) / audio.SAMPLE_RATE
    lo, hi = max(0.0, a - tcfg["hole_pad_s"]), min(duration, b + tcfg["hole_pad_s"])
    regions = [r.model_copy(update={"start_s": max(r.start_s, lo) - lo, "end_s": min(r.end_s, hi) - lo})
               for r in text.speech if r.end_s > lo and r.start_s < hi]
    piece = transcribe.transcribe(whisper, spec, samples[int(lo * audio.SAMPLE_RATE): int(hi * audio.SAMPLE_RATE)],
                                  regions, prompt=None, **settings)
    moved = [w.model_copy(update={"start_s": round(w.start_s + lo, 3), "end_s": round(w.end_s + lo, 3)})
             for w in piece.words]
    return [w for w in moved if a - 0.1 <= (w.start_s + w.end_s) / 2 <= b + 0.1]


def _fill_holes_once(text: Transcription, samples: np.ndarray, spec: transcribe.ModelSpec, whisper,
                     config: dict, heard_again: list[tuple[float, float]] = ()) -> Transcription:
    """Whisper sometimes skips a stretch of speech outright (the filler prompt can derail it into
    writing one "Um," for a whole opening; so can a change of voice). Speech (voice activity)
    that no word covers, at least `hole_min_s` of it (pieces less than `hole_join_s` apart with
    only silence or a lone filled pause between them taken together), is transcribed again on
    its own without the prompt, with `hole_pad_s` of audio either side. The words found inside
    the hole are merged in when Whisper was reasonably sure of them (mean probability at least
    `hole_min_probability`; on a short noisy piece it makes words up), except a word that is
    one already written heard again (the same word less than 0.5 s away, as when Whisper had
    squeezed it to no time, or mostly overlapping a written word), and nothing when most of
    what it found there were such words; a filled pause written inside the hole is dropped (it
    stood for the words now found). A hole touching one of the `heard_again` spans (words just
    dropped) is transcribed again however short it is."""
    tcfg = config["transcription"]
    if not tcfg.get("hole_min_s"):
        return text
    filled = set(rubric.load("fillers")["filled_pauses"])
    spans = [(w.start_s, w.end_s) for w in text.words]
    said = [w.start_s for w in text.words if norm(w.text) not in filled]
    holes: list[list[float]] = []
    for region in text.speech:
        for a, b in _uncovered(region, spans):
            joins = (holes and a - holes[-1][1] < tcfg["hole_join_s"]
                     and not any(holes[-1][1] <= x < a for x in said))  # across silence or a lone "Um,"
            if joins:
                holes[-1][1], holes[-1][2] = b, holes[-1][2] + b - a
            else:
                holes.append([a, b, b - a])
    added: list = []
    replaced: list[tuple[float, float]] = []
    for a, b, sounding in holes:
        if sounding < tcfg["hole_min_s"] and not any(x < b and a < y for x, y in heard_again):
            continue
        inside, found = 0, []
        for w in _transcribe_alone(text, samples, spec, whisper, config, a, b):  # the padding holds words written
            inside += 1
            again = any((norm(x.text) == norm(w.text) and max(x.start_s - w.end_s, w.start_s - x.end_s) < 0.5)
                        or min(x.end_s, w.end_s) - max(x.start_s, w.start_s) > 0.5 * (w.end_s - w.start_s)
                        for x in text.words)
            if not again:
                found.append(w)
        sure = tcfg["hole_min_probability"] if sounding < tcfg.get("hole_long_s", 1e9) else tcfg["hole_long_min_probability"]
        if (found and 2 * len(found) > inside  # mostly words already written: Whisper re-heard the edges
                and sum(w.probability for w in found) / len(found) >= sure):
            added += found
            replaced += [(a, b)]
    if not added:
        return text
    kept = [w for w in text.words  # a filled pause written inside a hole now transcribed stood for its words
            if not (norm(w.text) in filled and any(a <= w.start_s and w.end_s <= b for a, b in replaced))]
    words = sorted(kept + added, key=lambda w: w.start_s)
    return text.model_copy(update={"words": words, "text": " ".join(w.text for w in words),
                                   "sentences": transcribe.split_sentences(words, tcfg["sentence_gap_s"])})


def transcribe_speech(samples: np.ndarray, speech: list[Span], speech_s: float, spec: transcribe.ModelSpec, whisper,
                      prompt: str | None = None, hotwords: str | None = None,
                      progress: Callable[[float, float], None] | None = None) -> Transcription:
    """Whisper words for the whole recording, with the rubric's prompt and its no-prompt retry."""
    config = rubric.load("delivery")
    tcfg = config["transcription"]
    hint, settings = transcription_settings(config, prompt, hotwords)
    if tcfg.get("block_s") and len(samples) > tcfg.get("long_s", tcfg["block_s"]) * audio.SAMPLE_RATE:
        settings["block_s"] = tcfg["block_s"]  # long recordings: decoded block by block
    if progress is not None:
        settings["progress"] = progress
    text = transcribe_with_hint(whisper, spec, samples, speech, config, hint, settings)
    return fill_holes(text, samples, spec, whisper, config)


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
) -> Report:
    """Analyse one answer from 16 kHz mono samples; `file` names it in errors and the report.

    `transcriber(whisper, spec, samples, speech, hint, settings)`, when given, replaces the
    transcription of the whole recording (practice passes one that reuses the stretches it
    transcribed while the candidate was still speaking). `setup` (from `setup()`) gives the model
    and rubric already resolved. `precomputed` (from `precompute()`) holds the voice activity and
    pitch of these samples, worked out while the last words were being transcribed."""
    lap = Laps(timings)
    if setup is None:
        check_lp(rubric_name, lp)
        rubric.load("fillers")
        spec = transcribe.resolve_model(model)
    else:
        spec, rubric_name = setup["spec"], setup.get("rubric_name", rubric_name)
    if precomputed is not None:
        speech, speech_s = precomputed["speech"]
    else:
        speech, speech_s = find_speech(samples, file)
    lap("vad")
    whisper = get_model(spec)
    lap("load_model")
    if transcriber is None:
        text = transcribe_speech(samples, speech, speech_s, spec, whisper, prompt=prompt, hotwords=hotwords)
    else:
        config = rubric.load("delivery")
        hint, settings = transcription_settings(config, prompt, hotwords)
        text = fill_holes(transcriber(whisper, spec, samples, speech, hint, settings), samples, spec, whisper, config)
    if not text.words:
        raise RehearseError(file, "no speech was heard (no words recognised)")
    lap("transcribe")
    return analyze_transcribed(samples, text, file, rubric_name=rubric_name, min_pause_s=min_pause_s, lp=lp,
                               timings=lap.timings, question=question,
                               computed_pitch=precomputed.get("pitch") if precomputed else None,
                               listener=(whisper, spec))


def precompute(samples: np.ndarray, file: str) -> dict:
    """What `analyze_samples` needs that does not depend on the words: voice activity and the pitch
    track. Practice runs it in a thread while the last stretch is being transcribed."""
    return {"speech": find_speech(samples, file), "pitch": pitch.raw(samples, rubric.load("voice")["pitch"])}


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
) -> Report:
    """Everything after transcription, for one answer: fillers heard in the audio, delivery, STAR, voice, tips.
    `listener` (the Whisper model and its spec) hears each voiced island again on its own
    (`rehearse.relisten`); without it, only the first transcription's words are used."""
    if isinstance(question, str):
        question = Question(text=question)
    lap = Laps(timings)
    config = rubric.load("delivery")
    star_rubric = rubric.load(rubric_name)
    lexicon = rubric.load("fillers")
    duration = len(samples) / audio.SAMPLE_RATE
    speech_s = sum(r.end_s - r.start_s for r in text.speech)

    heard = acoustic.listen(samples, text.speech, lexicon["acoustic"]) if "acoustic" in lexicon else None
    lap("audio_fillers")
    hear = None
    if listener is not None and "relisten" in lexicon:
        whisper, spec = listener

        def hear(islands: list[acoustic.Stretch]) -> None:
            start = time.perf_counter()
            relisten.relisten(whisper, samples, islands, lexicon["relisten"], spec.english_only)
            lap.carve("relisten", time.perf_counter() - start)

    min_pause = config["pauses"]["min_pause_s"] if min_pause_s is None else min_pause_s
    star = score_star(text.sentences, star_rubric, lp=lp)
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


def slice_transcription(text: Transcription, start_s: float, end_s: float, gap_s: float) -> Transcription:
    """The words and voice activity of `text` between `start_s` and `end_s`, re-timed from `start_s`
    (the transcription of that stretch alone, without transcribing it again)."""

    def shift(span, **extra):
        return span.model_copy(update={"start_s": round(max(span.start_s, start_s) - start_s, 3),
                                       "end_s": round(min(span.end_s, end_s) - start_s, 3), **extra})

    words = [shift(w) for w in text.words if w.start_s >= start_s and w.end_s <= end_s + 0.05]
    speech = [shift(r) for r in text.speech if r.end_s > start_s and r.start_s < end_s]
    dropped = [shift(w) for w in text.dropped_words if w.start_s >= start_s and w.end_s <= end_s]
    return Transcription(text=" ".join(w.text for w in words), words=words,
                         sentences=transcribe.split_sentences(words, gap_s), model=text.model, prompt=text.prompt,
                         speech=speech, dropped_words=dropped)
