"""Whisper's gaps and copies, mended: speech it skipped is transcribed again on its own; a
passage it wrote twice is heard again and, unless it was said twice, dropped and the speech
under it transcribed again."""

from __future__ import annotations

import numpy as np

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.audio.vad import merge_spans
from rehearse.models import Span, Transcription
from rehearse.speech import filters, relisten
from rehearse.speech import transcribe as whisper_words
from rehearse.speech.model import ModelSpec
from rehearse.speech.sentences import split_sentences
from rehearse.speech.words import norm

# A word heard again belongs to a stretch when its middle lies within this many seconds of it.
_REACH_S = 0.1


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


def fill_holes(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper, config: dict) -> Transcription:
    """Speech Whisper skipped, transcribed again (`_fill_holes_once`); then each passage written
    twice (`filters.copies`: Whisper copied an earlier passage over new speech, or timed a
    window's words late so that a hole's transcription holds them again) is heard again on its
    own (`relisten.hear_clips`, all at once in a short encoder window): its first `copy_check_s`
    with `copy_context_s` of audio either side. Unless Whisper then writes at least half of the
    words written there again (a phrase said twice), the copy is dropped and the speech under it
    transcribed again like a hole."""
    text = _fill_holes_once(text, samples, spec, whisper, config)
    tcfg = config["transcription"]
    runs = filters.copies(text.words, tcfg.get("copy_min_words", 0))
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
    unique = filters.without(text, drop, tcfg["sentence_gap_s"])
    gone = [(text.words[i].start_s, text.words[i].end_s) for i in drop]
    return _fill_holes_once(unique, samples, spec, whisper, config, heard_again=gone)


def fill_short_holes(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper, min_s: float,
                     min_probability: float, screen) -> Transcription:
    """Speech Whisper skipped, down to `min_s` of it, transcribed again on its own as `fill_holes`
    does, its words kept from a mean probability of
    `min_probability`; only the holes `screen` picks (a mock interview: the holes in the
    interviewer's voice, where a "Why?" between two stretches of the candidate's talk was left out).
    Holes as long as those `fill_holes` hears are screened and heard again too: one can still be
    there (a 1.2-s "How about tough feedback?" in a robot voice, blind20 ivv_08). Pieces of speech
    are not joined across silence here: each is screened and heard on its own, so a short turn is
    not heard with the start of the next speaker's ("Questions?" then "Yes, ...", blind21 ivw_08)."""
    config = rubric.load("delivery")
    tcfg = {**config["transcription"], "hole_min_s": min_s, "hole_min_probability": min_probability, "hole_join_s": 0.0}
    return _fill_holes_once(text, samples, spec, whisper, {**config, "transcription": tcfg}, screen=screen)


def hear_sparse(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper,
                spans: list[tuple[float, float]], min_probability: float) -> Transcription:
    """Stretches where Whisper wrote far fewer words than were said (a five-second question
    written as the one word "monitoring" when a window derailed), each transcribed again on its
    own as a hole is: its words take the place of those written there when there are more of
    them and Whisper was reasonably sure of them (mean probability at least `min_probability`)."""
    config = rubric.load("delivery")
    words = list(text.words)
    changed = False
    for a, b in spans:
        heard = _transcribe_alone(text, samples, spec, whisper, config, a, b)
        written = [w for w in words if a - _REACH_S <= (w.start_s + w.end_s) / 2 <= b + _REACH_S]
        if (len(heard) > len(written)
                and sum(w.probability for w in heard) / len(heard) >= min_probability):
            words = sorted([w for w in words if w not in written] + heard, key=lambda w: w.start_s)
            changed = True
    return _with_words(text, words, config["transcription"]["sentence_gap_s"]) if changed else text


def hear_unvoiced(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper,
                  stretches: list[tuple[float, float]], passages: list[tuple[float, float]],
                  min_probability: float) -> Transcription:
    """Speech the voice activity missed: the `stretches` (loud, and judged speech by the caller)
    become speech, and each passage around them is heard again on its own as `hear_sparse` does
    (Whisper never saw them: the silence cut left them out, or their words were dropped as said
    over silence)."""
    if not passages:
        return text
    wider = text.model_copy(update={"speech": merge_spans(list(text.speech) + [Span(start_s=a, end_s=b)
                                                                              for a, b in stretches])})
    heard = hear_sparse(wider, samples, spec, whisper, passages, min_probability)
    return heard if heard is not wider else text


def _with_words(text: Transcription, words: list, sentence_gap_s: float) -> Transcription:
    """`text` with `words` (in time order) as its words, its text and sentences rebuilt from them."""
    return text.model_copy(update={"words": words, "text": " ".join(w.text for w in words),
                                   "sentences": split_sentences(words, sentence_gap_s)})


