"""Repetitive wording: verbal habits and stock phrases said far more often than normal in one
answer, and the same opener on most sentences. Word lists and thresholds are in
`rubrics/voice.toml` ([wording], [openers])."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rehearse.models import Opener, Repeated, Sentence, Span, Word
from rehearse.speech.words import norm


def _tokens(words: list[Word], skip: set[str]) -> list[tuple[str, int]]:
    """(normalised token, word index) for every spoken word, filled pauses left out."""
    return [(t, i) for i, w in enumerate(words) if (t := norm(w.text)) and t not in skip]


def _matches(tokens: list[str], phrase: list[str]) -> list[int]:
    """Start positions of non-overlapping occurrences of `phrase` in `tokens`."""
    n, hits, j = len(phrase), [], 0
    while j + n <= len(tokens):
        if tokens[j : j + n] == phrase:
            hits.append(j)
            j += n
        else:
            j += 1
    return hits


def topic_terms(question: str | None, function: set[str]) -> set[str]:
    """The content words of the question: the answer is expected to repeat them."""
    return {t for t in (norm(x) for x in (question or "").split()) if t and t not in function}


def find_repeated(words: list[Word], cfg: dict[str, Any], filled: set[str], question: str | None = None) -> list[Repeated]:
    function = set(cfg["function_words"])
    topic = topic_terms(question, function)
    toks = _tokens(words, filled)
    tokens = [t for t, _ in toks]
    total = max(len(tokens), 1)
    found: list[Repeated] = []

    def add(text: str, starts: list[int], n: int, kind: str) -> None:
        times = [Span(start_s=words[toks[j][1]].start_s, end_s=words[toks[j + n - 1][1]].end_s) for j in starts]
        found.append(Repeated(text=text, count=len(starts), kind=kind, per_100_words=round(100 * len(starts) / total, 2),
                              times=times, start_s=times[0].start_s, end_s=times[-1].end_s, suggestion=cfg["suggestion"]))

    for habit in cfg["habits"]:
        phrase = habit.split()
        starts = _matches(tokens, phrase)
        if len(starts) >= cfg["min_count"] and 100 * len(starts) / total >= cfg["min_per_100_words"]:
            add(habit, starts, len(phrase), "habit")
    taken = [r.text.split() for r in found]
    lo, hi = cfg["phrase_words"]
    for n in range(hi, lo - 1, -1):
        grams = Counter(tuple(tokens[j : j + n]) for j in range(len(tokens) - n + 1))
        for gram, k in grams.most_common():
            if k < cfg["phrase_min_count"]:
                break
            parts = list(gram)
            inner = sum(p in function for p in parts)
            if inner == n or 2 * inner < n or any(p in topic for p in parts):
                continue  # all function words, mostly content (a topic phrase), or the question's words
            if any(_matches(parts, t) or _matches(t, parts) for t in taken):
                continue  # part of a habit or a longer phrase already named
            starts = _matches(tokens, parts)
            if len(starts) >= cfg["phrase_min_count"] and 100 * len(starts) / total >= cfg["min_per_100_words"]:
                add(" ".join(parts), starts, n, "phrase")
                taken.append(parts)
    found.sort(key=lambda r: (-r.count, r.start_s))
    return found


def find_openers(words: list[Word], sentences: list[Sentence], cfg: dict[str, Any], filled: set[str]) -> list[Opener]:
    """The same first word or two on at least min_share (and min_count) of the sentences."""
    firsts: list[tuple[Sentence, list[str]]] = []
    for s in sentences:
        toks = [t for w in words[s.word_start : s.word_end] if (t := norm(w.text)) and t not in filled]
        if toks:
            firsts.append((s, toks[: cfg["max_words"]]))
    if not firsts:
        return []
    out = []
    ignore = set(cfg["ignore"])
    one = Counter(toks[0] for _, toks in firsts)
    for word, k in one.most_common():
        if word in ignore or k < cfg["min_count"] or k / len(firsts) < cfg["min_share"]:
            continue
        opener = [word]
        two = Counter(" ".join(toks[:2]) for _, toks in firsts if toks[0] == word and len(toks) > 1)
        if two:
            pair, k2 = two.most_common(1)[0]
            if k2 >= cfg["min_count"] and k2 / len(firsts) >= cfg["min_share"]:
                opener, k = pair.split(), k2
        used = [s for s, toks in firsts if toks[: len(opener)] == opener]
        out.append(Opener(text=" ".join(opener), count=k, share=round(k / len(firsts), 2),
                          sentences=[s.index for s in used], start_s=used[0].start_s, end_s=used[-1].end_s,
                          suggestion=cfg["suggestion"]))
    return out
