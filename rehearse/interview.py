"""Interview mode: split a recorded mock interview into question turns and answers, report each.

The whole recording is transcribed once. The transcript is cut into units (sentences, and
silences of `[units] gap_s`); each unit gets question cues (wording from `rubrics/interview.toml`,
a question mark, rising pitch at its end) and voice statistics (spectral shape and median
pitch). Speakers are told apart, in order of preference, by the stereo channels (one speaker
per channel), by two voices (two clusters of units far enough apart), or, with one voice, by
wording and the silences at turn changes. Each answer is then analysed from its slice of the
samples and the words already transcribed (`pipeline.analyze_transcribed`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rehearse import __version__, audio, pipeline, rubric, transcribe
from rehearse.errors import RehearseError
from rehearse.models import (
    InterviewAnswer,
    InterviewPattern,
    InterviewReport,
    InterviewSummary,
    InterviewTurn,
    Question,
    Report,
    Transcription,
    Word,
)

SR = audio.SAMPLE_RATE


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


# ---------------------------------------------------------------- units and cues


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


# ---------------------------------------------------------------- voice statistics


def _frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    if len(x) < size:
        x = np.pad(x, (0, size - len(x)))
    n = 1 + (len(x) - size) // hop
    return np.lib.stride_tricks.as_strided(x, (n, size), (x.strides[0] * hop, x.strides[0]), writeable=False)


def pitch_track(x: np.ndarray, lo_hz: float, hi_hz: float) -> np.ndarray:
    """Pitch (Hz) of each voiced 40 ms frame (10 ms hop); 0 where unvoiced."""
    frames = _frames(x, 640, 160).astype(np.float64)
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = (frames ** 2).sum(axis=1)
    spec = np.fft.rfft(frames, n=1280, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :640]
    lo, hi = int(SR / hi_hz), int(SR / lo_hz)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(len(ac)), lag] / np.maximum(ac[:, 0], 1e-12)
    loud = energy > max(np.percentile(energy, 30), 1e-6)
    return np.where((peak > 0.45) & loud, SR / lag, 0.0)


def voice_features(x: np.ndarray, cfg: dict) -> tuple[np.ndarray, float]:
    """Spectral shape (log band energies, loudness removed) and log median pitch of one unit;
    also the pitch rise over its last half second, in semitones."""
    frames = _frames(x, 512, 160) * np.hanning(512)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(512, 1 / SR)
    edges = np.geomspace(cfg["band_hz"][0], cfg["band_hz"][1], cfg["bands"] + 1)
    bands = np.stack([power[:, (freqs >= a) & (freqs < b)].sum(axis=1) for a, b in itertools.pairwise(edges)], 1)
    total = bands.sum(axis=1)
    loud = total > np.percentile(total, 40)
    logb = np.log((bands[loud] if loud.any() else bands) + 1e-10)
    shape = (logb - logb.mean(axis=1, keepdims=True)).mean(axis=0)
    f0 = pitch_track(x, *cfg["pitch_hz"])
    voiced = f0[f0 > 0]
    median = float(np.median(voiced)) if len(voiced) >= 5 else 0.0
    tail = f0[-50:][f0[-50:] > 0]
    rise = 12 * np.log2(np.median(tail) / median) if median and len(tail) >= 5 else 0.0
    pitch = np.log(median) if median else np.nan
    return np.concatenate([shape, [pitch]]), float(rise)


def two_clusters(features: np.ndarray, weights: np.ndarray, seed: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """2-means on standardised features; labels and the Fisher ratio along the centres' line.
    Started from the two units farthest apart and, when `seed` (a guess of the labels: the
    units worded as questions) is given, from that guess too; the better separated split wins
    (an interviewer says far less than the candidate, and k-means alone may split the
    candidate's many units instead)."""
    x = (features - features.mean(0)) / (features.std(0) + 1e-9)
    far = np.argmax(((x - x.mean(0)) ** 2).sum(1))
    other = np.argmax(((x - x[far]) ** 2).sum(1))
    starts = [x[[far, other]]]
    if seed is not None and 0 < seed.sum() < len(seed):
        starts.append(np.stack([x[~seed].mean(0), x[seed].mean(0)]))
    best = (np.zeros(len(x), dtype=int), 0.0)
    for centres in starts:
        labels, separation = _kmeans(x, weights, centres)
        if separation > best[1]:
            best = (labels, separation)
    return best


def _kmeans(x: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, float]:
    labels = np.zeros(len(x), dtype=int)
    for _ in range(50):
        labels = np.argmin(((x[:, None, :] - centres[None]) ** 2).sum(2), axis=1)
        if labels.min() == labels.max():
            return labels, 0.0
        new = np.stack([np.average(x[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        if np.allclose(new, centres):
            break
        centres = new
    axis = centres[1] - centres[0]
    proj = x @ axis / (np.linalg.norm(axis) + 1e-12)
    a, b = proj[labels == 0], proj[labels == 1]
    if len(a) < 2 or len(b) < 2:
        return labels, 0.0
    return labels, float((a.mean() - b.mean()) ** 2 / (a.var() + b.var() + 1e-9))


# ---------------------------------------------------------------- turns


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


# ---------------------------------------------------------------- hand-given turns


def parse_time(value: str) -> float:
    """"2:31", "1:02:03" or "151.5" seconds."""
    value = value.strip()
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        raise RehearseError("--splits", f"not a time: {value!r} (use m:ss, h:mm:ss or seconds)") from None
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise RehearseError("--splits", f"not a time: {value!r} (use m:ss, h:mm:ss or seconds)")
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


# ---------------------------------------------------------------- stereo


def channel_balance(path: Path) -> Callable[[float, float], float] | None:
    """For a two-channel file, a function giving (left - right) level in dB over a time span;
    None for mono. Levels are kept per 50 ms, decoded as a stream (memory stays small)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            if stream.codec_context.channels != 2:
                return None
            resampler = av.audio.resampler.AudioResampler(format="fltp", layout="stereo", rate=SR)
            hop = SR // 20
            levels, carry = [], np.zeros((2, 0), np.float32)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    x = np.concatenate([carry, out.to_ndarray()], axis=1)
                    n = x.shape[1] // hop * hop
                    if n:
                        levels.append((x[:, :n].reshape(2, -1, hop) ** 2).mean(axis=2))
                    carry = x[:, n:]
    except Exception:  # noqa: BLE001 - the mono decode has already accepted the file; treat as mono
        return None
    if not levels:
        return None
    energy = np.concatenate(levels, axis=1)

    def balance(start_s: float, end_s: float) -> float:
        a, b = int(start_s * 20), max(int(end_s * 20), int(start_s * 20) + 1)
        left, right = energy[:, a:b].sum(axis=1) + 1e-10
        return float(10 * np.log10(left / right))

    return balance


# ---------------------------------------------------------------- the whole interview


class _Progress:
    """A rich progress bar on stderr with the time left, driven by transcription progress."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(stderr=True)
            if not (console.is_terminal and console.is_interactive):
                return  # piped or logged: no bar, so stderr holds only notes and errors
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                                TimeRemainingColumn(), console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("decoding", total=None)

    def stage(self, name: str, total: float | None = None) -> None:
        if self.bar:
            self.bar.update(self.task, description=name, total=total, completed=0)

    def update(self, done: float, total: float) -> None:
        if self.bar:
            self.bar.update(self.task, completed=min(done, total), total=total)

    def stop(self) -> None:
        if self.bar:
            self.bar.stop()


def analyze_interview(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    lp: str | None = None,
    splits: list[float] | None = None,
    progress: bool = False,
) -> InterviewReport:
    path = Path(path)
    file = str(path)
    cfg = rubric.load("interview")
    star_rubric = rubric.load(rubric_name)
    pipeline.check_lp(rubric_name, lp)
    spec = transcribe.resolve_model(model)
    lap = pipeline.Laps()

    bar = _Progress(progress)
    try:
        samples = audio.decode(path)
        duration = len(samples) / SR
        if splits is not None and splits[-1] >= duration:
            raise RehearseError("--splits", f"{splits[-1]:.1f} s is past the end of {file} ({duration:.1f} s)")
        balance = channel_balance(path)
        lap("decode")
        bar.stage("finding speech")
        speech, speech_s = pipeline.find_speech(samples, file)
        bad = cfg["bad_input"]
        if speech_s < bad["min_speech_share"] * duration:
            raise RehearseError(file, f"mostly silence or music: speech in only {speech_s / duration:.0%} of "
                                      f"{_clock(duration)} ({speech_s:.0f} s); nothing to split into questions and answers")
        lap("vad")
        whisper = pipeline.get_model(spec)
        lap("load_model")
        bar.stage("transcribing", duration)
        text = pipeline.transcribe_speech(samples, speech, speech_s, spec, whisper,
                                          progress=bar.update if progress else None)
        if len(text.words) < bad["min_words_per_speech_s"] * speech_s:
            raise RehearseError(file, f"mostly music or noise: {len(text.words)} words recognised in {speech_s:.0f} s "
                                      "of sound; nothing to split into questions and answers")
        lap("transcribe")
        bar.stage("finding turns")
        if splits is not None:
            turns = turns_from_splits(splits, text, duration)
        else:
            turns = detect_turns(samples, text, balance, cfg)
        lap("turns")
        spans = answer_spans(turns, text, duration)
        bar.stage("analysing answers", len(spans))
        answers = []
        gap_s = rubric.load("delivery")["transcription"]["sentence_gap_s"]
        band = (float(star_rubric["length"]["min_s"]), float(star_rubric["length"]["max_s"]))
        for i, (q, start, end) in enumerate(spans, 1):
            answers.append(_answer(i, q, start, end, samples, text, file, gap_s, band, rubric_name, min_pause_s, lp,
                                   (whisper, spec)))
            bar.update(i, len(spans))
        lap("answers")
    finally:
        bar.stop()
    notes = list(turns.notes)
    if turns.questions:
        before = [w for w in text.words if w.end_s <= turns.questions[0][0] and _speaker_of(w, turns.units) != "interviewer"]
        if before and before[-1].end_s - before[0].start_s >= 5:
            notes.append(f"{_clock(before[0].start_s)}-{_clock(before[-1].end_s)}: talk before the first question "
                         "is not analysed")
    if turns.detection == "none":
        notes.insert(0, "no interviewer question found: the whole recording is analysed as one answer")
    summary = summarise(answers, duration, speech_s, turns, star_rubric, cfg)
    unit_turns = [InterviewTurn(start_s=u.start_s, end_s=u.end_s, speaker=u.speaker, text=u.text, cues=u.cues)
                  for u in turns.units]
    return InterviewReport(rehearse_version=__version__, file=file, duration_s=round(duration, 3), model=text.model,
                           detection=turns.detection, voice_separation=turns.separation, notes=notes, turns=unit_turns, answers=answers,
                           summary=summary, timings_s=lap.timings)


def answer_spans(turns: Turns, text: Transcription, duration: float) -> list[tuple[tuple | None, float, float]]:
    """(question, start, end) of every answer: the words after each question turn up to the next."""
    if not turns.questions:
        return [(None, text.words[0].start_s, text.words[-1].end_s)] if text.words else []
    out = []
    for k, q in enumerate(turns.questions):
        nxt = turns.questions[k + 1][0] if k + 1 < len(turns.questions) else duration + 1
        words = [w for w in text.words if w.start_s >= q[1] - 0.01 and w.end_s <= nxt + 0.01 and w.start_s < nxt]
        if turns.detection != "splits":
            words = [w for w in words if _speaker_of(w, turns.units) != "interviewer"]
        if words:
            out.append((q, words[0].start_s, words[-1].end_s))
        else:
            out.append((q, q[1], q[1]))
    return out


def _speaker_of(word: Word, units: list[Unit]) -> str:
    for u in units:
        if u.start_s <= word.start_s and word.end_s <= u.end_s:
            return u.speaker
    return "candidate"


def _answer(index, q, start, end, samples, text, file, gap_s, band, rubric_name, min_pause_s, lp,
            listener=None) -> InterviewAnswer:
    length = round(end - start, 3)
    verdict = "short" if length < band[0] else "long" if length > band[1] else "in_band"
    qtext = q[2] if q else ""
    answer = InterviewAnswer(index=index, question=qtext, question_start_s=q[0] if q else None,
                             question_end_s=q[1] if q else None, start_s=start, end_s=end, length_s=length,
                             target_s=band, length_verdict=verdict)
    if length <= 0:
        answer.error = "no answer was heard after this question"
        return answer
    pad = 0.3  # a little silence either side, as a recording of the answer alone would have
    a = max(0.0, start - pad)
    b = min(len(samples) / SR, end + pad)
    piece = pipeline.slice_transcription(text, a, b, gap_s)
    question = Question(text=qtext, target_s=round(sum(band) / 2, 1)) if qtext else None
    try:
        answer.report = pipeline.analyze_transcribed(samples[int(a * SR): int(b * SR)], piece,
                                                     f"{file} [answer {index}, {_clock(start)}-{_clock(end)}]",
                                                     rubric_name=rubric_name, min_pause_s=min_pause_s, lp=lp,
                                                     question=question, listener=listener)
    except RehearseError as exc:
        answer.error = exc.problem
    return answer


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


# ---------------------------------------------------------------- summary


def summarise(answers: list[InterviewAnswer], duration: float, speech_s: float, turns: Turns, star_rubric: dict,
              cfg: dict) -> InterviewSummary:
    done = [a for a in answers if a.report is not None]
    reports: list[Report] = [a.report for a in done]

    def mean(values):
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    scores = [(r.star.score.total if r.star.score else None) for r in reports]
    strongest = weakest = None
    scored = [(s, a.index) for s, a in zip(scores, done) if s is not None]
    if len(scored) >= 2:
        strongest = max(scored)[1]
        weakest = min(scored)[1]
    return InterviewSummary(
        total_s=round(duration, 3), speech_s=round(speech_s, 3), questions=len(turns.questions),
        answer_time_s=round(sum(a.length_s for a in answers), 3),
        question_time_s=round(sum(q[1] - q[0] for q in turns.questions), 3),
        average_length_s=mean([a.length_s for a in answers]),
        average_score=mean(scores),
        average_words_per_minute=mean([r.pacing.words_per_minute for r in reports]),
        average_fillers_per_minute=mean([r.fillers_per_minute for r in reports]),
        average_action_share=mean([r.star.action_share for r in reports]),
        strongest=strongest, weakest=weakest,
        patterns=patterns(done, star_rubric, cfg["summary"]["pattern_share"]),
    )


def patterns(done: list[InterviewAnswer], star_rubric: dict, share: float) -> list[InterviewPattern]:
    """What shows in most answers: a section always long or short, the same finding, pace, length."""
    n = len(done)
    if n < 2:
        return []
    need = max(2, int(np.ceil(share * n)))
    found: list[InterviewPattern] = []

    def add(pid: str, text: str, which: list[int]) -> None:
        if len(which) >= need:
            found.append(InterviewPattern(id=pid, text=f"{text} in {len(which)} of {n} answers", answers=which))

    targets = star_rubric.get("targets", {})
    for label, target in targets.items():
        shares = {a.index: next((s.share for s in a.report.star.sections if s.label == label), None) for a in done}
        long = [i for i, s in shares.items() if s is not None and s > target["share"] + target["tolerance"]]
        short = [i for i, s in shares.items() if s is not None and s < target["share"] - target["tolerance"]]
        name = label.capitalize()
        add(f"{label}_long", f"{name} too long (over {target['share'] + target['tolerance']:.0%} of the answer)", long)
        add(f"{label}_short", f"{name} too short (under {max(0, target['share'] - target['tolerance']):.0%})", short)
    add("action_not_dominant", "Action did not dominate", [a.index for a in done if not a.report.star.action_dominant])
    titles: dict[str, tuple[str, list[int]]] = {}
    for a in done:
        for f in a.report.star.findings:
            titles.setdefault(f.id, (f.title, []))[1].append(a.index)
    for fid, (title, which) in titles.items():
        if fid in ("too_short", "too_long"):  # the length patterns below say it
            continue
        add(f"finding_{fid}", title, sorted(set(which)))
    for verdict in ("fast", "slow"):
        add(f"pace_{verdict}", f"Pace {verdict}",
            [a.index for a in done if a.report.pacing.verdict == verdict])
    add("fillers_high", "More fillers than the target",
        [a.index for a in done if a.report.filler_target_per_minute is not None
         and a.report.fillers_per_minute > a.report.filler_target_per_minute])
    for verdict in ("short", "long"):
        add(f"length_{verdict}", f"Answer too {verdict}", [a.index for a in done if a.length_verdict == verdict])
    return found