def _transcribe_alone(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper, config: dict,
                      a: float, b: float) -> list:
    """Whisper's words for the speech from `a` to `b` s transcribed on its own, without the prompt,
    with `hole_pad_s` of audio either side; only the words whose middle lies within `_REACH_S` of [a, b]."""
    tcfg = config["transcription"]
    _, settings = whisper_words.transcription_settings(config)
    duration = len(samples) / SAMPLE_RATE
    lo, hi = max(0.0, a - tcfg["hole_pad_s"]), min(duration, b + tcfg["hole_pad_s"])
    regions = [r.model_copy(update={"start_s": max(r.start_s, lo) - lo, "end_s": min(r.end_s, hi) - lo})
               for r in text.speech if r.end_s > lo and r.start_s < hi]
    piece = whisper_words.transcribe(whisper, spec, samples[int(lo * SAMPLE_RATE): int(hi * SAMPLE_RATE)],
                                  regions, prompt=None, **settings)
    moved = [w.model_copy(update={"start_s": round(w.start_s + lo, 3), "end_s": round(w.end_s + lo, 3)})
             for w in piece.words]
    return [w for w in moved if a - _REACH_S <= (w.start_s + w.end_s) / 2 <= b + _REACH_S]


def _within_budget(holes: list[list[float]], text: Transcription, tcfg: dict,
                   heard_again: list[tuple[float, float]]) -> list[list[float]]:
    """The holes worth transcribing again (at least `hole_min_s` of speech, or touching words just
    dropped), at most `hole_budget_share` of the speech in all with their padding, the longest
    first: the cost stays bounded whatever the recording holds (a real answer uses a few per cent)."""
    wanted = [h for h in holes if h[2] >= tcfg["hole_min_s"] or any(x < h[1] and h[0] < y for x, y in heard_again)]
    share = tcfg.get("hole_budget_share")
    if not share:
        return wanted
    keep = longest_within([h[2] for h in wanted], [h[1] - h[0] + 2 * tcfg["hole_pad_s"] for h in wanted],
                          share * sum(r.end_s - r.start_s for r in text.speech))
    return [h for k, h in enumerate(wanted) if k in keep]


def longest_within(lengths: list[float], costs: list[float], budget: float) -> set[int]:
    """The indices taken longest first (by `lengths`) while their `costs` still fit in `budget`:
    what is heard again stays bounded whatever the recording holds."""
    keep, left = set(), budget
    for k in sorted(range(len(lengths)), key=lambda k: -lengths[k]):
        if costs[k] <= left:
            keep.add(k)
            left -= costs[k]
    return keep


def _fill_holes_once(text: Transcription, samples: np.ndarray, spec: ModelSpec, whisper,
                     config: dict, heard_again: list[tuple[float, float]] = (), screen=None) -> Transcription:
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
    dropped) is transcribed again however short it is. `screen`, when given, picks the holes
    worth transcribing again from those within the budget. Words found faster than
    `hole_max_words_per_s` (more than people say in the time) were made up and are not merged."""
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
    chosen = _within_budget(holes, text, tcfg, heard_again)
    for a, b, sounding in (screen(chosen) if screen else chosen):
        inside, found = 0, []
        for w in _transcribe_alone(text, samples, spec, whisper, config, a, b):  # the padding holds words written
            inside += 1
            again = any((norm(x.text) == norm(w.text) and max(x.start_s - w.end_s, w.start_s - x.end_s) < 0.5)
                        or min(x.end_s, w.end_s) - max(x.start_s, w.start_s) > 0.5 * (w.end_s - w.start_s)
                        for x in text.words)
            if not again:
                found.append(w)
        sure = tcfg["hole_min_probability"] if sounding < tcfg.get("hole_long_s", 1e9) else tcfg["hole_long_min_probability"]
        # made up: more words than anyone says in the time they take (at most the hole's), give or take one
        took = min(b - a, found[-1].end_s - found[0].start_s) if found else b - a
        too_fast = len(found) > tcfg.get("hole_max_words_per_s", float("inf")) * (took + 2 * _REACH_S) + 1
        if (found and 2 * len(found) > inside and not too_fast  # mostly words already written: Whisper re-heard the edges
                and sum(w.probability for w in found) / len(found) >= sure):
            added += found
            replaced += [(a, b)]
    if not added:
        return text
    kept = [w for w in text.words  # a filled pause written inside a hole now transcribed stood for its words
            if not (norm(w.text) in filled and any(a <= w.start_s and w.end_s <= b for a, b in replaced))]
    return _with_words(text, sorted(kept + added, key=lambda w: w.start_s), tcfg["sentence_gap_s"])
