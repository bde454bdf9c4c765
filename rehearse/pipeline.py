"""The analysis pipeline: decode → voice activity → transcribe → delivery → STAR → tips."""

from __future__ import annotations

import time
from pathlib import Path

from rehearse import __version__, acoustic, audio, rubric, transcribe, vad
from rehearse.delivery import analyze_delivery
from rehearse.errors import RehearseError
from rehearse.models import Report
from rehearse.star import score_star
from rehearse.tips import choose_tips

_models: dict[str, object] = {}


def get_model(spec: transcribe.ModelSpec):
    """Load each model once per process."""
    if spec.source not in _models:
        _models[spec.source] = transcribe.load_model(spec)
    return _models[spec.source]


def _setup(model: str | None, rubric_name: str, lp: str | None) -> dict:
    """Rubrics and model spec; an unknown principle or rubric fails before anything slow."""
    config = rubric.load("delivery")
    star_rubric = rubric.load(rubric_name)
    if lp:
        from rehearse.principles import resolve

        resolve(lp, rubric.load(star_rubric.get("principles", "principles")))
    lexicon = rubric.load("fillers")
    spec = transcribe.resolve_model(model)
    return {"config": config, "star_rubric": star_rubric, "lexicon": lexicon, "spec": spec}


def transcription_settings(config: dict, prompt: str | None = None, hotwords: str | None = None) -> tuple[dict, dict]:
    """Whisper hint (prompt, hotwords) and word-filter settings from the delivery rubric."""
    vcfg, tcfg = config["vad"], config["transcription"]
    hint = {"prompt": tcfg["prompt"] if prompt is None else prompt,
            "hotwords": (tcfg.get("hotwords") if hotwords is None else hotwords) or None}
    settings = {"min_word_overlap": vcfg["min_word_overlap"], "sentence_gap_s": tcfg["sentence_gap_s"],
                "trailing_max_probability": tcfg["trailing_max_probability"], "keep_silence_s": tcfg["keep_silence_s"]}
    return hint, settings


def transcribe_speech(whisper, spec: transcribe.ModelSpec, samples, speech, config: dict, hint: dict,
                      settings: dict) -> transcribe.Transcription:
    """Transcribe with the filler hint; decode again without it if the hint derailed Whisper."""
    tcfg = config["transcription"]
    speech_s = sum(r.end_s - r.start_s for r in speech)
    text = transcribe.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], **settings, hotwords=hint["hotwords"])
    if (hint["prompt"] or hint["hotwords"]) and len(text.words) < tcfg.get("min_words_per_speech_s", 0) * speech_s:
        # a filler prompt can derail Whisper into writing "Uh." for whole sentences: decode again without it
        plain = transcribe.transcribe(whisper, spec, samples, speech, prompt=None, **settings, hotwords=None)
        if len(plain.words) > len(text.words):
            text = plain
    return text


def analyze(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
) -> Report:
    path = Path(path)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]
    setup = _setup(model, rubric_name, lp)
    samples = audio.decode(path)
    _lap(timings, clock, "decode")
    return analyze_samples(samples, str(path), setup=setup, min_pause_s=min_pause_s, prompt=prompt, lp=lp,
                           hotwords=hotwords, timings=timings, clock=clock)


def _lap(timings: dict[str, float], clock: list[float], name: str) -> None:
    now = time.perf_counter()
    timings[name] = round(now - clock[0], 3)
    clock[0] = now


def analyze_samples(
    samples,
    file: str,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
    transcriber=None,
    setup: dict | None = None,
    timings: dict[str, float] | None = None,
    clock: list[float] | None = None,
) -> Report:
    """The analysis of 16 kHz mono float32 samples already in memory (`file` names them in errors).

    `transcriber(whisper, spec, samples, speech, hint, settings)`, when given, replaces the
    transcription of the whole recording (practice passes one that reuses the stretches it
    transcribed while the candidate was still speaking).
    """
    setup = setup or _setup(model, rubric_name, lp)
    config, star_rubric, lexicon, spec = setup["config"], setup["star_rubric"], setup["lexicon"], setup["spec"]
    timings = {} if timings is None else timings
    clock = [time.perf_counter()] if clock is None else clock
    duration = len(samples) / audio.SAMPLE_RATE

    vcfg = config["vad"]
    speech = vad.speech_regions(samples, vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"])
    speech_s = sum(r.end_s - r.start_s for r in speech)
    if not speech:
        raise RehearseError(file, "no speech was heard (the recording is silent)")
    if speech_s < vcfg["min_speech_s"]:
        raise RehearseError(file, f"only {speech_s:.1f} s of speech heard; need at least {vcfg['min_speech_s']:g} s")
    _lap(timings, clock, "vad")

    whisper = get_model(spec)
    _lap(timings, clock, "load_model")
    hint, settings = transcription_settings(config, prompt, hotwords)
    if transcriber is None:
        text = transcribe_speech(whisper, spec, samples, speech, config, hint, settings)
    else:
        text = transcriber(whisper, spec, samples, speech, hint, settings)
    if not text.words:
        raise RehearseError(file, "no speech was heard (no words recognised)")
    _lap(timings, clock, "transcribe")

    heard = acoustic.listen(samples, text.speech, lexicon["acoustic"]) if "acoustic" in lexicon else None
    _lap(timings, clock, "audio_fillers")

    min_pause = config["pauses"]["min_pause_s"] if min_pause_s is None else min_pause_s
    star = score_star(text.sentences, star_rubric, lp=lp)
    delivery = analyze_delivery(text, config, lexicon, min_pause, sections=star.sections, samples=samples,
                                heard=heard)
    tips = choose_tips(delivery, star, star_rubric, config, duration)
    _lap(timings, clock, "analysis")

    return Report(
        rehearse_version=__version__,
        file=file,
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
        timings_s=timings,
    )
