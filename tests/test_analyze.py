"""`rehearse analyze` end to end on the bundled samples with the real tiny.en model,
checked against the exact truth written by the fixture generator."""

from __future__ import annotations

import json
import re

import jiwer
import pytest
from conftest import (
    AUDIO,
    SAMPLES,
    corpus_answer,
    load_truth,
    rehearse,
    render_and_transcribe,
    write_wav,
)

from rehearse.models import Report
from rehearse.speech.words import norm

FILLED = {"um", "uh", "er", "hmm", "ah"}


def words_of(text: str) -> str:
    """Lower-case words without punctuation or filled pauses, for word error rate."""
    tokens = [norm(t) for t in text.replace("-", " ").split()]
    return " ".join(t for t in tokens if t and t not in FILLED)


def test_samples_exist():
    assert len(SAMPLES) >= 3, SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_transcript_matches_what_was_said(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    said = " ".join(s["text"] for s in truth["sentences"])
    wer = jiwer.wer(words_of(said), words_of(report.transcript))
    assert wer <= 0.30, (wer, report.transcript)


@pytest.mark.parametrize("name", SAMPLES)
def test_words_per_minute_against_truth(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    assert report.pacing.words_per_minute == pytest.approx(truth["words_per_minute"], rel=0.08)
    assert report.pacing.articulation_wpm > report.pacing.words_per_minute or not truth["pauses"]


@pytest.mark.parametrize("name", SAMPLES)
def test_long_pauses_found_and_none_invented(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    long_truth = [p for p in truth["pauses"] if p["end_s"] - p["start_s"] >= 1.0]
    assert len(report.pauses) == len(long_truth), (report.pauses, long_truth)
    for found, true in zip(report.pauses, long_truth):
        assert found.start_s == pytest.approx(true["start_s"], abs=0.25)
        assert found.end_s == pytest.approx(true["end_s"], abs=0.25)
        assert found.duration_s >= 1.0


def test_min_pause_option_reports_shorter_gaps():
    name = next(n for n in SAMPLES if any(p["end_s"] - p["start_s"] >= 1.0 for p in load_truth(n)["pauses"]))
    short = rehearse("analyze", str(AUDIO / f"{name}.wav"), "--json", "--min-pause", "0.3")
    assert short.code == 0, short.err
    gaps = json.loads(short.out)["pauses"]
    truth_gaps = [p for p in load_truth(name)["pauses"] if p["end_s"] - p["start_s"] >= 0.4]
    assert len(gaps) >= len(truth_gaps) - 1 and all(g["end_s"] - g["start_s"] >= 0.3 for g in gaps)


@pytest.mark.parametrize("name", SAMPLES)
def test_filled_pauses_are_kept_and_placed(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    true = [f for f in truth["fillers"] if f["kind"] == "filled_pause"]
    found = [f for f in report.fillers if f.kind == "filled_pause"]
    assert len(found) >= 0.5 * len(true), (found, true)
    for f in found:  # each reported filler is near a real one (Whisper's filler times drift)
        assert any(abs(f.start_s - t["start_s"]) <= 1.5 for t in true), (f, true)


def test_content_like_is_not_a_filler(analyzed):
    name = "strong_answer"
    report = analyzed(name)
    assert "would like" in report.transcript.lower()
    assert not any(f.text == "like" for f in report.fillers)


@pytest.mark.parametrize("name", SAMPLES)
def test_star_timing_and_verdict(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    star = report.star
    assert [s.label for s in star.sections] == ["situation", "task", "action", "result"]
    assert star.action_dominant == truth["action_dominant"]
    for section in star.sections:
        assert section.share == pytest.approx(truth["section_shares"][section.label], abs=0.10), section
    assert sum(s.share for s in star.sections) == pytest.approx(1.0, abs=0.01)
    assert [s.target_share for s in star.sections] == [0.1, 0.1, 0.6, 0.2]  # from rubrics/star.toml


@pytest.mark.parametrize("name", SAMPLES)
def test_section_times_follow_truth(name, analyzed):
    report, truth = analyzed(name), load_truth(name)
    first = {}
    for s in truth["sentences"]:
        first.setdefault(s["label"], s["start_s"])
    for section in report.star.sections:
        if section.label in first and section.present:
            assert section.start_s == pytest.approx(first[section.label], abs=2.0), section


def test_json_contract_from_the_command_line(filler_heavy_cli):
    """`analyze SAMPLE --json` (with --html and --embed-audio: the run of conftest's filler_heavy_cli, whose
    page test_html opens)."""
    run, name = filler_heavy_cli, filler_heavy_cli["name"]
    assert run["code"] == 0, run["err"]
    data = json.loads(run["out"])
    Report.model_validate(data)
    assert isinstance(data["duration_s"], float) and data["duration_s"] == pytest.approx(load_truth(name)["duration_s"], abs=0.05)
    assert isinstance(data["transcript"], str) and len(data["transcript"].split()) > 20
    assert data["pacing"]["words_per_minute"] > 0 and data["pacing"]["articulation_wpm"] > 0
    for pause in data["pauses"]:
        assert {"start_s", "end_s"} <= pause.keys()
    for filler in data["fillers"]:
        assert {"text", "kind", "start_s", "end_s"} <= filler.keys()
        assert filler["kind"] in {"filled_pause", "discourse_marker"}
    for section in data["star"]["sections"]:
        assert {"label", "start_s", "end_s", "share"} <= section.keys()
    assert isinstance(data["star"]["action_dominant"], bool)


def test_terminal_report_reads_in_twenty_seconds(practised_cli):
    """`analyze audio/context_heavy.wav` (the run of conftest's practised_cli, whose history test_history checks)."""
    run = practised_cli["runs"][practised_cli["order"].index("context_heavy")]
    assert run["args"] == ["analyze", str(AUDIO / "context_heavy.wav")]
    assert run["code"] == 0, run["err"]
    out = run["out"]
    for heading in ("Length", "Pace", "wpm", "Fillers", "Pauses", "STAR timing", "Target", "Top tips"):
        assert heading in out, heading
    assert "Action did not dominate" in out
    assert len(re.findall(r"^│ \d\. ", out, flags=re.MULTILINE)) == 3  # three tips
    assert len(out.splitlines()) < 45


def test_no_network_needed(filler_heavy_cli):
    """The default model is on disk: analysis works with the hub unreachable (conftest's filler_heavy_cli
    runs `analyze` with HF_HUB_OFFLINE=1 and HTTP(S)_PROXY at a closed port)."""
    run = filler_heavy_cli
    offline = {"HF_HUB_OFFLINE": "1", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    assert offline.items() <= run["env"].items()
    assert run["args"][:2] == ["analyze", str(AUDIO / "filler_heavy.wav")]
    assert run["code"] == 0, run["err"]
    assert json.loads(run["out"])["transcript"]


def test_question_by_bank_id_or_text_is_in_the_report_and_the_history(tmp_path, monkeypatch):
    """`--question ID` brings the bank question (principles, length); free text is kept as given;
    both attempts of the same question are grouped in the history."""
    from rehearse.audio.decode import decode

    monkeypatch.setenv("REHEARSE_HOME", str(tmp_path / "home"))
    bank = json.loads(rehearse("questions", "--json").out)
    first = bank[0]
    answer = write_wav(tmp_path / "answer.wav", decode(AUDIO / "we_answer.wav")[:16000 * 12])  # the question, not the audio, is under test
    runs = [rehearse("analyze", str(answer), "--question", first["id"], "--json") for _ in range(2)]
    for run in runs:
        assert run.code == 0, run.err
        question = json.loads(run.out)["question"]
        assert question["id"] == first["id"] and question["text"] == first["text"]
        assert question["principles"] and question["target_s"] > 0
    free = rehearse("analyze", str(answer), "--question", "Why do you want this job?", "--json")
    assert json.loads(free.out)["question"]["text"] == "Why do you want this job?"
    sessions = json.loads(rehearse("history", "--json").out)["sessions"]
    attempts = sorted(s["attempt"] for s in sessions if s["question_id"] == first["id"])
    assert attempts == [1, 2]
    assert rehearse("analyze", str(answer), "--question", " ").code == 2


def test_speech_whisper_skipped_is_transcribed_again():
    """A stretch of speech with no words (Whisper skipped it, or wrote one "Um," over it) is
    transcribed again on its own: real audio, the real model, a real 5-second hole."""
    from rehearse import rubric
    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.speech import model as whisper_model
    from rehearse.speech.holes import fill_holes
    from rehearse.speech.transcript import transcribe_speech

    samples = audio.decode(AUDIO / "strong_answer.wav")
    speech, speech_s = find_speech(samples, "strong_answer.wav")
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    config = rubric.load("delivery")
    text = transcribe_speech(samples, speech, spec, whisper)
    assert fill_holes(text, samples, spec, whisper, config).words == text.words  # nothing missing

    skipped = [w for w in text.words if 10.0 <= w.start_s and w.end_s <= 15.0]
    assert len(skipped) >= 8
    ums = [skipped[0].model_copy(update={"text": "Um,", "start_s": 11.0, "end_s": 11.4, "probability": 0.1})]
    holed = text.model_copy(update={"words": sorted([w for w in text.words if w not in skipped] + ums,
                                                    key=lambda w: w.start_s)})
    filled = fill_holes(holed, samples, spec, whisper, config)
    back = [w for w in filled.words if 9.9 <= w.start_s and w.end_s <= 15.1]
    assert "um" not in [norm(w.text) for w in back]  # the "Um," written over the words is gone
    assert jiwer.wer(words_of(" ".join(w.text for w in skipped)), words_of(" ".join(w.text for w in back))) <= 0.3
    assert abs(len(filled.words) - len(text.words)) <= 2
    assert [s.text for s in filled.sentences][-1] == [s.text for s in text.sentences][-1]

    # the bar for Whisper's confidence: a short hole needs hole_min_probability, a long one
    # (a whole skipped sentence) only hole_long_min_probability
    mean_p = sum(w.probability for w in back) / len(back)
    strict = {**config, "transcription": {**config["transcription"], "hole_min_probability": mean_p + 0.05,
                                          "hole_long_min_probability": mean_p - 0.05}}
    assert len(fill_holes(holed, samples, spec, whisper, strict).words) == len(filled.words)  # 5 s: long
    strict["transcription"]["hole_long_s"] = 6.0
    assert fill_holes(holed, samples, spec, whisper, strict).words == holed.words  # now a short one


def _unplaced_runs(words) -> list[list]:
    """Runs of consecutive words Whisper gave no time of their own (start = end)."""
    runs, run = [], []
    for w in words:
        if w.end_s <= w.start_s:
            run.append(w)
        else:
            runs, run = runs + [run] * bool(run), []
    return runs + [run] * bool(run)


def test_a_phrase_whisper_could_not_place_is_dropped():
    """At the sample's 30-s window edge Whisper writes a phrase it could not place on the audio
    ("road to road to road." or "road to roll." for "rollback runbook", depending on the CPU),
    every word at one instant. A run of `unplaced_min_words` such words is dropped from the
    transcript (kept in `dropped_words`) and so from the pace; shorter runs (a filler squeezed
    with the next word) stay."""
    from rehearse import rubric
    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.speech import filters
    from rehearse.speech import model as whisper_model
    from rehearse.speech import transcribe as whisper_words
    from rehearse.speech.transcribe import transcription_settings
    from rehearse.speech.transcript import transcribe_speech

    samples = audio.decode(AUDIO / "strong_answer.wav")
    speech, _ = find_speech(samples, "strong_answer.wav")
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    config = rubric.load("delivery")
    least = config["transcription"]["unplaced_min_words"]
    gap = config["transcription"]["sentence_gap_s"]
    hint, settings = transcription_settings(config)
    raw = whisper_words.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], hotwords=hint["hotwords"],
                                   **settings)
    runs = _unplaced_runs(raw.words)
    edge = [r for r in runs if len(r) >= 3 and 29.0 <= r[0].start_s <= 31.0]
    if edge:
        assert "road" in [norm(w.text) for w in edge[0]]
    else:
        # Whisper's words at the window edge depend on the CPU and the faster-whisper release: where
        # it placed every word this time, write three of its real words again at one instant, as it
        # does when it cannot place a phrase, and test the rule on that
        at = next(i for i, w in enumerate(raw.words) if w.start_s >= 29.0)
        copy = [w.model_copy(update={"end_s": raw.words[at].start_s, "start_s": raw.words[at].start_s})
                for w in raw.words[at:at + 3]]
        raw = raw.model_copy(update={"words": raw.words[:at] + copy + raw.words[at:]})
        runs = _unplaced_runs(raw.words)
        edge = [r for r in runs if r[0] is copy[0]]
        assert edge and len(edge[0]) >= 3, runs

    # the rule on Whisper's real words: a run as long as the threshold goes, a shorter one stays
    n = len(edge[0])
    cut = filters.drop_unplaced(raw, n, gap)
    assert all(w in cut.dropped_words and w not in cut.words for w in edge[0])
    assert all(w in cut.words for r in runs if len(r) < n for w in r)
    assert len(cut.words) == len(raw.words) - sum(len(r) for r in runs if len(r) >= n)
    assert filters.drop_unplaced(raw, n + 1, gap).words == [w for w in raw.words
                                                             if not any(w in r for r in runs if len(r) > n)]

    # and the whole transcription, with the rubric's threshold
    text = transcribe_speech(samples, speech, spec, whisper)
    assert all(len(r) < least for r in _unplaced_runs(text.words))


def test_a_word_whisper_stretched_over_seconds_of_speech_gives_that_speech_back():
    """Whisper now and then times one word over many seconds and loses the words said there
    ("couldn't" over 15 s of a story at 1.00, blind49 iwy_07; a made-up "60,000,000,..." over 31 s
    at 0.00003, blind45 iwu_05). Real audio and the real model, with Whisper's pass made to do
    that over 7 s of the sample: the stretched word is cut back to its start (or dropped, when
    Whisper was unsure of it) and the speech under it is transcribed again."""
    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.speech import model as whisper_model
    from rehearse.speech import transcribe as whisper_words
    from rehearse.speech.transcript import transcribe_speech

    samples = audio.decode(AUDIO / "strong_answer.wav")
    speech, _ = find_speech(samples, "strong_answer.wav")
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    text = transcribe_speech(samples, speech, spec, whisper)
    lost = [w for w in text.words if 10.5 <= w.start_s and w.end_s <= 17.5]
    assert len(lost) >= 10
    before = max(i for i, w in enumerate(text.words) if w.start_s < 10.5)

    for probability in (0.99, 0.00003):
        def stretching(whisper, spec, samples, speech, hint, settings, p=probability):
            whole = whisper_words.transcribe(whisper, spec, samples, speech, prompt=hint["prompt"], **settings,
                                             hotwords=hint["hotwords"])
            words = [w for w in whole.words if not 10.5 <= w.start_s < 17.5]
            k = max(i for i, w in enumerate(words) if w.start_s < 10.5)
            words[k] = words[k].model_copy(update={"end_s": 17.5, "probability": p})
            return whole.model_copy(update={"words": words})

        mended = transcribe_speech(samples, speech, spec, whisper, transcriber=stretching)
        assert all(w.end_s - w.start_s <= 5.0 for w in mended.words), [w for w in mended.words if w.end_s - w.start_s > 5]
        back = [w for w in mended.words if 10.4 <= w.start_s and w.end_s <= 17.6]
        assert jiwer.wer(words_of(" ".join(w.text for w in lost)), words_of(" ".join(w.text for w in back))) <= 0.3
        kept = [w for w in mended.words if w.start_s == text.words[before].start_s]
        assert bool(kept) == (probability > 0.1), kept  # a word Whisper was sure of keeps its start


def test_a_passage_whisper_wrote_twice_keeps_its_first_copy_and_the_speech_under_the_other_is_heard(tmp_path):
    """flite:rms reading heldout12's hf12_07: Whisper's second 30-s window puts "I paused the
    roll out at about 20% and got the engineers to ship a" 20 s late, over "... from server
    backups, but we still lost roughly 4,000 players that month"; the hole it left is
    transcribed again and holds the passage at its true time. The later copy is dropped and the
    speech under it transcribed again, so the passage is written once and the pace is right."""
    from rehearse import pipeline

    done = render_and_transcribe(corpus_answer("blind/filler_heldout12.yaml", "hf12_07"), tmp_path)
    text, truth = done.text, done.truth
    passage = "i paused the roll out at about 20"
    tokens = " ".join(norm(w.text) for w in text.words)
    assert tokens.count(passage) == 1, text.text
    copy = [w for w in text.dropped_words if w.start_s > 50]
    assert " ".join(norm(w.text) for w in copy).startswith(passage), text.dropped_words
    heard_again = {norm(w.text) for w in text.words if copy[0].start_s - 0.5 <= w.start_s <= copy[-1].end_s + 0.5}
    assert {"players", "month"} & heard_again, heard_again  # the speech under the copy, transcribed again
    report = pipeline.analyze_transcribed(done.samples, text, str(done.path))
    assert abs(report.pacing.words_per_minute / truth["words_per_minute"] - 1) <= 0.05, report.pacing


SAMPLED = """
import sys
from rehearse.speech.model import resolve_model, load_model
model = load_model(resolve_model(None), threads=1)
segments, _ = model.transcribe(sys.argv[1], temperature=1.0, beam_size=1, best_of=1, condition_on_previous_text=False)
print(" ".join(s.text.strip() for s in segments))
"""


def test_whisper_sampling_is_the_same_on_every_run():
    """Whisper's temperature fallback samples, and CTranslate2 seeded its sampler from the system's
    random device: the same recording could come out two ways on two runs (CI once saw an answer
    said twice lose its second half). Two processes that make the model sample at temperature 1.0
    over the same sample write the same words."""
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-c", SAMPLED, str(AUDIO / "strong_answer.wav")],
                           capture_output=True, text=True, timeout=600, check=False) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-500:] for r in runs]
    assert runs[0].stdout.strip() and runs[0].stdout == runs[1].stdout, [r.stdout for r in runs]
