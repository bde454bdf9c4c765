"""Words into sentences: at terminal punctuation or at a silence."""

from __future__ import annotations

import re

from rehearse.models import Sentence, Word

_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


def ends_sentence(text: str) -> bool:
    """The text ends with terminal punctuation (a closing quote or bracket after it allowed)."""
    return _SENTENCE_END.search(text.strip()) is not None


def split_sentences(words: list[Word], gap_s: float) -> list[Sentence]:
    """Sentences end at terminal punctuation or at a silence of at least `gap_s`."""
    sentences: list[Sentence] = []
    start = 0
    for i, word in enumerate(words):
        last = i == len(words) - 1
        gap_after = (words[i + 1].start_s - word.end_s) if not last else 0.0
        if last or _SENTENCE_END.search(word.text) or gap_after >= gap_s:
            chunk = words[start : i + 1]
            sentences.append(
                Sentence(
                    index=len(sentences),
                    text=" ".join(w.text for w in chunk),
                    start_s=chunk[0].start_s,
                    end_s=chunk[-1].end_s,
                    word_start=start,
                    word_end=i + 1,
                )
            )
            start = i + 1
    return sentences
