"""Fillers on real synthesised speech with the real model, checked against the generator's
exact truth: filled pauses placed by the audio (and found when Whisper drops them), discourse
markers counted only in filler uses, repetitions and false starts, the `source` of each
filler, and the cost of the audio analysis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra  # noqa: E402
from conftest import corpus_answer, render_and_transcribe  # noqa: E402

from rehearse.speech.words import norm  # noqa: E402

CORPUS = ROOT / "scripts" / "corpus" / "filler_answers.yaml"
IDS = ("fil01", "fil02")  # espeak and flite voices; tune split
TIMED_S = 0.25


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """Each answer rendered, analysed once with the real model, with its truth."""
    for tool in ("espeak", "flite", "sox"):
        try:
            ra.check_tool(tool)
        except RuntimeError as e:
            pytest.fail(str(e))
    from rehearse.pipeline import analyze

    out_dir = tmp_path_factory.mktemp("fillers")
    scripts = {a["id"]: a for a in yaml.safe_load(CORPUS.read_text())["answers"]}
    out = {}
    for answer_id in IDS:
        path = ra.render_answer(scripts[answer_id], out_dir)
        out[answer_id] = (path, analyze(path), json.loads(path.with_suffix(".truth.json").read_text()))
    return out


def near(a0: float, a1: float, b0: float, b1: float, slack: float) -> bool:
    return min(a1, b1) - max(a0, b0) > -slack


def truth_of(truth: dict, kind: str) -> list[dict]:
    return [f for f in truth["fillers"] if f["kind"] == kind]


def test_filled_pauses_found_at_their_true_times(answers):
    for answer_id, (_, report, truth) in answers.items():
        found = [f for f in report.fillers if f.kind == "filled_pause"]
        for t in truth_of(truth, "filled_pause"):
            hits = [f for f in found if abs(f.start_s - t["start_s"]) <= TIMED_S and abs(f.end_s - t["end_s"]) <= TIMED_S]
            assert hits, f"{answer_id}: {t['text']} at {t['start_s']:.2f}-{t['end_s']:.2f} not reported there: {found}"
        for f in found:  # and no filled pause where there is none
            assert any(near(f.start_s, f.end_s, t["start_s"], t["end_s"], 0.3) for t in truth_of(truth, "filled_pause")), f


def test_every_filler_names_its_source(answers):
    for _, report, _ in answers.values():
        for f in report.fillers:
            assert f.source in ("transcript", "both", "audio")
            if f.kind == "discourse_marker":
                assert f.source == "transcript"
        placed = [f for f in report.fillers if f.kind == "filled_pause" and f.source in ("both", "audio")]
        assert placed, "no filled pause was placed by the audio"
        assert all(f.confidence is not None and 0 <= f.confidence <= 1 for f in placed)


def test_dropped_filled_pauses_are_heard_in_the_audio(answers):
    """Take Whisper's filled pauses out of its words, as when it drops them: the audio detector
    must still report each one, from the audio alone, within 0.25 s of its true time."""
    from rehearse import rubric
    from rehearse.audio import decode as audio
    from rehearse.audio import vad
    from rehearse.delivery import acoustic
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences
    from rehearse.speech.words import norm

    lexicon = rubric.load("fillers")
    v = rubric.load("delivery")["vad"]
    recovered = 0
    for answer_id, (path, report, truth) in answers.items():
        words = [w for w in report.words if norm(w.text) not in lexicon["filled_pauses"]]
        assert len(words) < len(report.words), f"{answer_id}: Whisper wrote no filled pause to take out"
        samples = audio.decode(path)
        regions = vad.speech_regions(samples, v["threshold"], v["min_silence_ms"], v["speech_pad_ms"])
        heard = acoustic.listen(samples, regions, lexicon["acoustic"])
        fillers, _ = find_fillers(words, split_sentences(words, 2.0), lexicon, heard)
        audio_only = [f for f in fillers if f.kind == "filled_pause"]
        assert all(f.source == "audio" for f in audio_only)
        for t in truth_of(truth, "filled_pause"):
            recovered += any(abs(f.start_s - t["start_s"]) <= TIMED_S and abs(f.end_s - t["end_s"]) <= TIMED_S
                             for f in audio_only)
        for f in audio_only:  # nothing heard where no filler was said
            assert any(near(f.start_s, f.end_s, t["start_s"], t["end_s"], 0.3) for t in truth_of(truth, "filled_pause")), \
                f"{answer_id}: false filled pause from the audio at {f.start_s:.2f}"
    total = sum(len(truth_of(t, "filled_pause")) for _, _, t in answers.values())
    assert recovered >= total - 1, f"only {recovered} of {total} filled pauses heard in the audio alone"


def test_content_uses_are_not_fillers(answers):
    """fil01 says "felt like a bigger risk", "Right after that", "a new kind of alert" and
    "the right call"; fil02 "I would like to think", "so that" and "nothing like that"."""
    for answer_id, (_, report, truth) in answers.items():
        markers = [f for f in report.fillers if f.kind == "discourse_marker"]
        for f in markers:
            assert any(f.text.lower() == t["text"].lower() and near(f.start_s, f.end_s, t["start_s"], t["end_s"], 1.0)
                       for t in truth_of(truth, "discourse_marker")), f"{answer_id}: content use counted: {f}"
        texts = " ".join(w.text.lower() for w in report.words)
        assert "like" in texts and "right" in texts and "kind of" in texts or answer_id != "fil01"


def test_filler_markers_are_counted(answers):
    truths = [t for _, _, truth in answers.values() for t in truth_of(truth, "discourse_marker")]
    found = [f for _, report, _ in answers.values() for f in report.fillers if f.kind == "discourse_marker"]
    assert len(found) >= len(truths) // 2, f"markers {found} vs truth {truths}"
    assert any(f.text == "basically" for f in found)


def test_repetitions_and_false_starts(answers):
    for answer_id, (_, report, truth) in answers.items():
        reps = report.repetitions
        for r in reps:
            assert any(near(r.start_s, r.end_s, t["start_s"], t["end_s"], 0.5) for t in truth.get("repetitions", [])), \
                f"{answer_id}: false repetition {r}"
        assert not any(f.kind == "discourse_marker" and f.text in ("we", "they", "i") for f in report.fillers)
    kinds = {r.kind for _, report, _ in answers.values() for r in report.repetitions}
    assert kinds == {"repetition", "false_start"}, kinds


def test_repetitions_from_words():
    from rehearse import rubric
    from rehearse.delivery.repetitions import find_repetitions
    from rehearse.models import Word

    def words(text: str) -> list[Word]:
        return [Word(text=t, start_s=i * 0.3, end_s=i * 0.3 + 0.25, probability=0.9) for i, t in enumerate(text.split())]

    lexicon = rubric.load("fillers")
    found = find_repetitions(words("I I rolled back, and we, um, we went home."), [], lexicon)
    assert [(r.text, r.kind) for r in found] == [("I", "repetition"), ("we", "repetition")]
    found = find_repetitions(words("We went, we decided to wait."), [], lexicon)
    assert [(r.text, r.kind) for r in found] == [("We went", "false_start")]
    assert find_repetitions(words("I knew that that was the right call for five x x errors."), [], lexicon) == []
    # A phrase dropped on a word it cannot end on, then a new one, is a false start ...
    found = find_repetitions(words("We could, I set up a phone line. Some of the, a few engineers worried."), [], lexicon)
    assert [(r.text, r.kind) for r in found] == [("We could", "false_start"), ("Some of the", "false_start")]
    found = find_repetitions(words("We, um, I posted the numbers."), [], lexicon)
    assert [(r.text, r.kind) for r in found] == [("We", "false_start")]
    # ... but a restart starts a phrase: these are whole phrases, not abandoned ones.
    for text in ("By the end, the chef said yes.", "I checked the audio, the feeds and the ads.",
                 "If we could, we would ship it.", "It was in the morning, the page failed.",
                 "I logged in, I saw the error.", "We fixed the alerts, the runbooks, the dashboards."):
        assert find_repetitions(words(text), [], lexicon) == [], text


def test_audio_analysis_needs_no_librosa(answers):
    """The audio detector and the second listen run on every answer, on numpy alone: no librosa,
    numba or scipy import (no JIT warm-up). Their share of the analysis time is a benchmark
    figure (scripts/eval/eval_fillers.py), not a test: wall-clock shares change with the load."""
    for _, report, _ in answers.values():
        assert "audio_fillers" in report.timings_s and "relisten" in report.timings_s
    path = next(iter(answers.values()))[0]
    code = ("import sys; from rehearse import rubric; from rehearse.audio import decode, vad\n"
            "from rehearse.delivery import acoustic\n"
            f"x = decode.decode({str(path)!r}); r = vad.speech_regions(x, 0.5, 100, 30)\n"
            "acoustic.listen(x, r, rubric.load('fillers')['acoustic'])\n"
            "print(sorted(m for m in ('librosa', 'numba', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def _words(spec: str):
    """Words from 'text@p' tokens, 0.3 s apart (a token '|' adds a 0.4 s silence), with
    voice activity under every word."""
    from rehearse.models import Span, Word

    words, t = [], 0.3
    for tok in spec.split():
        if tok == "|":
            t += 0.4
            continue
        text, _, p = tok.partition("@")
        words.append(Word(text=text, start_s=round(t, 2), end_s=round(t + 0.25, 2), probability=float(p or 0.95)))
        t += 0.3
    return words, [Span(start_s=0.0, end_s=t + 1.0)]


def _filled(spec: str) -> list[tuple[str, str]]:
    from rehearse import rubric
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    words, speech = _words(spec)
    found, _ = find_fillers(words, split_sentences(words, 2.0), rubric.load("fillers"), heard=[], speech=speech)
    return [(f.text, words[f.word_index].text) for f in found]


def test_whisper_spellings_of_filled_pauses():
    # "Duh," / "Duhm," (a filler started with a tap) and "Huhm," (a breathy hmm) are no words
    assert _filled("I checked it, Duhm,@0.3 twice.") == [("um", "Duhm,")]
    assert _filled("It was quiet. Huhm,@0.3 then the alarm went off.") == [("hmm", "Huhm,")]


def test_lookalike_words_whisper_writes_for_a_filled_pause():
    # "er" written as "her," / "Sure." / "per," when Whisper was unsure and the word is set off
    assert _filled("We fixed the export endpoint within her,@0.6 four days.") == [("er", "her,")]
    assert _filled("It was almost no risk. Sure.@0.3 I proposed a new plan.") == [("er", "Sure.")]
    assert _filled("We picked a cheaper warehouse per,@0.3 but the analysts needed more.") == [("er", "per,")]
    assert _filled("I waited about, him,@0.4 two weeks for it.") == [("hmm", "him,")]  # a "hmm" heard as "him"
    assert _filled("We checked the valve, gum,@0.3 and added a sensor.") == [("um", "gum,")]  # "um" after a tap
    assert _filled("She said it was dumb,@0.95 and she was right.") == []
    # ... not when Whisper was sure, not as the answer's first word, not in running speech
    assert _filled("I called the manager and told her,@0.98 then we agreed.") == []
    assert _filled("Sure,@0.4 so last year our checkout failed.") == []
    assert _filled("We billed three dollars per@0.4 request that month.") == []
    # ... nor when the word after it was squeezed to no time (the lookalike holds its sound)
    words, speech = _words("She was not sure about her.@0.1 I mean it worked.")
    words[6] = words[6].model_copy(update={"end_s": words[6].start_s})  # "I" squeezed to nothing
    words[5] = words[5].model_copy(update={"end_s": words[6].start_s})
    from rehearse import rubric
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    found, _ = find_fillers(words, split_sentences(words, 2.0), rubric.load("fillers"), heard=[], speech=speech)
    assert [f.kind for f in found if f.kind == "filled_pause"] == []


def test_a_lookalike_said_on_its_own_is_a_filled_pause():
    """flite's gliding "er", written "or" (p 0.6) in running speech: a voiced island under the
    word (a sound with silence both sides) makes it the filled pause, timed by the island;
    without one, or when Whisper was sure of the word, it stays a word."""
    from rehearse import rubric
    from rehearse.delivery.acoustic import Stretch
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    def filled(spec: str, island: tuple[float, float] | None):
        words, speech = _words(spec)
        heard = [Stretch(start_s=island[0], end_s=island[1], voicing=0.72, pitch_range_st=0.0, change_db=5.5,
                         level_db=-3.3, f0_hz=0.0, quiet_before=True, quiet_after=True, kind="island")] if island else []
        found, _ = find_fillers(words, split_sentences(words, 2.0), rubric.load("fillers"), heard=heard, speech=speech)
        return [(f.text, words[f.word_index].text, f.start_s) for f in found if f.kind == "filled_pause"]

    assert filled("We shipped the fix or@0.6 two days later.", (1.5, 1.7)) == [("er", "or", 1.5)]
    assert filled("We shipped the fix or@0.6 two days later.", None) == []
    assert filled("We shipped the fix or@0.9 two days later.", (1.5, 1.7)) == []


def test_markers_whisper_was_unsure_of_are_not_counted():
    assert _filled("And like@0.9 three teams asked for it.") == [("like", "like")]
    assert _filled("And like@0.05 three teams asked for it.") == []


def test_literally_ending_its_clause_is_meant_not_a_filler():
    assert _filled("It literally took three days to restore.") == [("literally", "literally")]
    assert _filled("It was, literally, the worst outage we had.") == [("literally", "literally,")]
    assert "literally" not in [t for t, _ in _filled("The queue stalled. I mean that literally, the last job never ran.")]
    assert _filled("Do not take the dashboard literally.") == []
    assert _filled("I translated the court's order literally into a checklist.") == []


def test_right_is_a_tag_only_when_set_off():
    assert _filled("We shipped on Friday, right? Then it broke.") == [("right", "right?")]
    assert _filled("It was a ten second change. Right. Then we moved on.") == [("right", "Right.")]
    assert _filled("He would not say it, and he was partly right.") == []


def test_i_mean_defining_a_term_is_not_a_filler():
    assert _filled("I mean@0.9 we shipped late, but it worked.") == [("i mean", "I")]
    assert _filled("We met for a review every week, and by weekly I mean@0.9 every Monday.") == []


def test_a_stretch_is_not_a_dropped_filler_when_whisper_placed_the_next_word_late():
    """A steady stretch no word covers, right before a word whose time is mostly silence: the
    stretch is that word's sound (Whisper wrote it 0.4 s late), not a filled pause."""
    from rehearse import rubric
    from rehearse.delivery.acoustic import Stretch
    from rehearse.delivery.fillers import find_fillers
    from rehearse.models import Span
    from rehearse.speech.transcribe import split_sentences

    words, _ = _words("We rolled the change back, | and@0.95 the errors stopped.")
    stretch = Stretch(start_s=1.75, end_s=2.1, voicing=0.9, pitch_range_st=0.5, change_db=2.0, level_db=-5.0,
                      f0_hz=120.0, score=0.8, quiet_before=True, quiet_after=True)
    assert words[4].text == "back," and words[5].text == "and" and words[5].start_s == 2.2
    lexicon = rubric.load("fillers")

    def heard_fillers(speech):
        found, _ = find_fillers(words, split_sentences(words, 2.0), lexicon, heard=[stretch], speech=speech)
        return [(f.start_s, f.source) for f in found if f.kind == "filled_pause"]

    # the hum is said on its own and "and" follows it in speech: a filled pause Whisper dropped
    assert heard_fillers([Span(start_s=0.0, end_s=1.55), Span(start_s=1.75, end_s=2.1), Span(start_s=2.2, end_s=4.5)]) \
        == [(1.75, "audio")]
    # "and" as written lies in silence: its sound is the stretch
    assert heard_fillers([Span(start_s=0.0, end_s=1.55), Span(start_s=1.75, end_s=2.1), Span(start_s=2.5, end_s=4.5)]) == []


