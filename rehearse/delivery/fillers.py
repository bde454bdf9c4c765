"""Fillers: filled pauses (um, uh) placed in time by the audio, and discourse markers used as fillers.

Whisper writes some filled pauses and drops others; the ones it writes it often times badly
(zero length, or late by up to a second, their time given to a neighbouring word). So:

1. every filled pause in the transcript is moved onto the steady voiced stretch heard nearest
   to it (`rehearse.delivery.acoustic`), if there is one within reach (source "both"); otherwise it
   keeps Whisper's time (source "transcript"), unless Whisper itself was unsure of it and the
   audio has nothing filler-like there (then it is dropped as a hallucination);
2. a steady stretch that no confident word covers (or only words Whisper was unsure of), long
   and steady enough and said on its own (a short silence just before and just after it, as
   a hesitation sound usually is), is a filled pause Whisper dropped (source "audio");
3. a voiced island (a short sound with silence either side) that nothing above explains is
   heard again by Whisper on its own (`rehearse.speech.relisten`); written then as a filled pause,
   it is one, even where the first pass wrote a word over it (source "audio").

Discourse markers ("like", "you know", ...) count only in filler uses; the context rules live
in the lexicon (`rubrics/fillers.toml`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rehearse.audio.vad import overlap
from rehearse.delivery.acoustic import Stretch
from rehearse.models import Filler, Sentence, Span, Word
from rehearse.speech.words import norm, said_letters


def find_fillers(words: list[Word], sentences: list[Sentence], lexicon: dict[str, Any],
                 heard: list[Stretch] | None = None,
                 speech: list[Span] | None = None,
                 hear: Callable[[list[Stretch]], None] | None = None) -> tuple[list[Filler], set[int]]:
    """Filled pauses and discourse markers used as fillers, and the indices of the words they
    replace (left out of the pace). `heard` (steady voiced stretches) places the filled pauses
    and finds the ones Whisper dropped; without it, Whisper's fillers and times are used.
    `speech` (voice activity) tells a word said aloud from one Whisper wrote over silence.
    `hear(islands)` has Whisper hear voiced islands again, each on its own, setting their
    `heard_as` (`rehearse.speech.relisten`); it is asked only about islands no filled pause explains yet."""
    filled = lexicon.get("filled_pauses", {})
    markers = [(m, m["phrase"].split()) for m in lexicon.get("markers", [])]
    sentence_of = {i: s for s in sentences for i in range(s.word_start, s.word_end)}
    tokens = [norm(w.text) for w in words]
    gap_s = float(lexicon.get("marker_gap_s", 0.3))
    sure_s = float(lexicon.get("marker_min_probability", 0.0))
    fillers: list[Filler] = []
    used: set[int] = set()
    i = 0
    while i < len(words):
        sent = sentence_of.get(i)
        if tokens[i] in filled:
            fillers.append(_filler(words[i : i + 1], filled[tokens[i]], "filled_pause", sent, i))
            used.add(i)
            i += 1
            continue
        for marker, phrase in markers:
            n = len(phrase)
            if (tokens[i : i + n] == phrase and min(w.probability for w in words[i : i + n]) >= sure_s
                    and _is_filler_use(words, tokens, i, n, sent, marker, filled, gap_s)):
                fillers.append(_filler(words[i : i + n], marker["phrase"], "discourse_marker", sent, i))
                used.update(range(i, i + n))
                i += n
                break
        else:
            i += 1
    if heard is not None and "acoustic" in lexicon:
        cfg = {**lexicon["acoustic"], "_filled": tuple(filled), "_speech": speech}
        cfg["_per_char_s"] = _speaker_per_char(words, tokens, cfg)
        alone = [s for s in heard if s.kind == "island"]
        sound = [s for s in heard if s.kind == "sound"]
        heard = [s for s in heard if s.kind == "steady"]
        for i, f in _lookalikes(words, tokens, used, heard + alone, cfg, sentence_of):
            fillers.append(f)
            used.add(i)
        placed = place_filled_pauses([f for f in fillers if f.kind == "filled_pause"], words, heard, cfg, alone)
        dropped_words = {f.word_index for f in fillers if f.kind == "filled_pause"} - {f.word_index for f in placed}
        used -= dropped_words
        found, replaced = dropped_filled_pauses(words, tokens, filled, placed, heard, cfg, sentence_of)
        used |= replaced
        found += islands_between_words(words, tokens, placed + found, alone, sound, cfg, sentence_of)
        found, words_heard = heard_as_words(found, words, tokens, alone, filled, hear)
        used -= {f.word_index for f in words_heard} - {f.word_index for f in placed + found}
        marker_words = {i for f in fillers if f.kind == "discourse_marker" and f.word_index is not None
                        for i in range(f.word_index, f.word_index + len(f.text.split()))}
        again, replaced = heard_alone(words, tokens, placed + found, alone, sound, cfg, sentence_of, filled, hear,
                                      marker_words)
        found += again
        used |= replaced
        fillers = [f for f in fillers if f.kind != "filled_pause"] + placed + found
    fillers.sort(key=lambda f: f.start_s)
    return fillers, used


def _filler(span: list[Word], text: str, kind: str, sentence: Sentence | None, index: int) -> Filler:
    return Filler(
        text=text,
        kind=kind,
        start_s=span[0].start_s,
        end_s=span[-1].end_s,
        sentence=sentence.index if sentence else None,
        word_index=index,
    )


# ---------------------------------------------------------------- filled pauses and the audio


def _gap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Seconds between two spans (0 when they overlap)."""
    return max(b0 - a1, a0 - b1, 0.0)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def place_filled_pauses(fillers: list[Filler], words: list[Word], heard: list[Stretch], cfg: dict,
                        islands: list[Stretch] = ()) -> list[Filler]:
    """Move each transcript filled pause onto a steady stretch within reach, one said on its own
    (a short silence before and after it) before any other, then the nearest; drop the ones
    Whisper was unsure of when the audio has no stretch for them. One already timed on a voiced
    island (a lookalike such as "her," said as "er") moves only onto a stretch it overlaps: a
    stretch farther off is the sound of other words."""
    before, after = float(cfg["reach_before_s"]), float(cfg["reach_after_s"])
    tokens = [norm(w.text) for w in words]
    free = [_covered(words, tokens, s, cfg) <= float(cfg["place_max_covered"]) * s.duration_s for s in heard]
    claims = []
    for k, f in enumerate(fillers):
        on_island = any((f.start_s, f.end_s) == (s.start_s, s.end_s) for s in islands)
        for j, s in enumerate(heard):
            if on_island and _overlap(f.start_s, f.end_s, s.start_s, s.end_s) <= 0:
                continue
            if free[j] and f.start_s - before <= s.end_s and s.start_s <= f.end_s + after:
                alone = s.quiet_before and s.quiet_after
                claims.append((not alone, _gap(f.start_s, f.end_s, s.start_s, s.end_s), -s.duration_s, k, j))
    taken_f: dict[int, int] = {}
    taken_s: set[int] = set()
    for *_, k, j in sorted(claims):
        if k not in taken_f and j not in taken_s:
            taken_f[k] = j
            taken_s.add(j)
    out = []
    for k, f in enumerate(fillers):
        if k in taken_f:
            s = heard[taken_f[k]]
            out.append(f.model_copy(update={"start_s": s.start_s, "end_s": s.end_s, "source": "both",
                                            "confidence": round(max(_probability(words, f), s.score), 2)}))
        elif _probability(words, f) >= float(cfg["keep_unheard_probability"]):
            out.append(f.model_copy(update={"confidence": round(_probability(words, f), 2)}))
    return out


