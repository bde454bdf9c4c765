"""A question Whisper wrote as one word is transcribed again (issue 20): when a window derails,
tiny.en can write the interviewer's five-second question as the single word "monitoring"
(blind20 ivv_06). Real two-voice speech (audio/interviews/mock_two_men.flac), the real speaker
encoder and the real default Whisper model; only the derailment is made by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse import rubric
from rehearse.audio import decode as audio
from rehearse.audio.vad import find_speech
from rehearse.interview.turns import detect_turns, sparse_asker_units
from rehearse.interview.voices import channel_balance
from rehearse.speech import model as whisper_model
from rehearse.speech.holes import hear_sparse
from rehearse.speech.sentences import split_sentences
from rehearse.speech.transcript import transcribe_speech
from rehearse.speech.words import norm

MOCK = Path(__file__).resolve().parents[1] / "audio" / "interviews" / "mock_two_men.flac"


@pytest.fixture(scope="module")
def derailed():
    """The mock interview transcribed, then its first question's words replaced by one word over
    the whole question, as a derailed window leaves it."""
    cfg = rubric.load("interview")
    truth = json.loads(MOCK.with_suffix(".truth.json").read_text())
    samples = audio.decode(MOCK)
    speech, _ = find_speech(samples, str(MOCK), (cfg["speech"]["vad_threshold"], cfg["speech"]["vad_min_gain_s"]))
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    text = transcribe_speech(samples, speech, spec, whisper)
    q = truth["turns"][0]
    a, b = q["question_start_s"], q["question_end_s"]
    inside = [w for w in text.words if a - 0.3 <= (w.start_s + w.end_s) / 2 <= b + 0.3]
    assert {"walk", "slow", "service"} <= {norm(w.text) for w in inside}, [w.text for w in inside]
    one = inside[0].model_copy(update={"text": " monitoring", "start_s": inside[0].start_s,
                                       "end_s": inside[-1].end_s, "probability": 0.3})
    words = sorted([w for w in text.words if w not in inside] + [one], key=lambda w: w.start_s)
    gap = rubric.load("delivery")["transcription"]["sentence_gap_s"]
    broken = text.model_copy(update={"words": words, "text": " ".join(w.text for w in words),
                                     "sentences": split_sentences(words, gap)})
    return samples, broken, cfg, spec, whisper, q


def test_a_question_written_as_one_word_is_heard_again_and_found(derailed):
    samples, broken, cfg, spec, whisper, q = derailed
    balance = channel_balance(MOCK)
    turns = detect_turns(samples, broken, balance, cfg)
    assert turns.voices is not None
    scfg = cfg["speech"]
    spans = sparse_asker_units(turns, scfg["sparse_min_s"], scfg["sparse_words_per_s"])
    # the one-word unit in the interviewer's voice, and nothing else: every other unit is written in full
    assert len(spans) == 1 and abs(spans[0][0] - q["question_start_s"]) < 1.0, spans
    # before: the interview's first main question is lost ("monitoring" asks nothing)
    assert not any("slow" in q_text.lower() for _, _, q_text, _ in turns.questions), turns.questions
    heard = hear_sparse(broken, samples, spec, whisper, spans, scfg["sparse_min_probability"])
    assert "monitoring" not in {norm(w.text) for w in heard.words}
    again = detect_turns(samples, heard, balance, cfg)
    first = again.questions[0]
    assert "slow" in first[2].lower() and abs(first[0] - q["question_start_s"]) < 1.0, again.questions


def test_a_stretch_written_in_full_is_left_as_it_is(derailed):
    """Nothing is changed where Whisper already wrote the words (heard again, a question written in
    full gives no more words than it has)."""
    samples, broken, cfg, spec, whisper, q = derailed
    turns = detect_turns(samples, broken, channel_balance(MOCK), cfg)
    second = next(u for u in turns.units if u.speaker == "interviewer" and u.start_s >= q["answer_end_s"] - 1
                  and len(u.words) >= 5)
    kept = hear_sparse(broken, samples, spec, whisper, [(second.start_s, second.end_s)],
                       cfg["speech"]["sparse_min_probability"])
    assert [w.text for w in kept.words] == [w.text for w in broken.words]