def _one_filler_rendered(tmp_path, voice: str, text: str):
    """One sentence with one filled pause rendered in `voice`: the filler's truth, the samples
    and their acoustic frames (inside voice activity)."""
    from rehearse import rubric
    from rehearse.audio import decode as audio
    from rehearse.audio import vad
    from rehearse.delivery import acoustic

    ra.check_tool(voice.split(":")[0])
    path = ra.render_answer({"id": "one", "voice": voice, "sentences": [["A", text]]}, tmp_path)
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    [filler] = [f for f in truth["fillers"] if f["kind"] == "filled_pause"]
    samples = audio.decode(path)
    dcfg = rubric.load("delivery")["vad"]
    speech = vad.speech_regions(samples, dcfg["threshold"], dcfg["min_silence_ms"], dcfg["speech_pad_ms"])
    return filler, samples, acoustic.frame_features(samples, speech, rubric.load("fillers")["acoustic"])


def test_a_gliding_er_between_words_is_heard_as_an_island(tmp_path):
    """flite says "er" with a gliding vowel the steady-stretch detector never accepts; said on
    its own it is a voiced island at the filler's true time, and only there."""
    import numpy as np

    from rehearse import rubric
    from rehearse.delivery import acoustic

    er, samples, frames = _one_filler_rendered(
        tmp_path, "flite:kal", "I checked the migrations, {er} so I added a dry run stage before every deploy.")
    cfg = rubric.load("fillers")["acoustic"]
    found = acoustic.islands(frames, samples, cfg)
    assert [s for s in found if abs(s.start_s - er["start_s"]) < 0.1 and abs(s.end_s - er["end_s"]) < 0.1], (er, found)
    assert all(s.voicing >= cfg["island_min_voicing"] and s.kind == "island" for s in found)
    assert np.all([cfg["island_min_s"] <= s.duration_s <= cfg["island_max_s"] for s in found])


