"""The analysis pipeline: decode → voice activity → transcribe → delivery → STAR → voice → tips."""

from __future__ import annotations

import time
from pathlib import Path

from rehearse import __version__, acoustic, audio, rubric, transcribe, vad
from rehearse.delivery import analyze_delivery
from rehearse.errors import RehearseError
from rehearse.models import Report
from rehearse.star import score_star
from rehearse.tips import choose_tips
from rehearse.voice import analyze_voice

_models: dict[str, object] = {}


def get_model(spec: transcribe.ModelSpec):
    """Load each model once per process."""
    if spec.source not in _models:
        _models[spec.source] = transcribe.load_model(spec)
    return _models[spec.source]


def analyze(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    prompt: str | None = None,
    lp: str | None = None,
    hotwords: str | None = None,
    question: str | None = None,
) -> Report:
    """`question`: the question answered, when known (its content words are topic terms)."""
    path = Path(path)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    config = rubric.load("delivery")
    star_rubric = rubric.load(rubric_name)
    if lp:  # an unknown principle fails before the slow part
        from rehearse.principles import resolve

        resolve(lp, rubric.load(star_rubric.get("principles", "principles")))
    lexicon = rubric.load("fillers")
    spec = transcribe.resolve_model(model)
    samples = audio.decode(path)
    duration = len(samples) / audio.SAMPLE_RATE
    lap("decode")

    vcfg = config["vad"]
    speech = vad.speech_regions(samples, vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"])
    speech_s = sum(r.end_s - r.start_s for r in speech)
    if not speech:
        raise RehearseError(str(path), "no speech was heard (the recording is silent)")
    if speech_s < vcfg["min_speech_s"]:
        raise RehearseError(str(path), f"only {speech_s:.1f} s of speech heard; need at least {vcfg['min_speech_s']:g} s")
    lap("vad")

    whisper = get_model(spec)
    lap("load_model")
    tcfg = config["transcription"]
    hint = {"prompt": tcfg["prompt"] if prompt is None else prompt,
            "hotwords": (tcfg.get("hotwords") if hotwords is None else hotwords) or None}
    settings = {"min_word_overlap": vcfg["min_word_overlap"], "sentence_gap_s": tcfg["sentence_gap_s"],
                "trailing_max_probability": tcfg["trailing_max_probability"], "keep_silence_s": tcfg["keep_silence_s"]}
    text = transcribe.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], **settings, hotwords=hint["hotwords"])
    if (hint["prompt"] or hint["hotwords"]) and len(text.words) < tcfg.get("min_words_per_speech_s", 0) * speech_s:
        # a filler prompt can derail Whisper into writing "Uh." for whole sentences: decode again without it
        plain = transcribe.transcribe(whisper, spec, samples, speech, prompt=None, **settings, hotwords=None)
        if len(plain.words) > len(text.words):
            text = plain
    if not text.words:
        raise RehearseError(str(path), "no speech was heard (no words recognised)")
    lap("transcribe")

    heard = acoustic.listen(samples, text.speech, lexicon["acoustic"]) if "acoustic" in lexicon else None
    lap("audio_fillers")

    min_pause = config["pauses"]["min_pause_s"] if min_pause_s is None else min_pause_s
    star = score_star(text.sentences, star_rubric, lp=lp)
    delivery = analyze_delivery(text, config, lexicon, min_pause, sections=star.sections, samples=samples,
                                heard=heard)
    lap("analysis")

    voice = analyze_voice(samples, text, star.sections, rubric.load("voice"), set(lexicon["filled_pauses"]), question)
    lap("voice")
    tips = choose_tips(delivery, star, star_rubric, config, duration, voice=voice)

    return Report(
        rehearse_version=__version__,
        file=str(path),
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
        voice=voice,
    )
