"""The speaker wording model (one voice reading both parts) on an interview script laid out
sentence by sentence (no audio): the shipped weights, the real structure code, and the trainer
that wrote the weights."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "eval"))
sys.path.insert(0, str(ROOT / "tests"))
import train_speaker_words
import turns_from_scripts as tfs
from test_turn_model import INTERVIEW

from rehearse import rubric
from rehearse.interview.structure import structure
from rehearse.interview.turns import _turns_by_wording


def _interview() -> dict:
    """Written for this test: greetings with no question in them, a knock at the door between the
    questions, and a closing with no closing wording in its last lines."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [
        ["I", "Hi there, come on in and take a seat."], ["C", "Thanks, it's warm in here."],
        ["I", "The heating only has two settings, I'm afraid."], ["C", "It's fine, honestly."]]}
    iv["turns"].insert(2, {"smalltalk": [
        ["I", "Sorry, somebody is knocking, give me a moment."], ["C", "Of course."],
        ["I", "Right, that was the post."]]})
    iv["turns"].append({"closing": [
        ["I", "Lovely, I think that gives me a good picture."], ["I", "We'll be deciding by the end of the month."],
        ["C", "Great, thank you for your time."]]})
    return iv


def _one_voice(model: bool):
    cfg = rubric.load("interview")
    scfg = cfg["structure"] if model else {**cfg["structure"], "one_voice_model": None}
    units, _truth = tfs.units_of(tfs.lines(_interview(), {}), cfg["cues"])
    _turns_by_wording(units, cfg["cues"]["min_question_score"], scfg, cfg["cues"]["first_person"])
    exchanges = structure(units, scfg, cfg["cues"]["min_question_score"])
    return {u.text: u for u in units}, exchanges


def test_one_voice_greetings_an_interruption_and_the_closing_are_the_interviewers_and_no_answer():
    unit, exchanges = _one_voice(model=True)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    for text in ("Hi there, come on in and take a seat.", "The heating only has two settings, I'm afraid.",
                 "Sorry, somebody is knocking, give me a moment.", "We'll be deciding by the end of the month."):
        assert unit[text].speaker == "interviewer", (text, unit[text].why)
        assert any("speaker wording model" in w for w in unit[text].why), unit[text].why
    knock = unit["Sorry, somebody is knocking, give me a moment."]
    assert knock.role == "smalltalk", knock.why
    in_answers = {u.text for ex in exchanges for u in ex.answer}
    assert not in_answers & {"Sorry, somebody is knocking, give me a moment.", "Of course.",
                             "We'll be deciding by the end of the month.", "Great, thank you for your time."}
    # the candidate's story stays the candidate's
    assert all(unit[t].speaker == "candidate" for t in in_answers if t in unit and unit[t].role == "answer")
    assert "Flour waste halved within two months, and he now trains new buyers on the sheet." in in_answers


def test_without_the_model_the_rules_alone_run_the_first_answer_into_the_interruption():
    unit, exchanges = _one_voice(model=False)
    knock = unit["Sorry, somebody is knocking, give me a moment."]
    assert knock.speaker == "candidate"
    assert any(knock in ex.answer for ex in exchanges)