def test_an_uh_whose_fading_tail_dips_is_still_one_island(tmp_path):
    """festival's "uh" fades out through a frame just under the island level and a last puff of
    sound: one island at the filler's time, with silence after it, not a run cut short."""
    from rehearse import rubric
    from rehearse.delivery import acoustic

    uh, samples, frames = _one_filler_rendered(
        tmp_path, "festival:slt", "The job finished in six minutes, {uh} and the rejection rate dropped by half.")
    cfg = rubric.load("fillers")["acoustic"]
    at_uh = [s for s in acoustic.islands(frames, samples, cfg) if near(s.start_s, s.end_s, uh["start_s"], uh["end_s"], 0.05)]
    assert len(at_uh) == 1 and abs(at_uh[0].end_s - uh["end_s"]) < 0.05, (uh, at_uh)
    assert acoustic.islands(frames, samples, {**cfg, "island_bridge_s": 0.0}) != acoustic.islands(frames, samples, cfg)


def test_an_island_counts_only_between_words():
    from rehearse import rubric
    from rehearse.delivery.acoustic import Stretch
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    words, speech = _words("We checked the migrations, | | so I added a dry run stage.")
    assert words[3].text == "migrations," and (words[3].end_s, words[4].start_s) == (1.45, 2.3)
    lexicon = rubric.load("fillers")

    def island_fillers(a: float, b: float, ws=words):
        island = Stretch(start_s=a, end_s=b, voicing=0.8, pitch_range_st=0.0, change_db=6.0, level_db=-4.0, f0_hz=0.0,
                         quiet_before=True, quiet_after=True, kind="island")
        found, _ = find_fillers(ws, split_sentences(ws, 2.0), lexicon, heard=[island], speech=speech)
        return [(f.start_s, f.source) for f in found if f.kind == "filled_pause"]

    assert island_fillers(1.6, 1.9) == [(1.6, "audio")]  # in the gap after "migrations,"
    assert island_fillers(0.9, 1.15) == []  # on "the" (overlaps a written word)
    assert island_fillers(1.95, 2.25) == []  # "so" (p 0.95) starts 0.05 s after it: that word, written late
    assert island_fillers(0.0, 0.25) == []  # before anything was said


