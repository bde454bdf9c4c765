"""Transcription while speaking: stretches are transcribed as they finish, and the final
report (the same Report analyze makes) is as good as analysing the whole file."""

from __future__ import annotations

import itertools

import jiwer
import pytest
from conftest import AUDIO, load_truth, read_wav
from test_analyze import words_of

from rehearse import pipeline, rubric
from rehearse.practice.streaming import AudioBuffer, StreamingTranscriber
from rehearse.speech import model as whisper_model


@pytest.fixture(scope="module")
def streamed():
    """strong_answer.wav fed a second at a time, the transcriber looking after each second."""
    samples = read_wav(AUDIO / "strong_answer.wav")
    buffer = AudioBuffer(capacity_s=10)  # grows as needed
    settings = rubric.load("practice")["streaming"]
    st = StreamingTranscriber(buffer, rubric.load("delivery"), whisper_model.resolve_model(None), settings)
    st.whisper = whisper_model.get_model(st.spec)
    before_stop = []
    for i in range(0, len(samples), 16000):
        buffer.append(samples[i:i + 16000])
        st._step(final=False)
    before_stop = list(st.chunks)
    st.finish()
    report = pipeline.analyze_samples(buffer.view(), "streamed.wav", transcriber=st.transcriber())
    return samples, st, before_stop, report


def test_finished_stretches_are_transcribed_before_the_stop(streamed):
    samples, st, before_stop, _ = streamed
    duration = len(samples) / 16000
    settings = rubric.load("practice")["streaming"]
    assert len(before_stop) >= 2, before_stop
    # chunks tile the recording without gaps or overlaps
    edges = [(a, b) for a, b, _ in st.chunks]
    assert edges[0][0] == 0 and edges[-1][1] == pytest.approx(duration, abs=1e-3)
    assert all(b1 == pytest.approx(a2) for (_, b1), (a2, _) in itertools.pairwise(edges))
    # only the last stretch was left for after the stop
    tail = st.chunks[-1]
    assert tail[1] - tail[0] <= settings["max_chunk_s"] + 1
    assert before_stop[-1][1] >= duration - settings["max_chunk_s"] - 1


def test_streamed_report_matches_the_truth_like_analyze(streamed, analyzed):
    _, _, _, report = streamed
    truth = load_truth("strong_answer")
    said = " ".join(s["text"] for s in truth["sentences"])
    wer = jiwer.wer(words_of(said), words_of(report.transcript))
    whole = jiwer.wer(words_of(said), words_of(analyzed("strong_answer").transcript))
    # stretches of at most max_chunk_s give Whisper less context than the whole file: on this
    # sample tiny.en's streamed WER is 0.26 against 0.20 for the whole file (0.22 before the
    # whole file's "road to road to road." was dropped as unplaced)
    assert wer <= max(0.15, whole + 0.07), (wer, whole, report.transcript)
    assert report.pacing.words_per_minute == pytest.approx(truth["words_per_minute"], rel=0.08)
    # the STAR reading of the whole-file analysis (a misheard sentence may cost one section)
    truth_labels = {s["label"] for s in truth["sentences"]}
    got = {s.label for s in report.star.sections if s.present}
    assert len(truth_labels - got) <= 1 and "action" in got, got
    assert report.star.action_dominant == analyzed("strong_answer").star.action_dominant
    # words come in time order, inside the recording
    starts = [w.start_s for w in report.words]
    assert starts == sorted(starts) and report.words[-1].end_s <= report.duration_s
