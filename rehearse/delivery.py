"""Delivery: pace, silent pauses (from voice activity) and fillers (from the transcript)."""

from __future__ import annotations

import re
from typing import Any

from num2words import num2words

from rehearse.models import Delivery, Filler, Pacing, Pause, Sentence, Span, Transcription, Word

_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
_PIECES = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z']+|[%$€£]")


def norm(token: str) -> str:
    """Lower-case a word and strip surrounding punctuation ("Um," -> "um")."""
    return _STRIP.sub("", token.lower())


def spoken_words(token: str) -> int:
    """How many words a written token stands for when spoken ("8%" -> 2, "900" -> 2)."""
    count = 0
    for piece in _PIECES.findall(token.replace("-", " ")):
        if piece[0].isdigit():
            value = piece.replace(",", "")
            year = len(value) == 4 and value.isdigit() and 1900 <= int(value) < 2100
            spelled = num2words(int(value), to="year") if year else num2words(float(value) if "." in value else int(value))
            count += len(spelled.replace("-", " ").replace(",", " ").split())
        else:
            count += 1
    return max(count, 1) if token.strip() else 0


# ---------------------------------------------------------------- fillers


def find_fillers(words: list[Word], sentences: list[Sentence], lexicon: dict[str, Any]) -> tuple[list[Filler], set[int]]:
    """Filled pauses and discourse markers used as fillers, and the indices of their words."""
    filled = lexicon.get("filled_pauses", {})
    markers = [(m, m["phrase"].split()) for m in lexicon.get("markers", [])]
    sentence_of = {i: s for s in sentences for i in range(s.word_start, s.word_end)}
    tokens = [norm(w.text) for w in words]
    fillers: list[Filler] = []
    used: set[int] = set()
    i = 0
    while i < len(words):
        sent = sentence_of.get(i)
        if tokens[i] in filled:
            fillers.append(_filler(words[i : i + 1], filled[tokens[i]], "filled_pause", sent))
            used.add(i)
            i += 1
            continue
        for marker, phrase in markers:
            n = len(phrase)
            if tokens[i : i + n] == phrase and _is_filler_use(words, tokens, i, n, sent, marker):
                fillers.append(_filler(words[i : i + n], marker["phrase"], "discourse_marker", sent))
                used.update(range(i, i + n))
                i += n
                break
        else:
            i += 1
    return fillers, used


def _filler(span: list[Word], text: str, kind: str, sentence: Sentence | None) -> Filler:
    return Filler(
        text=text,
        kind=kind,
        start_s=span[0].start_s,
        end_s=span[-1].end_s,
        sentence=sentence.index if sentence else None,
    )


def _is_filler_use(words, tokens, i, n, sentence, marker) -> bool:
    before = tokens[i - 1] if i > 0 else ""
    after = tokens[i + n] if i + n < len(tokens) else ""
    start = sentence is not None and i == sentence.word_start
    end = sentence is not None and i + n == sentence.word_end
    if start:
        before = ""
    if end:
        after = ""
    if before in marker.get("unless_after", []) or after in marker.get("unless_before", []):
        return False
    last_text = words[i + n - 1].text
    facts = {
        "always": True,
        "sentence_start": start,
        "sentence_end": end,
        "comma_before": i > 0 and not start and words[i - 1].text.endswith((",", ";", "—", "-")),
        "comma_after": last_text.endswith((",", ";", "—", "-")),
        "question_tag": last_text.endswith("?") and i > 0 and words[i - 1].text.endswith(","),
    }
    return any(all(facts[c] for c in cond.split("+")) for cond in marker.get("when", []))


# ---------------------------------------------------------------- pauses and pace


def find_pauses(speech: list[Span], sentences: list[Sentence], min_pause_s: float) -> list[Pause]:
    """Silent gaps between voice-activity regions inside the answer, at least `min_pause_s` long."""
    if not sentences:
        return []
    first, last = sentences[0].start_s, sentences[-1].end_s
    pauses = []
    for left, right in zip(speech, speech[1:]):
        start, end = max(left.end_s, first), min(right.start_s, last)
        if end - start < min_pause_s:
            continue
        position = "between_sentences" if _at_sentence_boundary(start, end, sentences) else "within_sentence"
        pauses.append(Pause(start_s=round(start, 3), end_s=round(end, 3), duration_s=round(end - start, 3), position=position))
    return pauses


def _at_sentence_boundary(start: float, end: float, sentences: list[Sentence], slack: float = 0.25) -> bool:
    for left, right in zip(sentences, sentences[1:]):
        if start < right.start_s + slack and end > left.end_s - slack:
            return True
    return False


def measure_pace(words: list[Word], filler_words: set[int], speech: list[Span], target: tuple[float, float]) -> Pacing:
    """Speaking rate over first-to-last word, articulation rate over voiced time only."""
    count = sum(spoken_words(w.text) for i, w in enumerate(words) if i not in filler_words)
    span_start, span_end = words[0].start_s, words[-1].end_s
    span = max(span_end - span_start, 1e-6)
    voiced = sum(max(0.0, min(r.end_s, span_end) - max(r.start_s, span_start)) for r in speech)
    voiced = min(max(voiced, 1e-6), span)
    wpm = count / span * 60
    low, high = target
    verdict = "slow" if wpm < low else "fast" if wpm > high else "in_band"
    return Pacing(
        words_per_minute=round(wpm, 1),
        articulation_wpm=round(count / voiced * 60, 1),
        word_count=count,
        speaking_span_s=round(span, 3),
        pause_time_s=round(span - voiced, 3),
        target_wpm=(low, high),
        verdict=verdict,
    )


def analyze_delivery(transcription: Transcription, config: dict[str, Any], lexicon: dict[str, Any], min_pause_s: float) -> Delivery:
    words, sentences = transcription.words, transcription.sentences
    fillers, filler_words = find_fillers(words, sentences, lexicon)
    pacing = measure_pace(words, filler_words, transcription.speech, tuple(config["pace"]["target_wpm"]))
    pauses = find_pauses(transcription.speech, sentences, min_pause_s)
    minutes = max(pacing.speaking_span_s / 60, 1e-6)
    return Delivery(
        pacing=pacing,
        pauses=pauses,
        fillers=fillers,
        fillers_per_minute=round(len(fillers) / minutes, 2),
        min_pause_s=min_pause_s,
    )
