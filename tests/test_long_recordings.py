"""Long recordings: decoded into one buffer and transcribed in blocks split at silences."""

from __future__ import annotations

import itertools

import numpy as np
from conftest import AUDIO, read_wav, write_wav

from rehearse import rubric
from rehearse.audio import decode as audio
from rehearse.audio import vad
from rehearse.speech import transcribe


def long_file(tmp_path, minutes: float):
    """Bundled answers laid end to end with 2 s silences, until `minutes` long."""
    pieces = [read_wav(p) for p in sorted(AUDIO.glob("*.wav"))]
    gap = np.zeros(32000, dtype=np.float32)
    out, total, i = [], 0, 0
    while total < minutes * 60 * 16000:
        out += [pieces[i % len(pieces)], gap]
        total += len(pieces[i % len(pieces)]) + len(gap)
        i += 1
    return write_wav(tmp_path / "long.wav", np.concatenate(out)), np.concatenate(out)


def test_long_recording_decodes_to_the_same_samples(tmp_path):
    from faster_whisper.audio import decode_audio

    path, _ = long_file(tmp_path, 10.5)
    samples = audio.decode(path)  # decoded packet by packet into one growing buffer
    assert np.array_equal(samples, decode_audio(str(path), sampling_rate=16000))


def test_blocks_split_at_silences_and_keep_every_region(tmp_path):
    path, samples = long_file(tmp_path, 4)
    v = rubric.load("delivery")["vad"]
    speech = vad.speech_regions(audio.decode(path), v["threshold"], v["min_silence_ms"], v["speech_pad_ms"])
    duration = len(samples) / 16000
    blocks = transcribe.blocks(speech, duration, 60)
    assert len(blocks) >= 4
    rebuilt = []
    for start, end, regions in blocks:
        assert end - start <= 60 + 30  # a block overshoots by at most one region
        for r in regions:
            assert 0 <= r.start_s < r.end_s <= end - start + 1e-6  # each region inside its block
            rebuilt.append((round(r.start_s + start, 6), round(r.end_s + start, 6)))
        # a block edge is in silence: no region crosses it
        assert not any(r.start_s < start < r.end_s or r.start_s < end < r.end_s for r in speech)
    assert rebuilt == [(round(r.start_s, 6), round(r.end_s, 6)) for r in speech]
    assert blocks[0][0] == 0 and blocks[-1][1] == duration
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))


def test_short_recordings_are_one_block():
    speech = [vad.Span(start_s=1, end_s=2)]
    assert transcribe.blocks(speech, 100.0, 120) == [(0.0, 100.0, speech)]