def test_an_island_under_a_word_that_has_its_own_sound_after_it():
    """Whisper timed "and" from the start of the "hmm" before it: the word's own sound is after
    the island, so the island is still a filled pause; a word with no sound outside it is not."""
    from rehearse import rubric
    from rehearse.delivery.acoustic import Stretch
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    words, speech = _words("We were buying time, | | and@0.72 I offered to send weekly notes.")
    words[4] = words[4].model_copy(update={"start_s": 1.6})  # "and" written from 1.6 to 2.55
    lexicon = rubric.load("fillers")

    def fillers_with(sound_runs):
        island = Stretch(start_s=1.6, end_s=1.9, voicing=0.8, pitch_range_st=0.0, change_db=3.0, level_db=-4.0,
                         f0_hz=0.0, quiet_before=True, quiet_after=True, kind="island")
        sound = [Stretch(start_s=a, end_s=b, voicing=0.0, pitch_range_st=0.0, change_db=0.0, level_db=0.0, f0_hz=0.0,
                         kind="sound") for a, b in sound_runs]
        found, _ = find_fillers(words, split_sentences(words, 2.0), lexicon, heard=[island, *sound], speech=speech)
        return [(f.start_s, f.source) for f in found if f.kind == "filled_pause"]

    assert fillers_with([(0.3, 1.45), (1.6, 1.9), (2.3, 2.55), (2.6, 4.0)]) == [(1.6, "audio")]
    assert fillers_with([(0.3, 1.45), (1.6, 1.9), (2.6, 4.0)]) == []  # "and" has no sound but the island's


