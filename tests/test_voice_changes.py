"""A unit of the transcript that holds two voices is cut where the voice changes (issue 20):
real two-voice speech, the real speaker encoder and the real default Whisper model."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_interviews

from rehearse import rubric
from rehearse.audio import decode as audio
from rehearse.audio.vad import find_speech
from rehearse.interview import speakers, voice_changes
from rehearse.interview.turns import voiced
from rehearse.interview.voices import channel_balance, channel_changes
from rehearse.speech import model as whisper_model
from rehearse.speech.transcript import transcribe_speech

# a candidate (flite slt, a woman) ends her answer and the interviewer (espeak en-gb, a man) asks a
# follow-up a quarter of a second later: less than the silence that cuts the transcript into units
INTERVIEW = {
    "id": "voice_change", "interviewer": "espeak:en-gb", "candidate": "flite:slt", "gaps": [0.2, 0.3],
    "turns": [{
        "question": "Tell me about a time you fixed a slow service.",
        "sentences": [
            ["S", "Our search page took four seconds to load every Monday morning."],
            ["A", "I profiled the slowest requests and found a cache that was emptied every night."],
            ["A", "I changed the job so it refreshed the cache instead of emptying it."],
            ["R", "After that the page loaded in under a second all week"],
        ],
        "followups": [{"after": 2, "question": "Every night?",
                       "sentences": [["A", "Every night, at two in the morning, by a job nobody owned."]]},
                      {"after": "end", "question": "And how did you know the cache was the real cause?",
                       "sentences": [["R", "The slow requests stopped on the first Monday after the change."]]}],
    }],
}


@pytest.fixture(scope="module")
def heard(tmp_path_factory):
    for tool in ("espeak", "flite", "sox"):
        try:
            render_interviews.ra.check_tool(tool)
        except RuntimeError as e:
            pytest.fail(str(e))
    wav = render_interviews.render_interview(INTERVIEW, tmp_path_factory.mktemp("voice-change"))
    truth = json.loads(wav.with_suffix(".truth.json").read_text())
    samples = audio.decode(wav)
    speech, _ = find_speech(samples, str(wav))
    spec = whisper_model.resolve_model(None)
    text = transcribe_speech(samples, speech, spec, whisper_model.get_model(spec))
    enc = speakers.encoder()
    segments = truth["segments"]

    def centre(speaker: str) -> np.ndarray:
        e = enc.embed([voiced(samples, s["start_s"], s["end_s"], speech) for s in segments if s["speaker"] == speaker])
        c = e.mean(axis=0)
        return c / np.linalg.norm(c)

    centres = np.stack([centre("candidate"), centre("interviewer")])
    return samples, speech, text, truth, centres, rubric.load("interview")["speakers"]


def words_between(text, start_s: float, end_s: float) -> list:
    return [w for w in text.words if start_s - 0.3 <= (w.start_s + w.end_s) / 2 <= end_s + 0.3]


def test_a_unit_with_two_voices_is_cut_where_the_voice_changes(heard):
    samples, speech, text, truth, centres, cfg = heard
    last = next(s for s in truth["segments"] if s["role"] == "answer" and s["text"].endswith("all week"))
    asked = next(s for s in truth["segments"] if s["role"] == "followup" and s["start_s"] > last["end_s"])
    words = words_between(text, last["start_s"], asked["end_s"])
    assert len(words) >= 12, [w.text for w in words]
    cuts = voice_changes.cut_points(samples, words, centres, cfg, speech)
    assert len(cuts) == 1, (cuts, [w.text for w in words])
    at, margin = cuts[0]
    change = (last["end_s"] + asked["start_s"]) / 2
    assert abs(words[at].start_s - asked["start_s"]) <= 0.5, (words[at].text, words[at].start_s, asked["start_s"])
    assert abs(words[at - 1].end_s - last["end_s"]) <= 0.5, (words[at - 1].text, change)
    assert margin >= cfg["cut_margin"]


def test_one_voice_is_not_cut(heard):
    samples, speech, text, truth, centres, cfg = heard
    answer = [s for s in truth["segments"] if s["role"] == "answer"]
    words = words_between(text, answer[0]["start_s"], answer[2]["end_s"])
    assert len(words) >= 25
    assert voice_changes.cut_points(samples, words, centres, cfg, speech) == []
    asked = [s for s in truth["segments"] if s["role"] in ("question", "followup")]
    for s in asked:
        assert voice_changes.cut_points(samples, words_between(text, s["start_s"], s["end_s"]), centres, cfg, speech) == []


def test_a_short_question_inside_a_unit_is_cut_out(heard):
    """The interviewer's "Every night?" between two of the candidate's sentences a quarter of a
    second apart: the candidate's voice on both sides, so only an island of the other voice finds it."""
    samples, speech, text, truth, centres, cfg = heard
    asked = next(s for s in truth["segments"] if s["role"] == "followup" and s["text"] == "Every night?")
    before = max((s for s in truth["segments"] if s["end_s"] <= asked["start_s"]), key=lambda s: s["end_s"])
    after = min((s for s in truth["segments"] if s["start_s"] >= asked["end_s"]), key=lambda s: s["start_s"])
    assert before["speaker"] == after["speaker"] == "candidate"
    words = words_between(text, before["start_s"], after["end_s"])
    cuts = [at for at, _ in voice_changes.cut_points(samples, words, centres, cfg, speech)]
    edges = [0, *cuts, len(words)]
    pieces = [words[a:b] for a, b in itertools.pairwise(edges)]
    island = [p for p in pieces if abs(p[0].start_s - asked["start_s"]) <= 0.5 and abs(p[-1].end_s - asked["end_s"]) <= 0.5]
    assert island, ([w.text for w in words], cuts, asked)
    assert pieces[0][0].start_s < asked["start_s"] - 1 and pieces[-1][-1].end_s > asked["end_s"] + 1


