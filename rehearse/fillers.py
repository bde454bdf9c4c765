"""Fillers in the transcript: filled pauses (um, uh) and discourse markers used as fillers."""

from __future__ import annotations

from typing import Any

from rehearse.models import Filler, Sentence, Word
from rehearse.words import norm


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
