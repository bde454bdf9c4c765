"""Voice delivery: pitch variation, loudness and repetitive wording, with times and one
suggestion per finding. Thresholds in `rubrics/voice.toml`."""

from __future__ import annotations

from typing import Any

import numpy as np

from rehearse.clock import clock, clock_span
from rehearse.models import (
    Evidence,
    Finding,
    SectionVoice,
    StarSection,
    Transcription,
    Voice,
)
from rehearse.voice import loudness, pitch, wording


def analyze_voice(samples: np.ndarray, text: Transcription, sections: list[StarSection], cfg: dict[str, Any],
                  filled: set[str], question: str | None = None,
                  computed_pitch: tuple[np.ndarray, np.ndarray] | None = None) -> Voice:
    """`filled`: spellings of filled pauses (left out of the wording); `question`: its content
    words are topic terms, never repetitive wording; `computed_pitch`: `pitch.raw()` done earlier."""
    pcfg, lcfg = cfg["pitch"], cfg["loudness"]
    tr = pitch.track(samples, text.speech, pcfg, computed_pitch)
    values = tr.semitones[tr.voiced]
    levels = loudness.frame_levels(samples, tr.times, lcfg["frame_s"])
    speech_db = levels[tr.voiced]
    level = round(float(np.median(speech_db)), 1) if speech_db.size else None
    quiet = levels[~tr.voiced]
    quiet = quiet[quiet > loudness.FLOOR_DB + 10]  # digital silence is no background
    noise = round(float(np.percentile(quiet, lcfg["noise_percentile"])), 1) if quiet.size >= lcfg["min_noise_frames"] else None
    snr = round(level - noise, 1) if level is not None and noise is not None else None
    clips = loudness.clipping(samples, lcfg)
    pitch_range = pitch.spread(values, pcfg)
    units = pitch.phrases(tr, text.sentences, text.words, cfg["phrases"])
    voice = Voice(
        median_f0_hz=round(tr.median_hz, 1) if tr.median_hz else None,
        voiced_s=round(values.size * tr.step_s, 2),
        pitch_range_semitones=pitch_range,
        pitch_sd_semitones=round(float(np.std(values)), 2) if values.size > 1 else None,
        flat=pitch_range is not None and pitch_range < pcfg["flat_answer_range_st"],
        monotone=pitch.monotone(tr, pcfg, cfg["monotone"]),
        uptalk=pitch.uptalk(tr, units, text.words, cfg["uptalk"]),
        sections=[_section(tr, levels, s, pcfg) for s in sections if s.present and s.start_s is not None],
        level_dbfs=level,
        level_range_db=round(float(np.subtract(*np.percentile(speech_db, [95, 5]))), 1) if speech_db.size else None,
        noise_floor_dbfs=noise,
        snr_db=snr,
        too_quiet=level is None or level < lcfg["quiet_dbfs"],
        trailing_off=loudness.trailing_off(tr, levels, units, text.words, cfg["trailing_off"]),
        clipping=clips,
        level_advice=loudness.advice(level, snr, clips, lcfg),
        repeated=wording.find_repeated(text.words, cfg["wording"], filled, question),
        openers=wording.find_openers(text.words, text.sentences, cfg["openers"], filled),
    )
    voice.findings = findings(voice, text)
    return voice


def _section(tr: pitch.Track, levels: np.ndarray, s: StarSection, pcfg: dict[str, Any]) -> SectionVoice:
    sel = (tr.times >= s.start_s) & (tr.times < s.end_s) & tr.voiced
    values = tr.semitones[sel]
    return SectionVoice(label=s.label, start_s=s.start_s, end_s=s.end_s, pitch_range_semitones=pitch.spread(values, pcfg),
                        pitch_sd_semitones=round(float(np.std(values)), 2) if values.size > 1 else None,
                        level_dbfs=round(float(np.median(levels[sel])), 1) if values.size else None)


def findings(v: Voice, text: Transcription) -> list[Finding]:
    """Every voice finding as a `Finding` (the report's and the HTML timeline's common form)."""
    out: list[Finding] = []
    for m in v.monotone:
        out.append(Finding(id="monotone", title="Monotone stretch", severity=round(1.5 + (m.end_s - m.start_s) / 30, 2),
                           detail=f"{clock_span(m.start_s, m.end_s)}: pitch moved only {m.range_semitones:.1f} semitones "
                                  f"for {m.end_s - m.start_s:.0f} s.",
                           suggestion=m.suggestion, evidence=[Evidence(start_s=m.start_s, end_s=m.end_s, quote="")]))
    if v.uptalk:
        out.append(Finding(id="uptalk", title="Statements ending on a rise", severity=round(1 + 0.3 * len(v.uptalk), 2),
                           detail=f"{len(v.uptalk)} statement(s) rose at the end, first at {clock(v.uptalk[0].end_s)} "
                                  f"(+{v.uptalk[0].rise_semitones:.1f} semitones).", suggestion=v.uptalk[0].suggestion,
                           evidence=[Evidence(start_s=u.start_s, end_s=u.end_s, quote=u.text, sentence=u.sentence)
                                     for u in v.uptalk]))
    if v.trailing_off:
        t = v.trailing_off[0]
        out.append(Finding(id="trailing_off", title="Trailing off", severity=round(1 + 0.3 * len(v.trailing_off), 2),
                           detail=f"{len(v.trailing_off)} sentence(s) faded at the end, first at {clock(t.start_s)} "
                                  f"({t.drop_db:.0f} dB quieter).", suggestion=t.suggestion,
                           evidence=[Evidence(start_s=x.start_s, end_s=x.end_s, quote=x.text, sentence=x.sentence)
                                     for x in v.trailing_off]))
    a = v.level_advice
    if a.verdict != "ok":
        spans = [(c.start_s, c.end_s) for c in v.clipping] if a.verdict == "clipping" else [(s.start_s, s.end_s) for s in text.speech]
        out.append(Finding(id=f"level_{a.verdict}", title={"quiet": "Too quiet", "loud": "Too loud", "clipping": "Clipping",
                                                            "noisy": "Background noise"}[a.verdict],
                           severity=2.5 if a.verdict in ("quiet", "clipping") else 1.5, detail=f"The {a.text}.",
                           suggestion=a.suggestion,
                           evidence=[Evidence(start_s=s, end_s=e, quote="") for s, e in spans[:20]]))
    for r in v.repeated:
        out.append(Finding(id="repeated_wording", title=f"“{r.text}” ×{r.count}", severity=round(0.8 + 0.2 * r.count, 2),
                           detail=f"You said “{r.text}” {r.count} times ({r.per_100_words:.1f} per 100 words).",
                           suggestion=r.suggestion, evidence=[Evidence(start_s=t.start_s, end_s=t.end_s, quote=r.text)
                                                              for t in r.times]))
    for o in v.openers:
        out.append(Finding(id="same_opener", title=f"“{o.text.capitalize()}…” opens most sentences",
                           severity=round(0.8 + o.share, 2),
                           detail=f"{o.count} of the sentences ({o.share:.0%}) start with “{o.text.capitalize()}”.",
                           suggestion=o.suggestion,
                           evidence=[Evidence(start_s=s.start_s, end_s=s.end_s, quote=s.text[:60], sentence=s.index)
                                     for s in text.sentences if s.index in o.sentences]))
    out.sort(key=lambda f: -f.severity)
    return out
