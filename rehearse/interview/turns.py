"""The turns of a mock interview: the transcript cut into units, each with its question cues and
voice; the interviewer's question turns found by channels, voices or wording; or given by hand
(`--splits`)."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE as SR
from rehearse.errors import RehearseError
from rehearse.interview.voices import two_clusters, voice_features
from rehearse.models import Transcription, Word


@dataclass
class Unit:
    words: list[Word]
    cues: list[str] = field(default_factory=list)
    cue_score: float = 0.0
    speaker: str = "candidate"
    features: np.ndarray | None = None
    balance_db: float | None = None  # left minus right channel level

    @property
    def start_s(self) -> float:
        return self.words[0].start_s

    @property
    def end_s(self) -> float:
        return self.words[-1].end_s

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Turns:
    """Question turns (start, end, text, cues) and how they were found."""

    questions: list[tuple[float, float, str, list[str]]]
    detection: str
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    separation: float | None = None


def make_units(words: list[Word], gap_s: float, speech: list | None = None, reach_s: float = 1.0) -> list[Unit]:
    """Cut the words at sentence ends, at gaps of `gap_s` between words, and at silences of
    `gap_s` in the voice activity (Whisper's word times can run across a turn change's silence;
    the cut goes to the word boundary nearest the silence, within `reach_s`)."""
    cuts: set[int] = set()
    mids = [(a.end_s + b.start_s) / 2 for a, b in itertools.pairwise(words)]
    for left, right in zip(speech or [], (speech or [])[1:]):
        if right.start_s - left.end_s >= gap_s and mids:
            middle = (left.end_s + right.start_s) / 2
            i = int(np.argmin([abs(m - middle) for m in mids]))
            if abs(mids[i] - middle) <= reach_s:
                cuts.add(i)
    units, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        last = i == len(words) - 1
        if last or i in cuts or re.search(r"[.?!][\"')\]]*$", word.text) or words[i + 1].start_s - word.end_s >= gap_s:
            units.append(Unit(current))
            current = []
    return units


def question_cues(unit: Unit, cfg: dict) -> None:
    text = unit.text.lower().replace("\u2019", "'")
    lead = cfg["lead_in"]
    for opening in cfg["openings"]:
        if re.search(lead + opening["pattern"], text):
            unit.cues.append(f"wording: {opening['pattern']}")
            unit.cue_score += opening["weight"]
            break
    if unit.text.rstrip().endswith("?"):
        unit.cues.append("question mark")
        unit.cue_score += cfg["question_mark"]


def detect_turns(samples: np.ndarray, text: Transcription, balance: Callable[[float, float], float] | None,
                 cfg: dict) -> Turns:
    """Find the interviewer's question turns in a transcribed recording."""
    units = make_units(text.words, cfg["units"]["gap_s"], text.speech, cfg["units"]["reach_s"])
    vcfg, ccfg = cfg["voice"], cfg["cues"]
    for unit in units:
        question_cues(unit, ccfg)
        x = samples[int(unit.start_s * SR): int(unit.end_s * SR) + 1]
        unit.features, rise = voice_features(x, vcfg)
        if rise >= ccfg["rising_semitones"]:
            unit.cues.append(f"rising pitch (+{rise:.1f} semitones)")
            unit.cue_score += ccfg["rising_weight"]
        if balance is not None:
            unit.balance_db = balance(unit.start_s, unit.end_s)
    min_score = ccfg["min_question_score"]
    notes: list[str] = []
    separation = None

    detection = "wording"
    if balance is not None:
        lopsided = [u for u in units if abs(u.balance_db) >= cfg["channels"]["min_db"]]
        if units and len(lopsided) >= cfg["channels"]["min_share"] * len(units):
            scores = {side: sum(u.cue_score for u in units if (u.balance_db > 0) == side) for side in (True, False)}
            asker_left = scores[True] >= scores[False]
            for u in units:
                u.speaker = "interviewer" if (u.balance_db > 0) == asker_left else "candidate"
            detection = "channels"
        else:
            notes.append("stereo, but the channels do not hold one speaker each: channels not used")
    if detection == "wording" and len(units) >= 4:
        long = [u for u in units if u.end_s - u.start_s >= vcfg["min_unit_s"]]
        feats = np.array([u.features for u in long])
        if len(long) >= 4:
            pitch = feats[:, -1]
            feats[np.isnan(pitch), -1] = np.nanmean(pitch) if np.isfinite(pitch).any() else 0.0
            scale = np.ones(feats.shape[1])
            scale[-1] = vcfg["pitch_weight"]
            seed = np.array([u.cue_score >= min_score for u in long])
            labels, separation = two_clusters(feats * scale / scale.mean(), np.array([u.end_s - u.start_s for u in long]),
                                              seed)
            if separation >= vcfg["min_separation"]:
                cue = [sum(u.cue_score >= min_score for u, k in zip(long, labels) if k == c) /
                       max(1, sum(1 for k in labels if k == c)) for c in (0, 1)]
                asker = int(np.argmax(cue))
                if max(cue) > 0:
                    for u, k in zip(long, labels):
                        u.speaker = "interviewer" if k == asker else "candidate"
                    _attach_short(units, vcfg["min_unit_s"])
                    detection = "voices"
            else:
                notes.append(f"one voice heard (voice separation {separation:.1f} < {vcfg['min_separation']:g}): "
                             "turns found from question wording and pauses")
    if detection == "wording":
        _turns_by_wording(units, min_score, ccfg["follow_score"], cfg["turns"]["min_turn_gap_s"], text.speech, cfg["turns"]["lead_words"])

    questions = []
    for run in _runs(units):
        if run[0].speaker != "interviewer":
            continue
        cues = [c for u in run for c in u.cues]
        n_words = sum(len(u.words) for u in run)
        if not any(u.cue_score >= min_score for u in run) and n_words < cfg["turns"]["min_question_words"]:
            for u in run:  # a short interjection without question cues stays inside the answer
                u.speaker = "candidate"
            continue
        first = next((i for i, u in enumerate(run) if u.cue_score >= min_score), 0)
        asked = " ".join(u.text for u in run[first:])
        questions.append((run[0].start_s, run[-1].end_s, asked, cues))
    return Turns(questions, detection if questions else "none", units, notes,
                 round(separation, 2) if separation is not None else None)


