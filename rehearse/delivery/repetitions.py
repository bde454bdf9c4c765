"""Repetitions ("I I rolled back", "we we went") and false starts ("we went, we decided",
"We, I posted", "Some of the, a few engineers").

Found in the word sequence, with filled pauses skipped ("I, um, I think" is a repetition). A
restart begins a phrase, so "by the end, the chef said" and lists ("the alerts, the runbooks")
are not false starts.
Word lists live in the lexicon (`rubrics/fillers.toml`, `[repetitions]`).
"""

from __future__ import annotations

from typing import Any

from rehearse.models import Repetition, Sentence, Word
from rehearse.speech.words import norm

_BREAK = (",", ";", "-", "—", "...", "…")


def find_repetitions(words: list[Word], sentences: list[Sentence], lexicon: dict[str, Any]) -> list[Repetition]:
    cfg = lexicon.get("repetitions", {})
    filled = lexicon.get("filled_pauses", {})
    allowed = set(cfg.get("allowed_doubles", []))
    openers = set(cfg.get("restart_openers", []))
    joins = set(cfg.get("phrase_joiners", []))
    starts = set(cfg.get("fragment_openers", []))
    hanging = set(cfg.get("hanging_words", []))
    longest_fragment = int(cfg.get("max_fragment_words", 4))
    asides = [a.split() for a in cfg.get("asides", [])]
    gap_s = float(cfg.get("break_gap_s", 0.3))
    longest = int(cfg.get("max_words", 3))
    sentence_of = {i: s.index for s in sentences for i in range(s.word_start, s.word_end)}
    keep = [i for i, w in enumerate(words) if norm(w.text) not in filled and norm(w.text)]
    tokens = [norm(words[i].text) for i in keep]
    found: list[Repetition] = []
    j = 0
    while j < len(keep):
        hit = _repeat(tokens, j, longest, allowed)
        if hit is None and _phrase_start(words, keep, tokens, j, joins) and not _listed(words, keep, tokens, j):
            # a restart starts a phrase: "by the end, the chef" is not one
            hit = (_restart(words, keep, tokens, j, openers, asides, gap_s, filled)
                   or _abandoned(words, keep, tokens, j, starts, hanging, asides, gap_s, filled, longest_fragment))
        if hit is None:
            j += 1
            continue
        kind, n, span = hit  # n words were said in vain; the span covers them and the restart
        first, last = keep[j], keep[j + span - 1]
        found.append(Repetition(
            text=" ".join(words[k].text.strip(",.;:!?") for k in keep[j : j + n]),
            kind=kind, start_s=words[first].start_s, end_s=words[last].end_s, sentence=sentence_of.get(first),
        ))
        j += n
    return found


def _repeat(tokens: list[str], j: int, longest: int, allowed: set[str]) -> tuple[str, int, int] | None:
    """The same 1..longest words said twice in a row: ("repetition", n, 2n)."""
    for n in range(longest, 0, -1):
        first, second = tokens[j : j + n], tokens[j + n : j + 2 * n]
        if len(second) == n and first == second:
            if n == 1 and (first[0] in allowed or (len(first[0]) == 1 and first[0] not in ("i", "a"))):
                return None
            copies = 2
            while tokens[j + copies * n : j + (copies + 1) * n] == first:  # "she, she, she"
                copies += 1
            return "repetition", (copies - 1) * n, copies * n
    return None


def _broke(words: list[Word], keep: list[int], a: int, b: int, gap_s: float, filled: dict) -> bool:
    """A break between kept words a and b: a comma or dash after a, a silent gap of gap_s, or a
    filled pause between them."""
    end, again = keep[a], keep[b]
    return (words[end].text.endswith(_BREAK) or words[again].start_s - words[end].end_s >= gap_s
            or any(norm(w.text) in filled for w in words[end + 1 : again]))


def _phrase_start(words: list[Word], keep: list[int], tokens: list[str], j: int, joins: set[str]) -> bool:
    """Word j begins a phrase: the first word, after a sentence end or a comma, after a filled
    pause, or after a joining word ("and the team, the whole team")."""
    if j == 0:
        return True
    prev = words[keep[j - 1]].text
    return prev.endswith((".", "?", "!", *_BREAK)) or keep[j] - keep[j - 1] > 1 or tokens[j - 1] in joins


def _listed(words: list[Word], keep: list[int], tokens: list[str], j: int) -> bool:
    """Word j follows a comma and an item that began with the same word: "the alerts, the
    runbooks, the dashboards" is a list, not a phrase started again."""
    return (j >= 2 and words[keep[j - 1]].text.endswith(",") and keep[j] - keep[j - 1] == 1
            and tokens[j] in tokens[max(0, j - 4) : j - 1])


def _abandoned(words: list[Word], keep: list[int], tokens: list[str], j: int, starts: set[str], hanging: set[str],
               asides: list[list[str]], gap_s: float, filled: dict, longest: int) -> tuple[str, int, int] | None:
    """A phrase dropped on a word it cannot end on, then a new one: "We, I posted", "We could,
    I set up", "Some of the, a few engineers" -> ("false_start", n, n + 1). The fragment (at the
    start of a phrase, which the caller checks) begins with an opener, is at most `longest`
    words, ends on a hanging word (a subject, an article, a preposition, a modal) followed by a
    break, and the next word could open a phrase too."""
    if tokens[j] not in starts:
        return None
    for n in range(1, longest + 1):
        if j + n >= len(tokens):
            return None
        if any(words[x].text.endswith((".", "?", "!")) for x in keep[j : j + n]):
            return None
        if _broke(words, keep, j + n - 1, j + n, gap_s, filled):
            if tokens[j + n - 1] not in hanging or tokens[j + n] not in starts:
                return None
            if any(tokens[j : j + len(a)] == a or tokens[j + n : j + n + len(a)] == a for a in asides):
                return None
            return "false_start", n, n + 1
    return None


def _restart(words: list[Word], keep: list[int], tokens: list[str], j: int, openers: set[str],
             asides: list[list[str]], gap_s: float, filled: dict) -> tuple[str, int, int] | None:
    """A phrase abandoned after two words and started again: "we went, we decided" ->
    ("false_start", 2, 3). The fragment must start with an opener word ("we", "i", "the", ...)
    and end in a break (comma, dash, pause or filled pause); neither it nor the restart may be
    an aside ("I mean, I would", "I built, I guess, a")."""
    if tokens[j] not in openers:
        return None
    for k in (2,):
        if j + k + 1 >= len(tokens) or tokens[j + k] != tokens[j] or tokens[j + 1] == tokens[j + k + 1]:
            continue
        if any(tokens[j : j + len(a)] == a or tokens[j + k : j + k + len(a)] == a for a in asides):
            return None
        if any(t.endswith((".", "?", "!")) for t in (words[x].text for x in keep[j : j + k])):
            return None
        if _broke(words, keep, j + k - 1, j + k, gap_s, filled):
            return "false_start", k, k + 1
    return None