def test_shipped_weights_are_what_the_trainer_writes(tmp_path):
    out = tmp_path / "speaker_words.json"
    assert train_speaker_words.main(["--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads((ROOT / "rubrics" / "speaker_words.json").read_text())


def test_one_voice_a_reply_opening_well_right_after_the_question_is_the_candidates():
    """Written for this test: the candidate opens the answer with general talk to "you" ("Well, I
    think in purchasing you always ...") before the story; it is the first sentence of the answer,
    not more of the question."""
    iv = json.loads(json.dumps(INTERVIEW))
    opening = "Well, I think in purchasing you always get the odd supplier who lets you down, and you learn to stay calm."
    iv["turns"][1]["sentences"].insert(0, ["S", opening])
    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    unit = {u.text: u for u in units}
    assert unit[opening].speaker == "candidate", unit[opening].why
    first = next(ex for ex in exchanges if any("supplier let you down" in u.text for u in ex.question))
    assert first.answer[0].text == opening, [u.text for u in first.question]


def _read_by_one_voice(iv: dict, unset: dict) -> tuple[list, list]:
    """The script's units with speakers from wording alone and the exchanges found, with the
    structure rubric's `unset` entries replaced (a guard switched off)."""
    cfg = rubric.load("interview")
    scfg = {**cfg["structure"], **unset}
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    _turns_by_wording(units, cfg["cues"]["min_question_score"], scfg, cfg["cues"]["first_person"])
    return units, structure(units, scfg, cfg["cues"]["min_question_score"])


def test_one_voice_what_i_or_we_did_stays_the_candidates_story_whatever_the_model_says():
    """Written for this test: two story sentences with words the speaker wording model leans towards
    the interviewer on ("induction", "walk", "showed him"): with no guard it gives them the
    interviewer (p 0.97, 0.95) and they are taken off the story as small talk and as the closing.
    A statement of what "I" or "we" did, to no "you", is the candidate's story."""
    late_result = "We also changed the induction, so every contractor does a lockout walk round before they touch anything."
    action = "On the walk I showed him what we were working on with that dog, and why the jumping mattered so much for rehoming."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].append(["R", late_result])
    iv["turns"][2]["sentences"].insert(4, ["A", action])
    for guard in (True, False):
        units, exchanges = _read_by_one_voice(iv, {} if guard else {"own_story_cues": [], "own_story_state": "(?!x)x"})
        unit = {u.text: u for u in units}
        in_answers = {u.text for ex in exchanges for u in ex.answer}
        if guard:
            assert len(exchanges) == 2
            for text in (late_result, action):
                assert unit[text].speaker == "candidate", unit[text].why
                assert text in in_answers, unit[text].why
        else:  # the model alone: the story loses them (the test would pass without the guard otherwise)
            assert unit[late_result].speaker == unit[action].speaker == "interviewer"
            assert late_result not in in_answers and action not in in_answers


@pytest.mark.parametrize("turn", [1, 2])
def test_one_voice_a_lesson_i_drew_stays_the_candidates_even_when_it_speaks_to_you(turn):
    """Written for this test: a lesson at the end of an answer that speaks to a general "you" (as
    blind30 iwf_05 "I think the lesson for me was that you can say hard things ..." and blind29
    iwe_01 "What I took away is ..." did): the speaker wording model alone gives it the interviewer
    (p 0.97 at the end of the last answer, 1.00 before the follow-up) and the story loses it to the
    closing or to small talk. A lesson "I" drew, asking nothing, is the candidate's."""
    lesson = "I think the lesson for me was that you can tell a good buyer hard things, as long as you do it one to one."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][turn]["sentences"].append(["R", lesson])
    for guard in (True, False):
        units, exchanges = _read_by_one_voice(iv, {} if guard else {"own_lesson_cues": []})
        unit = next(u for u in units if u.text == lesson)
        told = {u.text for ex in exchanges for u in ex.answer + [r for _, reply in ex.followups for r in reply]}
        if guard:
            assert unit.speaker == "candidate" and lesson in told, unit.why
        else:  # the model alone: the story loses it (the test would pass without the guard otherwise)
            assert unit.speaker == "interviewer" and lesson not in told, unit.why


def test_one_voice_what_i_or_we_had_or_were_then_stays_the_candidates_story():
    """blind31 iwg_10 (festival, one voice; the set now spent): Whisper wrote the first sentence of
    the first answer with commas and a figure ("In my second winter, on the marine desk, we had a
    deep low, coming in from the Atlantic, ..."), and the speaker wording model gave it the
    interviewer, so the answer started 9.6 s late with the story's opening read as the question.
    What "I" or "we" had or were then, to no "you", is the candidate's story (the model alone still
    moves it: the test would pass without the guard otherwise)."""
    iv = next(x for x in yaml.safe_load((tfs.ri.CORPUS / "interviews_blind31.yaml").read_text())["interviews"]
              if x["id"] == "iwg_10")
    opening = ("In my second winter, on the marine desk, we had a deep low, coming in from the Atlantic, and the "
               "models disagreed about its track by about 200 miles.")
    next(t for t in iv["turns"] if "question" in t)["sentences"][0][1] = opening
    for guard in (True, False):
        # without the guard, and without the rule for a story's opening statement right after the
        # request (which also keeps this sentence the candidate's)
        units, exchanges = _read_by_one_voice(iv, {} if guard else {"own_story_state": "(?!x)x",
                                                                    "one_voice_story_start_words": 10 ** 6})
        unit = next(u for u in units if u.text == opening)
        if guard:
            assert unit.speaker == "candidate", unit.why
            assert unit in exchanges[0].answer, unit.why
            assert [u.text for u in exchanges[0].question][-1].startswith("Describe a situation")
        else:
            assert unit.speaker == "interviewer", unit.why
