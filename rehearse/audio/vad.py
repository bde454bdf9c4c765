"""Voice activity from Silero VAD (shipped inside faster-whisper)."""

from __future__ import annotations

import itertools

import numpy as np

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.errors import RehearseError
from rehearse.models import Span


def speech_regions(samples: np.ndarray, threshold: float, min_silence_ms: int, speech_pad_ms: int,
                   block_s: float | None = None) -> list[Span]:
    """Regions of the audio that hold speech, in seconds. Recordings longer than `block_s` are
    scanned block by block (Silero's input is copied twice over: memory stays bounded);
    regions that meet at a block edge are joined."""
    block = int(block_s * SAMPLE_RATE) if block_s else 0
    if not block or len(samples) <= block:
        return _regions(samples, threshold, min_silence_ms, speech_pad_ms)
    spans: list[Span] = []
    for a in range(0, len(samples), block):
        spans = join(spans, _regions(samples[a : a + block], threshold, min_silence_ms, speech_pad_ms),
                     a / SAMPLE_RATE, min_silence_ms)
    return spans


def join(spans: list[Span], regions: list[Span], offset_s: float, min_silence_ms: int) -> list[Span]:
    """`spans` followed by the `regions` of the next block (times from the block's start, `offset_s`
    into the recording); a first region that meets the last span at the block edge continues it
    (the regions inside a block stay as Silero found them, as in a recording read in one block)."""
    spans = list(spans)
    for i, r in enumerate(regions):
        r = Span(start_s=r.start_s + offset_s, end_s=r.end_s + offset_s)
        if i == 0 and spans and r.start_s - spans[-1].end_s < min_silence_ms / 1000:
            spans[-1] = Span(start_s=spans[-1].start_s, end_s=r.end_s)
        else:
            spans.append(r)
    return spans


def _regions(samples: np.ndarray, threshold: float, min_silence_ms: int, speech_pad_ms: int) -> list[Span]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=threshold,
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=speech_pad_ms,
        min_speech_duration_ms=60,
    )
    chunks = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [Span(start_s=c["start"] / SAMPLE_RATE, end_s=c["end"] / SAMPLE_RATE) for c in chunks]


def overlap(span: Span, regions: list[Span]) -> float:
    """Seconds of `span` covered by `regions` (regions sorted and disjoint)."""
    total = 0.0
    for region in regions:
        if region.end_s <= span.start_s:
            continue
        if region.start_s >= span.end_s:
            break
        total += min(span.end_s, region.end_s) - max(span.start_s, region.start_s)
    return total


class SilenceCut:
    """Audio with long silences shortened, and the map from its times back to the original's."""

    def __init__(self, samples: np.ndarray, speech: list[Span], keep_s: float, rate: int = SAMPLE_RATE):
        keep = int(keep_s * rate)
        half = keep // 2
        cuts: list[tuple[int, int]] = []  # (start, end) sample ranges removed from the original
        edges = [(0, 0)] + [(int(r.start_s * rate), int(r.end_s * rate)) for r in speech] + [(len(samples), len(samples))]
        for (_, left_end), (right_start, _) in itertools.pairwise(edges):
            lead = half if left_end > 0 else 0
            tail = half if right_start < len(samples) else 0
            if right_start - left_end > lead + tail + rate // 10:
                cuts.append((left_end + lead if left_end > 0 else 0, right_start - tail if right_start < len(samples) else len(samples)))
        pieces, self._offsets, removed, pos = [], [], 0, 0
        for start, end in cuts:
            pieces.append(samples[pos:start])
            self._offsets.append((start - removed, end - start))  # at this new-time sample, `end-start` were removed
            removed += end - start
            pos = end
        pieces.append(samples[pos:])
        self.samples = np.concatenate(pieces) if pieces else samples
        self.rate = rate

    def original_time(self, t: float) -> float:
        """Time in the original audio of time `t` in the shortened audio."""
        sample = t * self.rate
        shift = sum(length for at, length in self._offsets if sample >= at)
        return (sample + shift) / self.rate


NOT_SPEECH = "no speech heard (the recording holds noise / music)"


