"""Silent pauses, from voice activity and signal energy rather than Whisper's word edges.

A pause is a silence between two stretches of the answer's sound:
1. every gap between two voice-activity (Silero) regions holding the answer's words;
2. its edges moved to where the sound really stops and starts, from 10 ms frame energy
   (Silero decides in 32 ms frames and hears quiet onsets late);
3. short silences inside a voice-activity region that Silero does not split off (a breath
   between two words), found from the same frame energy.

Its length puts it in a band (brief / medium / long, by the rubric's `bands_s`); the words
Whisper heard around it place it: after a word that ends a sentence (. ? !, but not the
"..." Whisper writes for a hesitation) it is between sentences, unless the next word opens
a clause of the same sentence ("and", "because", "which": Whisper tends to end a sentence
at any long pause); otherwise it is within a sentence, and mid-clause unless the word
before ends in punctuation or the next word opens a clause (mid-clause pauses hurt
perceived fluency most). A pause after a word no clause ends on ("the", "of", "our") is
mid-clause whatever the punctuation.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np

from rehearse.models import Pause, PauseStats, Span, Word
from rehearse.speech.words import norm

CLAUSE_MARKS = (",", ";", ":", "-", "–", "—")
# A sentence ends at . ? ! (quotes or brackets may follow); Whisper's "..." marks a hesitation.
_SENTENCE_END = re.compile(r"(?<!\.\.)[.?!][\"')\]]*$")
HOP = 160  # 10 ms frames at 16 kHz
WIN = 320  # 20 ms energy window
FPS = 100  # frames per second


def band(seconds: float, bands_s: tuple[float, float]) -> str:
    brief, long = bands_s
    return "brief" if seconds < brief else "long" if seconds > long else "medium"


def frame_db(samples: np.ndarray) -> np.ndarray:
    """Energy of 20 ms windows every 10 ms, dB relative to full scale."""
    x = np.asarray(samples, dtype=np.float64)
    if len(x) < WIN:
        return np.full(0, -120.0)
    sq = np.concatenate([[0.0], np.cumsum(x * x)])
    starts = np.arange(0, len(x) - WIN + 1, HOP)
    return 10 * np.log10((sq[starts + WIN] - sq[starts]) / WIN + 1e-12)


class Silence:
    """Which 10 ms frames are loud: above the recording's noise floor by a margin."""

    def __init__(self, db: np.ndarray, gaps: list[tuple[float, float]], cfg: dict[str, Any]):
        inside = [db[int(a * FPS) : int(b * FPS)] for a, b in gaps if b - a >= 0.1]
        inside = [g for g in inside if len(g)]
        floor = float(np.median([np.percentile(g, 20) for g in inside])) if inside else float(np.percentile(db, 5)) if len(db) else -120.0
        self.floor_db = max(floor, float(cfg.get("noise_floor_min_db", -65.0)))
        self.loud = db > self.floor_db + float(cfg.get("edge_margin_db", 10.0))
        self.reach = int(float(cfg.get("edge_reach_s", 0.5)) * FPS)
        self.bridge = round(float(cfg.get("bridge_s", 0.04)) * FPS)

    def _walk(self, i: int, step: int) -> int:
        """From loud frame i, step over loud frames (bridging short quiet runs); the last loud frame."""
        loud, last, quiet, limit = self.loud, i, 0, i + step * self.reach
        while 0 <= i + step < len(loud) and i + step != limit and quiet <= self.bridge:
            i += step
            if loud[i]:
                last, quiet = i, 0
            else:
                quiet += 1
        return last

    def _edge(self, i: int, into_sound: int) -> int | None:
        """The sound's loud frame next to the silence near frame i; the sound lies `into_sound` of it."""
        loud = self.loud
        i = min(max(i, 0), len(loud) - 1)
        if loud[i]:
            return self._walk(i, -into_sound)
        j = i
        while 0 <= j < len(loud) and not loud[j] and abs(j - i) < self.reach:
            j += into_sound
        return j if 0 <= j < len(loud) and loud[j] else None

    def refine(self, start: float, end: float) -> tuple[float, float]:
        """Move a pause's edges to where the sound stops and starts again."""
        if len(self.loud) == 0:
            return start, end
        last_loud = self._edge(round(start * FPS), -1)
        first_loud = self._edge(round(end * FPS), +1)
        # frame f spans [f, f + 2) x 10 ms: if f is the last loud frame the sound stops within
        # (f, f + 1] x 10 ms; if f is the first loud frame it starts within [f + 1, f + 2) x 10 ms
        new_start = (last_loud + 0.5) / FPS if last_loud is not None else start
        new_end = (first_loud + 1.5) / FPS if first_loud is not None else end
        return (new_start, new_end) if new_end > new_start else (start, end)

    def quiet_runs(self, start: float, end: float, min_s: float) -> list[tuple[float, float]]:
        """Silences of at least `min_s` inside [start, end]."""
        a, b = max(int(start * FPS), 0), min(int(end * FPS), len(self.loud))
        if b <= a:
            return []
        quiet = np.concatenate([[False], ~self.loud[a:b], [False]])
        edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
        runs = [((a + i + 0.5) / FPS, (a + j + 0.5) / FPS) for i, j in zip(edges[::2], edges[1::2])]
        return [(s, e) for s, e in runs if e - s >= min_s]