def _attach_short(units: list[Unit], min_unit_s: float) -> None:
    """Short units have no reliable voice: they take the speaker of the nearer neighbour."""
    for i, u in enumerate(units):
        if u.end_s - u.start_s >= min_unit_s:
            continue
        prev = next((v for v in reversed(units[:i]) if v.end_s - v.start_s >= min_unit_s), None)
        nxt = next((v for v in units[i + 1:] if v.end_s - v.start_s >= min_unit_s), None)
        near = [v for v in (prev, nxt) if v is not None]
        if near:
            u.speaker = min(near, key=lambda v: min(abs(u.start_s - v.end_s), abs(v.start_s - u.end_s))).speaker


def silence_before(units: list[Unit], i: int, speech: list) -> float:
    """The silence before unit i: the longer of the gap between the words and the longest
    voice-activity silence around the boundary (Whisper's word times can run into silence)."""
    if i == 0:
        return float("inf")
    prev, unit = units[i - 1], units[i]
    gap = unit.start_s - prev.end_s
    lo, hi = prev.words[-1].start_s, unit.words[0].end_s
    for left, right in itertools.pairwise(speech):
        if lo <= (left.end_s + right.start_s) / 2 <= hi:
            gap = max(gap, right.start_s - left.end_s)
    return gap


def _turns_by_wording(units: list[Unit], min_score: float, follow_score: float, gap_s: float, speech: list,
                      lead_words: int) -> None:
    """One voice: a question turn is a run of units worded as questions, after a silence of
    `gap_s` (or at the start), with the short lead-ins just before it ("Thanks.", "Okay, next
    one."); everything else is the candidate's."""
    for u in units:
        u.speaker = "candidate"
    i = 0
    while i < len(units):
        if units[i].cue_score < min_score:
            i += 1
            continue
        first = i
        while first > 0 and len(units[first - 1].words) <= lead_words and units[first - 1].cue_score < min_score \
                and silence_before(units, first, speech) < gap_s * 2:
            first -= 1
        if silence_before(units, first, speech) < gap_s:
            i += 1
            continue
        last = i
        while last + 1 < len(units) and (units[last + 1].cue_score >= min_score or (
                units[last + 1].cue_score >= follow_score and silence_before(units, last + 1, speech) < gap_s)):
            last += 1
        for u in units[first : last + 1]:
            u.speaker = "interviewer"
        i = last + 1


def _runs(units: list[Unit]) -> list[list[Unit]]:
    runs: list[list[Unit]] = []
    for u in units:
        if runs and runs[-1][-1].speaker == u.speaker:
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs


def parse_time(value: str) -> float:
    """"2:31", "1:02:03" or "151.5" seconds; minutes and seconds after a colon are under 60."""
    value = value.strip()
    bad = RehearseError("--splits", f"not a time: {value!r} (use m:ss, h:mm:ss or seconds)")
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        raise bad from None
    if len(parts) > 3 or any(not math.isfinite(p) or p < 0 for p in parts) or any(p >= 60 for p in parts[1:]):
        raise bad
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def parse_splits(text: str, source: str = "--splits") -> list[float]:
    """Turn starts, comma- or line-separated; `#` starts a comment."""
    items = [t for line in text.splitlines() for t in line.split("#")[0].replace(",", " ").split() if t]
    times = [parse_time(t) for t in items]
    if not times:
        raise RehearseError(source, "no times given")
    if any(b <= a for a, b in itertools.pairwise(times)):
        raise RehearseError(source, "times must increase")
    return times


def turns_from_splits(splits: list[float], text: Transcription, duration: float) -> Turns:
    """Turns start at the given times, alternating question, answer, question, ... (the first
    is a question)."""
    if splits[-1] >= duration:
        raise RehearseError("--splits", f"{splits[-1]:.1f} s is past the end of the recording ({duration:.1f} s)")
    bounds = list(splits) + [duration]
    questions, units = [], []
    for k in range(0, len(splits), 2):
        a, b = bounds[k], bounds[k + 1]
        words = [w for w in text.words if a <= (w.start_s + w.end_s) / 2 < b]
        if words:
            questions.append((words[0].start_s, words[-1].end_s, " ".join(w.text for w in words), ["--splits"]))
        else:
            questions.append((a, a, "", ["--splits"]))
    for w in text.words:
        k = max(i for i, s in enumerate([-1e9] + splits[1:]) if (w.start_s + w.end_s) / 2 >= s)
        speaker = "interviewer" if k % 2 == 0 else "candidate"
        if units and units[-1].speaker == speaker:
            units[-1].words.append(w)
        else:
            units.append(Unit([w], speaker=speaker))
    return Turns(questions, "splits", units)