@pytest.fixture(scope="module")
def stereo(tmp_path_factory):
    """The same interview in stereo, a speaker on each channel, transcribed by the real model."""
    wav = render_interviews.render_interview({**INTERVIEW, "id": "channel_change", "stereo": True},
                                             tmp_path_factory.mktemp("channel-change"))
    truth = json.loads(wav.with_suffix(".truth.json").read_text())
    samples = audio.decode(wav)
    speech, _ = find_speech(samples, str(wav))
    spec = whisper_model.resolve_model(None)
    text = transcribe_speech(samples, speech, spec, whisper_model.get_model(spec))
    levels = channel_balance(wav)
    assert levels is not None
    return text, truth, levels, rubric.load("interview")["channels"]


def test_a_unit_on_two_channels_is_cut_where_the_channel_changes(stereo):
    text, truth, levels, cfg = stereo
    last = next(s for s in truth["segments"] if s["role"] == "answer" and s["text"].endswith("all week"))
    asked = next(s for s in truth["segments"] if s["role"] == "followup" and s["start_s"] > last["end_s"])
    words = [w for w in words_between(text, last["start_s"], asked["end_s"]) if (w.start_s + w.end_s) / 2 <= asked["end_s"]]
    cuts = channel_changes(words, levels, cfg["min_db"], cfg["cut_min_s"])
    assert len(cuts) == 1, (cuts, [w.text for w in words])
    assert abs(words[cuts[0]].start_s - asked["start_s"]) <= 0.5, (words[cuts[0]].text, asked)
    # and one speaker's words are never cut
    for s in (last, asked):
        own = [w for w in text.words if s["start_s"] <= (w.start_s + w.end_s) / 2 <= s["end_s"]]
        assert len(own) >= 5 and channel_changes(own, levels, cfg["min_db"], cfg["cut_min_s"]) == [], [w.text for w in own]


def test_a_short_question_between_two_sentences_is_cut_out_by_channel(stereo):
    text, truth, levels, cfg = stereo
    asked = next(s for s in truth["segments"] if s["role"] == "followup" and s["text"] == "Every night?")
    before = max((s for s in truth["segments"] if s["end_s"] <= asked["start_s"]), key=lambda s: s["end_s"])
    after = min((s for s in truth["segments"] if s["start_s"] >= asked["end_s"]), key=lambda s: s["start_s"])
    words = words_between(text, before["start_s"], after["end_s"])
    cuts = channel_changes(words, levels, cfg["min_db"], cfg["cut_min_s"])
    assert len(cuts) == 2, (cuts, [w.text for w in words])
    island = words[cuts[0]:cuts[1]]
    assert abs(island[0].start_s - asked["start_s"]) <= 0.5 and abs(island[-1].end_s - asked["end_s"]) <= 0.5, \
        ([w.text for w in island], asked)


def test_a_span_over_both_channels_goes_to_the_one_holding_most_of_its_time(stereo):
    """Whisper can time a short turn over the end of the other speaker's words: the span is on
    neither channel as a whole, but most of its frames lean to the speaker who holds most of it."""
    _text, truth, levels, cfg = stereo
    asked = next(s for s in truth["segments"] if s["role"] == "followup" and s["start_s"] > 20)
    side = 1 if levels(asked["start_s"], asked["end_s"]) > 0 else -1
    assert abs(levels(asked["start_s"], asked["end_s"])) >= cfg["min_db"]
    before = asked["start_s"] - 0.25 * (asked["end_s"] - asked["start_s"])  # a quarter as long of the candidate
    assert side * levels.majority(before, asked["end_s"], cfg["min_db"]) > 0.3
    last = max((s for s in truth["segments"] if s["end_s"] <= asked["start_s"]), key=lambda s: s["end_s"])
    assert last["speaker"] == "candidate"  # her sentence and the question's first quarter: hers
    assert side * levels.majority(last["start_s"], asked["start_s"] + 0.25 * (asked["end_s"] - asked["start_s"]),
                                  cfg["min_db"]) < -0.3