def test_a_hum_is_heard_under_a_word_whisper_gave_its_time_to(tmp_path):
    """espeak's "hmm" is a nasal murmur, far quieter than the vowels around it and level: the
    stretch at the hum's true time is a hum and no other stretch in the answer is. Whisper
    often times the next word from the hum's start; the hum is still a filled pause, "hmm"."""
    from dataclasses import replace

    from rehearse import rubric
    from rehearse.delivery import acoustic
    from rehearse.delivery.fillers import _is_hum, find_fillers
    from rehearse.speech.transcribe import split_sentences

    hum, _, frames = _one_filler_rendered(
        tmp_path, "espeak:en-gb", "I called each store manager on the list and, {hmm}, asked which report they opened first.")
    lexicon = rubric.load("fillers")
    cfg = lexicon["acoustic"]
    stretches = acoustic.steady_stretches(frames, cfg)
    hums = [s for s in stretches if _is_hum(s, cfg)]
    assert len(stretches) > len(hums) == 1, stretches
    assert near(hums[0].start_s, hums[0].end_s, hum["start_s"], hum["end_s"], 0.0), (hums, hum)

    # a word Whisper was sure of, timed from the hum's start, does not hide it ...
    words, speech = _words("We sat with each of them and, | | asked@0.9 what they would do.")
    assert words[7].text == "asked" and words[6].end_s == 2.35
    words[7] = words[7].model_copy(update={"start_s": 2.45, "end_s": 3.45})
    s = replace(hums[0], start_s=2.45, end_s=2.75, quiet_before=True, quiet_after=True)
    found, _ = find_fillers(words, split_sentences(words, 2.0), lexicon, heard=[s], speech=speech)
    assert [(f.text, f.start_s, f.source) for f in found if f.kind == "filled_pause"] == [("hmm", 2.45, "audio")]
    # ... but a vowel as loud as speech under that word is the word's own sound
    loud = replace(s, level_db=-4.0)
    found, _ = find_fillers(words, split_sentences(words, 2.0), lexicon, heard=[loud], speech=speech)
    assert [f for f in found if f.kind == "filled_pause"] == []


