"""scripts/corpus/render_answers.py: truth files must describe the real audio exactly."""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra  # noqa: E402

SR = 16000
TINY = {
    "id": "tiny",
    "sentences": [
        ["S", "Our build took forty minutes."],
        ["A", "{um} I cached the test images [1.0] and split the suite, <you know>, into four parts."],
        ["R", "I would like to say builds now take ten minutes."],
    ],
}
VOICES = {"espeak": "espeak:en-us", "flite": "flite:slt", "festival": "festival:slt"}
EDGE = 2  # samples to skip at interval edges (truth times are rounded to 0.1 ms)


def read_wav(path: Path) -> tuple[tuple, np.ndarray]:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        x = np.frombuffer(w.readframes(params.nframes), dtype="<i2")
    return params, x.astype(np.float64) / 32768


def span(x: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    return x[round(start_s * SR) : round(end_s * SR)]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x)))


def periodicity(frame: np.ndarray) -> float:
    """Best normalised correlation of the frame with itself shifted by a 70-400 Hz period."""
    f = frame - frame.mean()
    best = 0.0
    for lag in range(SR // 400, SR // 70):
        a, b = f[:-lag], f[lag:]
        norm = np.sqrt(np.dot(a, a) * np.dot(b, b))
        best = max(best, np.dot(a, b) / norm if norm else 0.0)
    return best


def voiced_fraction(x: np.ndarray) -> float:
    """Share of loud 30 ms frames (10 ms hop) that are periodic, i.e. voiced."""
    frames = [x[i : i + 480] for i in range(0, len(x) - 480, 160)]
    loud = [f for f in frames if rms(f) > 0.01]
    return sum(periodicity(f) > 0.5 for f in loud) / max(len(loud), 1)


def require(engine: str) -> None:
    try:
        ra.check_tool(engine)
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module", params=sorted(VOICES))
def rendered(request, tmp_path_factory):
    engine = request.param
    require(engine)
    require("sox")
    path = ra.render_answer(TINY, tmp_path_factory.mktemp(engine), voice=VOICES[engine])
    params, x = read_wav(path)
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    return path, params, x, truth


def test_wav_is_16k_mono_16bit(rendered):
    _, params, _, truth = rendered
    assert (params.framerate, params.nchannels, params.sampwidth) == (SR, 1, 2)
    assert truth["sample_rate"] == SR


def test_duration_matches_file(rendered):
    _, params, _, truth = rendered
    assert truth["duration_s"] == pytest.approx(params.nframes / SR, abs=1e-4)


def test_pauses_and_edges_are_silent(rendered):
    _, _, x, truth = rendered
    silences = [(p["start_s"], p["end_s"]) for p in truth["pauses"]]
    silences += [(0.0, truth["speech_start_s"]), (truth["speech_end_s"], truth["duration_s"])]
    assert {p["kind"] for p in truth["pauses"]} == {"inserted", "between_sentences"}
    for a, b in silences:
        assert rms(span(x, a, b)[EDGE:-EDGE]) < 1e-4, (a, b)
    inserted = [p for p in truth["pauses"] if p["kind"] == "inserted"]
    assert [round(p["end_s"] - p["start_s"], 3) for p in inserted] == [1.0]


def test_sentences_start_and_end_with_sound(rendered):
    _, _, x, truth = rendered
    for s in truth["sentences"]:
        assert rms(span(x, s["start_s"], s["start_s"] + 0.05)) > 1e-3, s
        assert rms(span(x, s["end_s"] - 0.05, s["end_s"])) > 1e-3, s


def test_filled_pause_is_voiced(rendered):
    _, _, x, truth = rendered
    [um] = [f for f in truth["fillers"] if f["kind"] == "filled_pause"]
    assert (um["text"], um["sentence"], um["timing"]) == ("um", 1, "exact")
    assert um["start_s"] == truth["sentences"][1]["start_s"]
    assert 0.2 < um["end_s"] - um["start_s"] < 0.9
    audio = span(x, um["start_s"], um["end_s"])
    assert rms(audio) > 0.02
    assert voiced_fraction(audio) > 0.6


def test_truth_counts_and_shares(rendered):
    _, _, _, truth = rendered
    assert [s["word_count"] for s in truth["sentences"]] == [5, 12, 10]
    assert truth["word_count"] == 27
    [marker] = [f for f in truth["fillers"] if f["kind"] == "discourse_marker"]
    sentence = truth["sentences"][1]
    assert marker["text"] == "you know" and marker["timing"] == "approx"
    assert sentence["start_s"] < marker["start_s"] < marker["end_s"] < sentence["end_s"]
    assert sum(truth["section_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert truth["section_shares"]["task"] == 0.0


def test_rerender_is_byte_identical(rendered, tmp_path):
    path, _, _, truth = rendered
    ra.synthesise.cache_clear()
    again = ra.render_answer(TINY, tmp_path, voice=truth["voice"])
    assert again.read_bytes() == path.read_bytes()
    assert again.with_suffix(".truth.json").read_text() == path.with_suffix(".truth.json").read_text()


def test_parse_sentence_markup():
    chunks = ra.parse_sentence("{uh} I would like to, <like>, check [1.5] it {hmm} now.")
    assert [type(c).__name__ for c in chunks] == ["Filler", "Speech", "Silence", "Speech", "Filler", "Speech"]
    assert chunks[1].markers == [("like", 4, 5)]
    assert ra.count_words(chunks) == 7
    assert ra.spoken_text(chunks) == "uh I would like to, like, check it hmm now."
    with pytest.raises(ValueError):
        ra.parse_sentence("[1.0] starts with silence")


@pytest.mark.parametrize("truth_path", sorted((ROOT / "audio").glob("*.truth.json")), ids=lambda p: p.stem)
def test_committed_samples_match_their_audio(truth_path):
    truth = json.loads(truth_path.read_text())
    params, _ = read_wav(truth_path.with_name(f"{truth_path.name.removesuffix('.truth.json')}.wav"))
    assert (params.framerate, params.nchannels, params.sampwidth) == (SR, 1, 2)
    assert truth["duration_s"] == pytest.approx(params.nframes / SR, abs=1e-4)
    assert truth["speech_end_s"] < truth["duration_s"]


def test_committed_samples_exist():
    assert len(list((ROOT / "audio").glob("*.truth.json"))) >= 4


def test_numbers_count_as_the_words_they_are_said_as():
    chunks = ra.parse_sentence("Latency fell 25% to $61,000 in 2022, on-call {um} <you know> too.")
    # Latency fell + twenty five percent + to + dollar sixty one thousand + in + twenty twenty two
    # + on call + too; the filled pause and the marker are not words
    assert ra.count_words(chunks) == 2 + 3 + 1 + 4 + 1 + 3 + 2 + 1
