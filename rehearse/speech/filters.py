"""Filters on Whisper's words (pure: no model calls): phrases it could not place on the audio,
passages it wrote twice, and removing words into `dropped_words`."""

from __future__ import annotations

from rehearse.models import Transcription, Word
from rehearse.speech.sentences import split_sentences
from rehearse.speech.words import norm


def drop_unplaced(text: Transcription, min_run: int, sentence_gap_s: float) -> Transcription:
    """Drop phrases Whisper wrote but could not place on any audio.

    Such words all get one instant (start = end), most often at the edge of a 30-s window, where
    Whisper repeats the phrase just said ("... the right call, I didn't think it was the right
    call.") or guesses one it then says again properly. A run of `min_run` or more of them in a
    row moves to `dropped_words`; shorter runs stay (a filler and the word after it are often
    squeezed to one instant and were both said). 0 turns this off."""
    if not min_run:
        return text
    drop, i, words = set(), 0, text.words
    while i < len(words):
        j = i
        while j < len(words) and words[j].end_s <= words[j].start_s:
            j += 1
        if j - i >= min_run:
            drop.update(range(i, j))
        i = max(j, i + 1)
    return without(text, drop, sentence_gap_s)


def unstretch(text: Transcription, max_s: float, keep_s: float, min_probability: float,
              sentence_gap_s: float) -> Transcription:
    """Words Whisper stretched over more than `max_s` seconds, which no one says: a window whose
    other words it lost ("couldn't" over 15 s of a story, at 1.00) or a made-up token over speech it
    could not follow ("60,000,000,..." over 31 s, at 0.00003). A word Whisper was at least
    `min_probability` sure of keeps its start and `keep_s` of length; one it was not moves to
    `dropped_words`. Either way the speech it covered is left uncovered, so
    `rehearse.speech.holes.fill_holes` transcribes it again. 0 turns this off."""
    if not max_s:
        return text
    words, drop = list(text.words), set()
    for i, w in enumerate(words):
        if w.end_s - w.start_s > max_s:
            if w.probability < min_probability:
                drop.add(i)
            else:
                words[i] = w.model_copy(update={"end_s": round(w.start_s + keep_s, 3)})
    if drop:  # `without` rebuilds the sentences
        return without(text.model_copy(update={"words": words}), drop, sentence_gap_s)
    if words != text.words:
        text = text.model_copy(update={"words": words, "sentences": split_sentences(words, sentence_gap_s)})
    return text


def copies(words: list[Word], min_words: int) -> list[range]:
    """Runs of `min_words` or more words that repeat an earlier run word for word (indices into
    `words`, the later run each time). Whisper reads its own earlier text as context and now and
    then writes an earlier passage again over new speech; a speaker can also say a phrase twice
    ("at the end of the day"), so `rehearse.speech.holes.fill_holes` hears each one again before dropping it."""
    if not min_words:
        return []
    tokens = [norm(w.text) for w in words]
    first: dict[tuple[str, ...], int] = {}
    out: list[range] = []
    i = 0
    while i + min_words <= len(tokens):
        gram = tuple(tokens[i : i + min_words])
        k = first.get(gram)
        if k is not None and k + min_words <= i and all(gram):
            j = i + min_words
            while j < len(tokens) and k + (j - i) < i and tokens[k + j - i] == tokens[j]:
                j += 1
            out.append(range(i, j))
            i = j
            continue
        first.setdefault(gram, i)
        i += 1
    return out


def without(text: Transcription, drop: set[int], sentence_gap_s: float) -> Transcription:
    """`text` with the words at `drop` moved to `dropped_words` and the sentences rebuilt."""
    if not drop:
        return text
    kept = [w for i, w in enumerate(text.words) if i not in drop]
    dropped = sorted(text.dropped_words + [text.words[i] for i in drop], key=lambda w: w.start_s)
    return text.model_copy(update={"words": kept, "text": " ".join(w.text for w in kept),
                                   "sentences": split_sentences(kept, sentence_gap_s), "dropped_words": dropped})