def _lookalikes(words: list[Word], tokens: list[str], used: set[int], heard: list[Stretch], cfg: dict,
                sentence_of: dict) -> list[tuple[int, Filler]]:
    """Words Whisper writes for a filled pause it did not recognise ("or", "her", "sure" for
    "er"). A lookalike it was unsure of is that filled pause when either
    - it lies on a steady stretch said on its own (a short silence before and after it), or
    - it is set off from the words after it (a comma or full stop, or a silent gap of at
      least lookalike_gap_s) and was said aloud (voice activity covers at least
      lookalike_min_speech of its span; Whisper also writes words over silence),
    and it is not the answer's first word ("Sure, so ...") nor followed by a word Whisper
    squeezed to almost nothing (then the lookalike holds that word's sound).
    The filler takes the stretch's time when one overlaps the word, else the word's."""
    out = []
    unsure = float(cfg["lookalike_max_probability"])
    set_off_unsure = float(cfg.get("lookalike_set_off_max_probability", 0))
    gap = float(cfg.get("lookalike_gap_s", 0.15))
    speech = cfg.get("_speech")
    for i, (w, t) in enumerate(zip(words, tokens)):
        if i in used or i == 0 or t not in cfg.get("lookalikes", {}):
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt and nxt.end_s - nxt.start_s < float(cfg.get("squeezed_word_s", 0)) and nxt.start_s - w.end_s < 0.05:
            continue  # the next word was squeezed to nothing: this word holds its sound
        on = [s for s in heard if _overlap(w.start_s, w.end_s, s.start_s, s.end_s) > 0]
        alone = w.probability < unsure and any(s.quiet_before and s.quiet_after for s in on)
        set_off = (w.probability < set_off_unsure
                   and (w.text.endswith((",", ".", ";", "!", "?")) or nxt is None or nxt.start_s - w.end_s >= gap)
                   and (speech is None
                        or overlap(w, speech) >= float(cfg.get("lookalike_min_speech", 0.5)) * (w.end_s - w.start_s)))
        if not (alone or set_off):
            continue
        where = max(on, key=lambda s: _overlap(w.start_s, w.end_s, s.start_s, s.end_s), default=None)
        start, end = (where.start_s, where.end_s) if where else (w.start_s, w.end_s)
        sentence = sentence_of.get(i)
        out.append((i, Filler(text=cfg["lookalikes"][t], kind="filled_pause", start_s=start, end_s=end,
                              sentence=sentence.index if sentence else None, word_index=i)))
    return out