def test_a_word_written_over_a_filler_has_its_sound_before_it():
    """"and, um": Whisper wrote "and," at the start of the "um" it heard; the vowel before it is
    that word's sound, not a second filled pause. A filler token written there is no such word."""
    from rehearse import rubric
    from rehearse.delivery.acoustic import Stretch
    from rehearse.delivery.fillers import find_fillers
    from rehearse.speech.transcribe import split_sentences

    def found(spec: str):
        words, speech = _words(spec)
        words[5] = words[5].model_copy(update={"start_s": 2.6, "end_s": 2.7})  # written inside the "um"
        words[6] = words[6].model_copy(update={"start_s": 2.7})

        def stretch(a, b):
            return Stretch(start_s=a, end_s=b, voicing=0.95, pitch_range_st=0.5, change_db=2.5, level_db=-4.0,
                           f0_hz=120.0, score=0.9, quiet_before=True, quiet_after=True)

        out, _ = find_fillers(words, split_sentences(words, 2.0), rubric.load("fillers"),
                              heard=[stretch(1.95, 2.25), stretch(2.6, 3.1)], speech=speech)
        return [(f.start_s, f.source) for f in out if f.kind == "filled_pause"]

    assert found("We shipped it on Friday, | | and,@0.98 um,@0.4 I wrote the runbook.") == [(2.6, "both")]
    # "uh, um": both stretches are filled pauses
    assert found("We shipped it on Friday, | | uh,@0.2 um,@0.4 I wrote the runbook.") == [(1.95, "both"), (2.6, "both")]


def test_plausible_word_length_follows_the_speaker():
    """A slow speaker's words take longer: the length a word can account for grows with the
    speaker's own seconds per letter (and stays within the configured range)."""
    from rehearse import rubric
    from rehearse.delivery.fillers import _speaker_per_char
    from rehearse.speech.words import norm

    cfg = rubric.load("fillers")["acoustic"]
    words, _ = _words(" ".join(["deployment", "rollback", "latency", "customers", "incident"] * 5))

    def per_char(stretch: float) -> float:
        ws = [w.model_copy(update={"end_s": w.start_s + stretch * (w.end_s - w.start_s)}) for w in words]
        return _speaker_per_char(ws, [norm(w.text) for w in ws], cfg)

    typical = cfg["word_per_char_s"]
    assert per_char(2.0) < per_char(2.4) < per_char(2.8)  # 0.06 to 0.09 s per letter
    lo, hi = cfg["speaker_scale_range"]
    assert per_char(0.1) == pytest.approx(typical * lo) and per_char(10.0) == pytest.approx(typical * hi)
    assert _speaker_per_char(words[:5], [norm(w.text) for w in words[:5]], cfg) == typical  # too few words to tell