def sounding(samples: np.ndarray, dbfs: float, outside: list[Span] = ()) -> bool:
    """True when the loudest tenth of the recording (50-ms frames), leaving out the `outside`
    regions (the speech found), is above `dbfs`: there is sound in it, not silence."""
    if outside:
        keep = np.ones(len(samples), dtype=bool)
        for r in outside:
            keep[int(r.start_s * SAMPLE_RATE): int(r.end_s * SAMPLE_RATE)] = False
        samples = samples[keep]
        if len(samples) < SAMPLE_RATE // 2:
            return False
    n = SAMPLE_RATE // 20
    frames = samples[: len(samples) // n * n].reshape(-1, n) if len(samples) >= n else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return 20 * np.log10(max(float(np.percentile(rms, 90)), 1e-9)) > dbfs


def sound_outside(samples: np.ndarray, speech: list[Span], min_dbfs: float, contrast_db: float,
                  min_s: float, join_s: float) -> list[tuple[float, float]]:
    """Stretches between the voice-activity regions that are loud all the same: 50-ms frames at
    least `min_dbfs` and `contrast_db` above the quiet of the same gap (the tenth percentile of
    its frames under `min_dbfs`, digital silence left out: a line's hiss), joined across dips
    shorter than `join_s`, kept from `min_s`. Silero can miss a whole voice that another detector would hear (a breathy voice
    over a phone line, 300-3400 Hz, stays under its threshold even at 0.05 while it is 25 dB above
    the line's hiss); what such a stretch holds is for the caller to judge (whose voice, words)."""
    n = SAMPLE_RATE // 20
    edges = [0.0] + [x for r in speech for x in (r.start_s, r.end_s)] + [len(samples) / SAMPLE_RATE]
    out: list[tuple[float, float]] = []
    for a, b in zip(edges[::2], edges[1::2]):
        i, j = int(a * SAMPLE_RATE), int(b * SAMPLE_RATE)
        if j - i < 2 * n:
            continue
        frames = samples[i: i + (j - i) // n * n].reshape(-1, n)
        db = 20 * np.log10(np.maximum(np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)), 1e-9))
        quiet = db[(db > -120) & (db < min_dbfs)]
        floor = float(np.percentile(quiet, 10)) if quiet.size else -120.0
        loud = np.flatnonzero(db >= max(min_dbfs, floor + contrast_db))
        runs: list[list[int]] = []
        for k in loud:
            if runs and (k - runs[-1][1]) * n / SAMPLE_RATE <= join_s:
                runs[-1][1] = k + 1
            else:
                runs.append([k, k + 1])
        out += [(float(a + x * n / SAMPLE_RATE), float(a + y * n / SAMPLE_RATE))
                for x, y in runs if (y - x) * n / SAMPLE_RATE >= min_s]
    return out


def widen(base: list[Span], wide: list[Span], min_gain_s: float) -> list[Span]:
    """`base` regions, with each region of `wide` (found at a lower threshold) that adds at least
    `min_gain_s` of speech to what `base` holds of it taken instead: a quiet or band-limited voice
    the base threshold half missed is heard whole, while regions it only moves by a few tens of
    milliseconds (every voice's edges) stay as they were. Both lists sorted and disjoint."""
    out: list[Span] = []
    for w in wide:
        inside = [b for b in base if b.end_s > w.start_s and b.start_s < w.end_s]
        held = sum(min(b.end_s, w.end_s) - max(b.start_s, w.start_s) for b in inside)
        if (w.end_s - w.start_s) - held >= min_gain_s:
            out.append(Span(start_s=min([w.start_s] + [b.start_s for b in inside]),
                            end_s=max([w.end_s] + [b.end_s for b in inside])))
        else:
            out += inside
    return merge_spans(out)


def merge_spans(spans: list[Span]) -> list[Span]:
    """The spans in time order, those that overlap or touch joined into one."""
    merged: list[Span] = []
    for r in sorted(spans, key=lambda r: r.start_s):
        if merged and r.start_s <= merged[-1].end_s:
            merged[-1] = Span(start_s=merged[-1].start_s, end_s=max(merged[-1].end_s, r.end_s))
        else:
            merged.append(r)
    return merged


def find_speech(samples: np.ndarray, file: str, wide: tuple[float, float] | None = None,
                found: list[Span] | None = None) -> tuple[list[Span], float]:
    """Voice-activity regions and seconds of speech; bad input (silence, too little speech) fails.
    `wide` (threshold, min_gain_s): also look at a lower threshold and take its regions where they
    add speech (`widen`; interview mode hears a phone-line voice that way). `found`: the regions,
    already worked out (practice does it block by block while the candidate speaks)."""
    vcfg = rubric.load("delivery")["vad"]
    speech = found if found is not None else speech_regions(
        samples, vcfg["threshold"], vcfg["min_silence_ms"], vcfg["speech_pad_ms"], block_s=vcfg.get("block_s"))
    if wide is not None and wide[0] < vcfg["threshold"]:
        low = speech_regions(samples, wide[0], vcfg["min_silence_ms"], vcfg["speech_pad_ms"], block_s=vcfg.get("block_s"))
        speech = widen(speech, low, wide[1])
    speech_s = sum(r.end_s - r.start_s for r in speech)
    if not speech:
        if sounding(samples, vcfg.get("sound_dbfs", -45.0)):
            raise RehearseError(file, NOT_SPEECH)
        raise RehearseError(file, "no speech was heard (the recording is silent)")
    if speech_s < vcfg["min_speech_s"]:
        if sounding(samples, vcfg.get("sound_dbfs", -45.0), outside=speech):  # a blip of "speech" in noise or music
            raise RehearseError(file, NOT_SPEECH)
        raise RehearseError(file, f"only {speech_s:.1f} s of speech heard; need at least {vcfg['min_speech_s']:g} s")
    return speech, speech_s