def _covered(words: list[Word], tokens: list[str], s: Stretch, cfg: dict) -> float:
    """Seconds of stretch `s` that words Whisper was sure of account for. A word accounts for
    no more than a plausible length from its start (word_base_s + word_per_char_s per letter):
    Whisper often stretches the word before a dropped filler over the filler's time. A word's
    start is taken no earlier than the voice activity it lies in: Whisper often starts the
    first word of a phrase early, in the silence before it."""
    sure = float(cfg["covered_probability"])
    filled = set(cfg.get("_filled", ()))
    total = 0.0
    for w, t in zip(words, tokens):
        if w.end_s <= s.start_s or w.start_s >= s.end_s or w.probability < sure or t in filled:
            continue
        start = min(max(w.start_s, next((r.start_s for r in cfg.get("_speech") or () if r.end_s > w.start_s),
                                        w.start_s)), w.end_s)
        end = min(w.end_s, start + _plausible(t, cfg))
        total += _overlap(start, end, s.start_s, s.end_s)
    return total


def _plausible(token: str, cfg: dict) -> float:
    """A plausible length for a word: word_base_s + word_per_char_s per letter (scaled to the
    speaker's own pace, `_speaker_per_char`)."""
    return float(cfg["word_base_s"]) + float(cfg.get("_per_char_s", cfg["word_per_char_s"])) * said_letters(token)