def test_a_filler_whisper_wrote_a_word_over_is_heard_again_on_its_own(tmp_path):
    """flite:awb's "uh" between two sentences: Whisper's first pass writes "but" over it. Heard
    again on its own (`rehearse.speech.relisten`), the island is "Uh.": the filler is reported at its
    true time and "but" is left out of the pace. Without the second listen it is missed."""
    from rehearse import pipeline, rubric
    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.delivery import acoustic
    from rehearse.speech import model as whisper_model
    from rehearse.speech.relisten import relisten
    from rehearse.speech.transcript import transcribe_speech
    from rehearse.speech.words import norm

    ra.check_tool("flite")
    path = ra.render_answer({"id": "relisten", "voice": "flite:awb", "rate": 1.15, "sentences": [
        ["T", "I had two weeks to win them back."],
        ["A", "{uh} I asked to sit in on three of their interviews to see what they tested."]]}, tmp_path)
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    [uh] = truth_of(truth, "filled_pause")
    samples = audio.decode(path)
    speech, speech_s = find_speech(samples, str(path))
    spec = whisper_model.resolve_model(None)
    whisper = whisper_model.get_model(spec)
    text = transcribe_speech(samples, speech, spec, whisper)
    over = [w for w in text.words if w.start_s < uh["end_s"] and w.end_s > uh["start_s"]]
    assert over and norm(over[0].text) not in rubric.load("fillers")["filled_pauses"], over  # the word written over it

    report = pipeline.analyze_transcribed(samples, text, str(path), listener=(whisper, spec))
    found = [f for f in report.fillers if f.kind == "filled_pause"]
    assert [(f.text, f.source) for f in found] == [("uh", "audio")], found
    assert abs(found[0].start_s - uh["start_s"]) <= 0.05 and abs(found[0].end_s - uh["end_s"]) <= 0.05, (found, uh)
    assert report.pacing.word_count == truth["word_count"], (report.pacing.word_count, truth["word_count"])
    assert "relisten" in report.timings_s

    # every island heard again: only the one at the "uh" as a filled pause ("I asked" alone is words)
    islands = [s for s in acoustic.listen(samples, speech, rubric.load("fillers")["acoustic"]) if s.kind == "island"]
    relisten(whisper, samples, islands, rubric.load("fillers")["relisten"])
    filled = rubric.load("fillers")["filled_pauses"]
    as_fillers = [s for s in islands if s.heard_as and norm(s.heard_as.split()[0]) in filled]
    heard = [(s.start_s, s.heard_as) for s in islands]
    assert len(islands) >= 2 and all(s.heard_as is not None for s in islands), heard
    assert len(as_fillers) == 1 and abs(as_fillers[0].start_s - uh["start_s"]) < 0.1, heard

    plain = pipeline.analyze_transcribed(samples, text, str(path))
    assert not [f for f in plain.fillers if f.kind == "filled_pause"], plain.fillers


def _analysed_both_ways(tmp_path, answer: dict):
    """The answer rendered and transcribed once, analysed with and without the second listen."""
    from rehearse import pipeline

    done = render_and_transcribe(answer, tmp_path)
    heard = pipeline.analyze_transcribed(done.samples, done.text, str(done.path), listener=(done.whisper, done.spec))
    plain = pipeline.analyze_transcribed(done.samples, done.text, str(done.path))
    return done.truth, done.text, heard, plain