def find_pauses(speech: list[Span], words: list[Word], cfg: dict[str, Any], samples: np.ndarray | None = None,
                pad_s: float = 0.0) -> list[Pause]:
    """Every silent pause from the first word to the last, with its band and position.

    `pad_s` is the padding the voice-activity detector added to each side of its regions;
    it is taken off again. Without `samples` the voice-activity gaps are used as they are.
    """
    if not words:
        return []
    first, last = words[0].start_s, words[-1].end_s
    regions = [r for r in speech if r.end_s > first - 0.3 and r.start_s < last + 0.3]
    gaps = [(left.end_s - pad_s, right.start_s + pad_s) for left, right in itertools.pairwise(regions)]
    gaps = [(a, b) for a, b in gaps if b > a]
    if samples is not None and len(samples):
        silence = Silence(frame_db(samples), gaps, cfg)
        gaps = [silence.refine(a, b) for a, b in gaps]
        edge = 0.05  # keep clear of the region's own (padded) edges
        min_s = float(cfg.get("min_brief_s", 0.1))
        gaps += [run for r in regions for run in silence.quiet_runs(r.start_s + pad_s + edge, r.end_s - pad_s - edge, min_s)]
    gaps = _merge(sorted(gaps))
    bands_s = tuple(cfg.get("bands_s", (0.2, 1.0)))
    openers = {w.lower() for w in cfg.get("clause_openers", [])}
    continuers = {w.lower() for w in cfg.get("clause_continuers", [])}
    return [p for a, b in gaps if (p := _place(a, b, words, bands_s, openers, continuers)) is not None]


def _merge(gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in gaps:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _place(start: float, end: float, words: list[Word], bands_s: tuple[float, float], openers: set[str],
           continuers: set[str]) -> Pause | None:
    """The pause with its band and position, or None when it is not between two of the answer's words."""
    mid = (start + end) / 2
    before = sum(1 for w in words if (w.start_s + w.end_s) / 2 <= mid) - 1  # the last word before the pause
    if before < 0 or before >= len(words) - 1:
        return None
    word, following = words[before].text, norm(words[before + 1].text)
    hanging = norm(word) in continuers  # "the", "of", "our": the clause cannot end here
    ends_sentence = _SENTENCE_END.search(word) is not None and not hanging
    between = ends_sentence and following not in openers
    return Pause(
        start_s=round(start, 3), end_s=round(end, 3), duration_s=round(end - start, 3),
        position="between_sentences" if between else "within_sentence",
        band=band(end - start, bands_s),
        mid_clause=hanging or (not ends_sentence and not word.endswith(CLAUSE_MARKS) and following not in openers),
        after_word=word,
    )


def pause_stats(pauses: list[Pause], span_s: float, cfg: dict[str, Any]) -> PauseStats:
    bands_s = tuple(cfg.get("bands_s", (0.2, 1.0)))
    total = sum(p.duration_s for p in pauses)
    return PauseStats(
        bands_s=bands_s,
        count=len(pauses),
        total_s=round(total, 3),
        share_of_span=round(total / span_s, 3) if span_s > 0 else 0.0,
        per_minute=round(len(pauses) / (span_s / 60), 2) if span_s > 0 else 0.0,
        by_band={b: sum(p.band == b for p in pauses) for b in ("brief", "medium", "long")},
        between_sentences=sum(p.position == "between_sentences" for p in pauses),
        within_sentence=sum(p.position == "within_sentence" for p in pauses),
        mid_clause=sum(p.mid_clause and p.band != "brief" for p in pauses),
        longest_s=max((p.duration_s for p in pauses), default=0.0),
        note=(f"Silences shorter than {float(cfg.get('min_brief_s', 0.1)):.2f} s are not counted; "
              "brief pauses are found less reliably than longer ones."),
    )