def _speaker_per_char(words: list[Word], tokens: list[str], cfg: dict) -> float:
    """Seconds per letter for this speaker: word_per_char_s scaled by how long their words take
    against a typical pace (the median length per letter of words Whisper was sure of, over
    typical_s_per_char), within speaker_scale_range. A slow speaker's "export" outlasts the
    typical length, and its last vowel is not a filled pause."""
    typical = float(cfg.get("typical_s_per_char", 0))
    per_char = float(cfg["word_per_char_s"])
    rates = sorted((w.end_s - w.start_s) / len(t) for w, t in zip(words, tokens)
                   if w.probability >= float(cfg.get("speaker_min_probability", 0.9))
                   and len(t) >= int(cfg.get("speaker_min_letters", 3)) and w.end_s > w.start_s)
    if not typical or len(rates) < int(cfg.get("speaker_min_words", 20)):
        return per_char
    lo, hi = cfg.get("speaker_scale_range", [1.0, 1.0])
    return per_char * min(max(rates[len(rates) // 2] / typical, lo), hi)


def _probability(words: list[Word], f: Filler) -> float:
    return words[f.word_index].probability if f.word_index is not None else 0.0


def dropped_filled_pauses(words: list[Word], tokens: list[str], filled: dict[str, str], placed: list[Filler],
                          heard: list[Stretch], cfg: dict, sentence_of: dict) -> tuple[list[Filler], set[int]]:
    """Steady stretches no confident word accounts for: filled pauses Whisper dropped (a hum,
    `_is_hum`, even where one does). Returns them and the indices of the unsure words they
    replace."""
    found, replaced = [], set()
    sure = float(cfg["covered_probability"])
    for s in heard:
        if s.duration_s < float(cfg["min_audio_s"]) or s.score < float(cfg["min_audio_score"]):
            continue
        if cfg.get("audio_needs_quiet", True) and not (s.quiet_before and s.quiet_after):
            continue
        if any(_gap(f.start_s, f.end_s, s.start_s, s.end_s) < float(cfg["near_filler_s"]) for f in placed + found):
            continue
        inside = [i for i, w in enumerate(words) if _overlap(w.start_s, w.end_s, s.start_s, s.end_s) > 0]
        hum = _is_hum(s, cfg)
        if not hum and _covered(words, tokens, s, cfg) > float(cfg["max_covered"]) * s.duration_s:
            continue
        unsure = {i for i in inside if words[i].probability < sure and tokens[i] not in filled
                  and _overlap(words[i].start_s, words[i].end_s, s.start_s, s.end_s)
                  >= 0.5 * (words[i].end_s - words[i].start_s)}
        if not _in_context(words, s, cfg, placed):
            continue
        sentence = next((sentence_of[i] for i in inside if i in sentence_of), None)
        text = cfg.get("hum_text", "hmm") if hum else cfg.get("audio_text", "uh")
        found.append(Filler(text=text, kind="filled_pause", start_s=s.start_s, end_s=s.end_s,
                            source="audio", confidence=round(s.score, 2),
                            sentence=sentence.index if sentence else None,
                            word_index=min(unsure) if unsure else None))
        replaced |= unsure
    return found, replaced


def _is_hum(s: Stretch, cfg: dict) -> bool:
    """A hum ("hmm", said with the lips closed): a nasal murmur, much quieter than the vowels
    around it (at least hum_below_db under loud speech), spectrally steady (change at most
    hum_max_change_db) and level in pitch (range at most hum_max_pitch_range_st). No word
    sounds like that for hum-length, so it is one even where Whisper gave its time to a word
    it was sure of ("asked" timed from the start of the "hmm" before it)."""
    if "hum_below_db" not in cfg:
        return False
    return (s.level_db <= -float(cfg["hum_below_db"]) and s.change_db <= float(cfg["hum_max_change_db"])
            and s.pitch_range_st <= float(cfg["hum_max_pitch_range_st"]))


def islands_between_words(words: list[Word], tokens: list[str], fillers: list[Filler], alone: list[Stretch],
                          sound: list[Stretch], cfg: dict, sentence_of: dict) -> list[Filler]:
    """Voiced islands (`rehearse.delivery.acoustic.islands`) that fall between Whisper's words: filled
    pauses it dropped that are too short or gliding to be steady. An island counts only where
    nothing written explains it: every word overlapping it (by more than 0.05 s) has its own
    sound elsewhere (`_sound_elsewhere`), it is not the answer's first sound, no word Whisper was
    sure of (island_next_probability) starts within island_next_s after it (that word, written
    a little late), the next word is not squeezed to under island_squeezed of a plausible length
    right after it (that word's sound), no filled pause lies within island_near_filler_s, and
    the stretch rules of `_in_context` hold."""
    out: list[Filler] = []
    for s in alone:
        over = [(w, t) for w, t in zip(words, tokens) if _overlap(w.start_s, w.end_s, s.start_s, s.end_s) > 0.05]
        if not all(_sound_elsewhere(w, _plausible(t, cfg), s, sound, cfg) for w, t in over):
            continue
        before = _word_before(words, s)
        if before is None:
            continue
        if any(_gap(f.start_s, f.end_s, s.start_s, s.end_s) < float(cfg["island_near_filler_s"]) for f in fillers + out):
            continue
        k = next((k for k, w in enumerate(words) if w.start_s >= s.end_s - 0.05), None)
        if k is not None:
            nxt = words[k]
            if nxt.probability >= float(cfg["island_next_probability"]) and nxt.start_s - s.end_s < float(cfg["island_next_s"]):
                continue
            if nxt.start_s - s.end_s < 0.2 and nxt.end_s - nxt.start_s < float(cfg["island_squeezed"]) * _plausible(tokens[k], cfg):
                continue
        if not _in_context(words, s, cfg, fillers):
            continue
        sentence = sentence_of.get(before)
        out.append(Filler(text=cfg.get("audio_text", "uh"), kind="filled_pause", start_s=s.start_s, end_s=s.end_s,
                          source="audio", confidence=round(s.voicing, 2), sentence=sentence.index if sentence else None))
    return out


def heard_as_words(found: list[Filler], words: list[Word], tokens: list[str], alone: list[Stretch],
                   filled: dict[str, str], hear: Callable[[list[Stretch]], None] | None,
                   ) -> tuple[list[Filler], list[Filler]]:
    """Split filled pauses found in the audio into those kept and those whose voiced island
    Whisper, hearing it again on its own (`hear`), writes as a number ("38.", "1 1 1 1 1") or as
    the very word its first pass wrote over it ("I" for "I,"), and not as a filled pause too: the
    drawn-out vowel of that word ("nine", "four", "I"), not a hesitation. Without `hear` (and for
    islands not yet heard) nothing is dropped."""
    over = {id(f): [s for s in alone if _overlap(s.start_s, s.end_s, f.start_s, f.end_s) > 0]
            for f in found if f.source == "audio"}
    if hear is not None:
        ask = {id(s): s for islands in over.values() for s in islands if s.heard_as is None}
        hear(list(ask.values()))

    def a_word(f: Filler) -> bool:
        written = {t for w, t in zip(words, tokens) if _overlap(w.start_s, w.end_s, f.start_s, f.end_s) > 0.02}
        said = [norm(t) for s in over.get(id(f), []) for t in (s.heard_as or "").split()]
        return not any(t in filled for t in said) and any(_is_number(t) or t in written for t in said if t)

    dropped = [f for f in found if a_word(f)]
    return [f for f in found if f not in dropped], dropped


def heard_alone(words: list[Word], tokens: list[str], fillers: list[Filler], alone: list[Stretch],
                sound: list[Stretch], cfg: dict, sentence_of: dict,
                filled: dict[str, str], hear: Callable[[list[Stretch]], None] | None = None,
                marker_words: set[int] = frozenset()) -> tuple[list[Filler], set[int]]:
    """Voiced islands no filled pause lies within island_near_filler_s of, that Whisper, hearing
    each again on its own (`hear`, `rehearse.speech.relisten`), wrote as a filled pause ("Uh." where its
    first pass wrote "But,"): filled pauses it dropped. A word written over such an island is
    that filler (left out of the pace) unless it has its own sound outside the island
    (`_sound_elsewhere`: "about" timed from the "uh" before it); an island under a word already
    counted as a discourse marker ("Actually," heard alone as "Uh,") is that marker, counted once."""
    near = float(cfg["island_near_filler_s"])
    unexplained = [s for s in alone if not any(_gap(f.start_s, f.end_s, s.start_s, s.end_s) < near for f in fillers)]
    if hear is not None:
        hear([s for s in unexplained if s.heard_as is None])
    out: list[Filler] = []
    replaced: set[int] = set()
    for s in unexplained:
        said = (s.heard_as or "").split()
        kind = filled.get(norm(said[0])) if said else None
        if kind is None or any(_gap(f.start_s, f.end_s, s.start_s, s.end_s) < near for f in out):
            continue
        over = [i for i, (w, t) in enumerate(zip(words, tokens)) if _overlap(w.start_s, w.end_s, s.start_s, s.end_s) > 0.05
                and not _sound_elsewhere(w, _plausible(t, cfg), s, sound, cfg)]
        if marker_words & set(over):
            continue
        sentence = sentence_of.get(over[0] if over else _word_before(words, s))
        out.append(Filler(text=kind, kind="filled_pause", start_s=s.start_s, end_s=s.end_s, source="audio",
                          confidence=round(s.voicing, 2), sentence=sentence.index if sentence else None,
                          word_index=over[0] if over else None))
        replaced.update(over)
    return out, replaced


def _word_before(words: list[Word], s: Stretch) -> int | None:
    """Index of the last word that ends before stretch `s` starts (0.05 s of slack), if any."""
    return max((k for k, w in enumerate(words) if w.end_s <= s.start_s + 0.05), default=None)


def _sound_elsewhere(w: Word, plausible: float, s: Stretch, sound: list[Stretch], cfg: dict) -> bool:
    """Whether word `w`, written over island `s`, has its own sound outside it: Whisper started
    it at the island (within 0.2 s) and after the island its span holds at least
    island_word_elsewhere of a plausible length of sound ("and" timed from the "hmm" before
    it), or it only runs island_tail_s into the island and holds that much sound before it."""
    def loud(a: float, b: float) -> float:
        return overlap(Span(start_s=a, end_s=b), sound) if b > a else 0.0

    need = float(cfg["island_word_elsewhere"]) * plausible
    if abs(w.start_s - s.start_s) <= 0.2 and loud(s.end_s, w.end_s) >= need:
        return True
    return w.end_s - s.start_s <= float(cfg["island_tail_s"]) and loud(w.start_s, s.start_s) >= need


def _in_context(words: list[Word], s: Stretch, cfg: dict, fillers: list[Filler] = ()) -> bool:
    """Is stretch `s` where a dropped filled pause can be told from speech Whisper lost?

    - Inside a transcription hole (no word within hole_s on either side) Whisper lost the
      speech itself, and a steady vowel there is as likely a word's as a filler's: refused.
    - Right before a word Whisper was sure of but squeezed to almost no time (shorter than
      squeezed_word_s), the stretch is most likely that word's sound: refused. (An unsure
      squeezed word, "your" at p 0.08, is more likely Whisper's guess at the filler itself.)
    - Right before a word (starting within displaced_reach_s) whose time is mostly silence
      (voice activity under less than displaced_min_speech of it), Whisper placed that word
      late and the stretch is its sound: refused. So is a word Whisper put (mostly, or with no
      length at all) inside the time of a filled pause already placed: "and, um" with "and"
      written at the start of the "um" has its own sound in the stretch before it (a word
      Whisper was sure of, not a filler it wrote).
    """
    hole = float(cfg.get("hole_s", 0))
    before = [w for w in words if w.start_s < s.start_s - 0.05]
    after = [w for w in words if w.start_s >= s.start_s - 0.05]
    if hole and (not before or s.start_s - before[-1].end_s > hole) and (not after or after[0].start_s - s.end_s > hole):
        return False
    squeezed = float(cfg.get("squeezed_word_s", 0))
    nxt = after[0] if after else None
    if (nxt and nxt.end_s - nxt.start_s < squeezed and nxt.start_s - s.end_s < squeezed
            and nxt.probability >= float(cfg["covered_probability"])):
        return False  # the stretch is the sound of the next word, which Whisper squeezed to nothing
    reach = float(cfg.get("displaced_reach_s", 0))
    if reach and cfg.get("_speech") and nxt and nxt.start_s - s.end_s < reach and nxt.end_s > nxt.start_s:
        if overlap(nxt, cfg["_speech"]) < float(cfg["displaced_min_speech"]) * (nxt.end_s - nxt.start_s):
            return False  # the next word's time is mostly silence: Whisper placed it late, its sound is the stretch
    if (reach and nxt and nxt.start_s - s.end_s < reach and norm(nxt.text) not in cfg.get("_filled", ())
            and nxt.probability >= float(cfg["covered_probability"])):
        for f in fillers:
            inside = _overlap(nxt.start_s, nxt.end_s, f.start_s, f.end_s)
            if (f.start_s - 0.05 <= nxt.start_s <= f.end_s
                    and inside >= float(cfg["displaced_min_speech"]) * (nxt.end_s - nxt.start_s)):
                return False  # the next word was written over a filler's sound: its own sound is the stretch
    return True


# ---------------------------------------------------------------- discourse markers


def _is_filler_use(words, tokens, i, n, sentence, marker, filled, gap_s) -> bool:
    before = tokens[i - 1] if i > 0 else ""
    after = tokens[i + n] if i + n < len(tokens) else ""
    start = sentence is not None and i == sentence.word_start
    end = sentence is not None and i + n == sentence.word_end
    if start:
        before = ""
    if end:
        after = ""
    last_text = words[i + n - 1].text
    prev_text = words[i - 1].text if i > 0 else ""
    pause_before = i > 0 and words[i].start_s - words[i - 1].end_s >= gap_s
    pause_after = i + n < len(words) and words[i + n].start_s - words[i + n - 1].end_s >= gap_s
    set_off = last_text.endswith((",", ";", "—", "-", "...")) or pause_after  # "you know, that ..."
    if before in marker.get("unless_after", []) or (after in marker.get("unless_before", []) and not set_off):
        return False
    reach = int(marker.get("unless_within", 0))
    if reach and set(tokens[max(sentence.word_start if sentence else 0, i - reach) : i]) & set(marker["unless_within_words"]):
        return False  # "by weekly I mean every Monday": a definition, not a filler
    facts = {
        "always": True,
        "answer_start": i == 0,
        "sentence_start": start,
        "sentence_end": end,
        "comma_before": i > 0 and not start and prev_text.endswith((",", ";", "—", "-", "...")),
        "comma_after": last_text.endswith((",", ";", "—", "-", "...")),
        "pause_before": pause_before,
        "pause_after": pause_after,
        "filler_before": before in filled,
        "filler_after": after in filled,
        "prev_listed": bool(before) and before in marker.get("prev_words", []),
        "next_listed": bool(after) and (after in marker.get("next_words", [])
                                        or (marker.get("next_number", False) and _is_number(after))),
        "question_tag": last_text.endswith("?") and i > 0 and prev_text.endswith(","),
        "continues": not end and i + n < len(words) and not last_text.endswith((",", ";", ".", "?", "!", "—", "-", "...")),
    }
    return any(all(facts[c] for c in cond.split("+")) for cond in marker.get("when", []))


def _is_number(token: str) -> bool:
    return any(c.isdigit() for c in token)