def test_a_number_said_slowly_is_not_a_filled_pause_when_heard_alone(tmp_path):
    """espeak:en-us+f3 draws out "one" in "from four leavers to {hmm} one": the older rules take
    the vowel for a dropped "uh". Heard again on its own, Whisper writes "1 1 1 1 1" for it, so
    with the second listen only the true "hmm" is reported."""
    truth, text, heard, plain = _analysed_both_ways(tmp_path, corpus_answer("blind/filler_heldout19.yaml", "hf19_03", 6))
    [hmm] = truth_of(truth, "filled_pause")
    found = [f for f in heard.fillers if f.kind == "filled_pause"]
    assert len(found) == 1 and near(found[0].start_s, found[0].end_s, hmm["start_s"], hmm["end_s"], TIMED_S), found
    # Without the second listen the older rules took the drawn-out vowel of "one" for a filled pause
    # (measured up to 2026-12-03); on the 2026-12-04 machine Whisper's words there no longer lead them
    # to it. Where they still do, it is that vowel, found by the audio detector, and nothing else.
    extra = [f for f in plain.fillers if f.kind == "filled_pause" and f.start_s > hmm["end_s"] + 0.1]
    assert len(extra) <= 1, plain.fillers
    for f in extra:
        under = [w.text for w in text.words if w.start_s < f.end_s and w.end_s > f.start_s]
        assert f.source == "audio" and [norm(w) for w in under] in (["one"], ["1"]), (f, under)


def test_a_long_number_and_a_lookalike_on_its_island(tmp_path):
    """flite:kal, slow: Whisper times "68%" over 1.5 s (its "sixty-eight percent" is long, not
    a filler: a number's plausible length counts the letters it is said with), and writes "her,"
    for the "er" in "paired them with {er} Gareth" (a lookalike on its voiced island, which a
    steady stretch a second earlier, under "So I", does not take). Every filled pause is found
    at its true time and nothing else."""
    truth, text, heard, _ = _analysed_both_ways(tmp_path, corpus_answer("blind/filler_heldout20.yaml", "hf20_12"))
    fps = truth_of(truth, "filled_pause")
    found = [f for f in heard.fillers if f.kind == "filled_pause"]
    long_number = [w for w in text.words if norm(w.text) == "68"]
    assert long_number and long_number[0].end_s - long_number[0].start_s > 1.0, long_number
    assert len(found) == len(fps) == 5, (found, fps)
    for f, t in zip(found, fps):
        assert near(f.start_s, f.end_s, t["start_s"], t["end_s"], TIMED_S), (f, t)


def test_a_marker_heard_alone_as_a_filler_is_counted_once(tmp_path):
    """flite:kal's "<Actually>, I also offered ..." in heldout12's hf12_04: the voiced island under
    "Actually," is heard alone as "Uh"; the word is already counted as a discourse marker, so the
    sound is not counted again as a filled pause."""
    from rehearse import pipeline, rubric
    from rehearse.audio import decode as audio
    from rehearse.audio.vad import find_speech
    from rehearse.delivery import acoustic
    from rehearse.speech import model as whisper_model
    from rehearse.speech.relisten import relisten

    for tool in ("flite", "sox"):
        ra.check_tool(tool)
    path = ra.render_answer(corpus_answer("blind/filler_heldout12.yaml", "hf12_04"), tmp_path)
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    report = pipeline.analyze(path)
    [marker] = [f for f in report.fillers if f.kind == "discourse_marker" and f.text == "actually"]
    word = report.words[marker.word_index]
    samples = audio.decode(path)
    speech, _ = find_speech(samples, str(path))
    lexicon = rubric.load("fillers")
    islands = [s for s in acoustic.listen(samples, speech, lexicon["acoustic"])
               if s.kind == "island" and s.start_s < word.end_s and s.end_s > word.start_s]
    relisten(whisper_model.get_model(whisper_model.resolve_model(None)), samples, islands, lexicon["relisten"])
    assert any(s.heard_as and norm(s.heard_as.split()[0]) in lexicon["filled_pauses"] for s in islands), islands
    assert not [f for f in report.fillers if f.kind == "filled_pause" and f.start_s < word.end_s and f.end_s > word.start_s]
    assert len([f for f in report.fillers if f.kind == "filled_pause"]) == len(truth_of(truth, "filled_pause"))


def test_a_run_of_digits_too_long_for_any_number_name_is_said_digit_by_digit():
    """Whisper can write a noise as a run of hundreds of digits (blind45 iwu_05, "60,000,000,..." over 31 s at probability 0.00003), past
    the largest number num2words names: the delivery stage then stopped with an OverflowError
    traceback. Such a run is counted as said digit by digit, as are its letters."""
    from rehearse.speech.words import said_letters, spoken_words

    run = "6" + "0" * 400
    assert spoken_words(run) == 401
    assert said_letters(run) == len("six") + 400 * len("zero")
    assert spoken_words(run + ".5") == 403  # "... point five"
    assert spoken_words("6" + "0" * 300) == 2  # still a number with a name: "six novemnonagintillion"
