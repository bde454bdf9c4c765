"""Where the voice changes inside a unit of the transcript.

Whisper can write the candidate's last words and the interviewer's next question as one sentence
("... and it held how did you know it worked?") when less than `[units] gap_s` of silence stands
between them; that unit then has one speaker, and the question is lost inside the answer (or the
answer runs on into the next question). Once two voices are known, a unit long enough to hold
both is heard window by window (the speaker encoder's 0.8 s windows, every 0.4 s); at each word
boundary the windows before it and those after it are pooled, and where the two sides sound like
different voices, each clearly (`[speakers] cut_margin`: the cosine to the own voice's centre
minus the cosine to the other's), the unit is cut there, and each side again. A short question
inside a piece ("... making a profit - Six months? - Six months, and they came back ...") is
found as an island: consecutive windows that each sound like the other voice.
"""

from __future__ import annotations

import itertools

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE as SR
from rehearse.interview import speakers


def _voiced(starts: np.ndarray, window_s: float, speech: list | None, offset: float) -> np.ndarray:
    """Which windows are mostly speech (all of them when there is no voice activity)."""
    if not speech:
        return np.ones(len(starts), dtype=bool)
    keep = np.zeros(len(starts), dtype=bool)
    for i, a in enumerate(starts + offset):
        b = a + window_s
        covered = sum(max(0.0, min(b, r.end_s) - max(a, r.start_s)) for r in speech if r.end_s > a and r.start_s < b)
        keep[i] = covered >= window_s / 2
    return keep


def _side(emb: np.ndarray, centres: np.ndarray) -> tuple[int, float]:
    """The voice a set of windows sounds like, and by how much (cosine to it minus to the other)."""
    mean = emb.mean(axis=0)
    sims = centres @ (mean / (np.linalg.norm(mean) + 1e-12))
    k = int(np.argmax(sims))
    return k, float(sims[k] - sims[1 - k])


def best_cut(times: np.ndarray, emb: np.ndarray, window_s: float, bounds: list[float], centres: np.ndarray,
             min_windows: int) -> tuple[int, float] | None:
    """The word boundary (index into `bounds`, times of the gaps between words) where the windows
    before and after sound most clearly like two different voices, and the smaller of the two
    sides' margins; None when no boundary has `min_windows` on each side and two voices."""
    best = None
    for b, t in enumerate(bounds):
        left = times + window_s <= t + window_s / 4
        right = times >= t - window_s / 4
        if left.sum() < min_windows or right.sum() < min_windows:
            continue
        kl, ml = _side(emb[left], centres)
        kr, mr = _side(emb[right], centres)
        if kl != kr and (best is None or min(ml, mr) > best[1]):
            best = (b, min(ml, mr))
    return best


def cut_points(samples: np.ndarray, words: list, centres: np.ndarray, cfg: dict, speech: list | None = None,
               encoder: speakers.Encoder | None = None) -> list[tuple[int, float]]:
    """Where to cut a unit's words (index of the first word after each cut) so that each piece has
    one voice, with the margin each cut was made at; [] for a unit of one voice."""
    enc = encoder or speakers.encoder()
    a, b = words[0].start_s, words[-1].end_s
    if b - a < 2 * cfg["cut_min_side_s"]:
        return []
    starts, emb = enc.each_window(samples[int(a * SR): int(b * SR) + 1])
    keep = _voiced(starts, enc.window_s, speech, a)
    times, emb = starts[keep] + a, emb[keep]
    min_windows = max(1, round((cfg["cut_min_side_s"] - enc.window_s) / (enc.stride * enc.hop / SR)) + 1)
    cuts: list[tuple[int, float]] = []

    def search(lo: int, hi: int) -> None:  # words[lo:hi]
        if hi - lo < 2 or words[hi - 1].end_s - words[lo].start_s < 2 * cfg["cut_min_side_s"]:
            return
        inside = (times >= words[lo].start_s - enc.window_s / 4) & (times + enc.window_s <= words[hi - 1].end_s + enc.window_s / 4)
        bounds = [(words[i].end_s + words[i + 1].start_s) / 2 for i in range(lo, hi - 1)]
        found = best_cut(times[inside], emb[inside], enc.window_s, bounds, centres, min_windows)
        if found is None or found[1] < cfg["cut_margin"]:
            return
        at = lo + found[0] + 1
        cuts.append((at, found[1]))
        search(lo, at)
        search(at, hi)

    search(0, len(words))
    edges = [0] + sorted(c for c, _ in cuts) + [len(words)]
    for lo, hi in itertools.pairwise(edges):
        cuts += _island(words, lo, hi, times, emb, enc.window_s, centres, cfg)
    return sorted(cuts)


def _island(words: list, lo: int, hi: int, times: np.ndarray, emb: np.ndarray, window_s: float,
            centres: np.ndarray, cfg: dict) -> list[tuple[int, float]]:
    """A short stretch of the other voice inside words[lo:hi] ("... the second shop was making a
    profit - Six months? - Six months, and they came back ..."), which no single cut can find: the
    longest run of at least `island_windows` consecutive windows that each sound like the other
    voice by `cut_margin`, and all together by `island_margin` (more than a cut needs: a window is
    a short piece of sound, and a speaker's own windows vary), cut out at the word boundaries
    nearest its edges; [] when there is none."""
    inside = (times >= words[lo].start_s - window_s / 4) & (times + window_s <= words[hi - 1].end_s + window_s / 4)
    t, e = times[inside], emb[inside]
    if len(t) < 3 * cfg["island_windows"] or hi - lo < 3:
        return []
    sims = e @ centres.T
    own = int(np.argmax(sims.mean(axis=0)))
    lean = sims[:, 1 - own] - sims[:, own]
    best, run = None, None
    for i, flag in enumerate([*(lean >= cfg["cut_margin"]), False]):
        if flag and run is None:
            run = i
        elif not flag and run is not None:
            if i - run >= cfg["island_windows"] and lean[run:i].mean() >= cfg["island_margin"] \
                    and (best is None or i - run > best[1] - best[0]):
                best = (run, i)
            run = None
    if best is None:
        return []
    a, b = t[best[0]], t[best[1] - 1] + window_s
    bounds = [(words[i].end_s + words[i + 1].start_s) / 2 for i in range(lo, hi - 1)]
    first = lo + 1 + int(np.argmin([abs(x - a) for x in bounds]))
    last = lo + 1 + int(np.argmin([abs(x - b) for x in bounds]))
    gain = float(lean[best[0]:best[1]].mean())
    return [(c, gain) for c in sorted({first, last}) if lo < c < hi]
