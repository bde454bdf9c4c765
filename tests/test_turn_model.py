"""The interview turn model on interview scripts laid out with their speakers (no audio): the
shipped weights, the real structure code, and the trainer that wrote them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "eval"))
import train_turns
import turns_from_scripts as tfs

from rehearse import rubric
from rehearse.interview.structure import structure

# Written for this test: a main question with no "time", "example" or "describe" in it, asked
# right after a follow-up's reply, and a mid-answer follow-up.
INTERVIEW = {
    "id": "tm_01",
    "turns": [
        {"smalltalk": [["I", "Morning. Can you hear me all right?"], ["C", "Yes, loud and clear, thanks."]]},
        {"lead": "Good, let's begin.",
         "question": "Tell me about a time a supplier let you down badly.",
         "sentences": [
             ["S", "Two summers ago our packaging supplier went into administration a week before peak season."],
             ["T", "I ran purchasing for the bakery, so keeping the shelves stocked was on me."],
             ["A", "I rang three other suppliers that afternoon and got samples sent overnight."],
             ["A", "I picked the one that could match our box sizes and agreed a short contract."],
             ["R", "We never ran out of boxes, and the new supplier is still with us today."]],
         "followups": [
             {"after": 2, "question": "Sorry, who agreed to that contract?",
              "sentences": [["A", "I did, within the limit my manager had signed off for emergencies."]]},
             {"after": "end", "question": "Any surprises on the invoices afterwards?",
              "sentences": [["R", "One, a delivery charge we had missed, which I got waived."]]}]},
        {"lead": "Right.",
         "question": "Your toughest conversation with someone on your own team.",
         "sentences": [
             ["S", "Last winter one of my buyers kept ordering far more flour than we could store."],
             ["T", "It was my job to stop the waste without losing a good buyer."],
             ["A", "I sat down with him, showed him the storage figures, and asked how he planned orders."],
             ["A", "He was guessing from memory, so we built a simple weekly order sheet together."],
             ["R", "Flour waste halved within two months, and he now trains new buyers on the sheet."]]},
    ],
}


def _unsure(units, truth, role: str | None) -> None:
    """The words of every line with this true role heard as Whisper hears a sound it guesses at
    (a listener's "mm-hm" written "Zeta."): word probability 0.2."""
    for u, (r, _) in zip(units, truth):
        if r == role:
            u.words = [w.model_copy(update={"probability": 0.2}) for w in u.words]


def _read_by_one_voice(interview: dict, unsure: str | None = None):
    """The script's units with speakers taken from wording alone (one voice reading both parts):
    the units, their true roles, the true speaker of each text, and the exchanges found."""
    from rehearse.interview.turns import _turns_by_wording

    cfg = rubric.load("interview")
    units, truth = tfs.units_of(tfs.lines(interview, {}), cfg["cues"])
    _unsure(units, truth, unsure)
    true_speaker = {u.text: u.speaker for u in units}
    _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    return units, truth, true_speaker, exchanges


def _scripted(corpus: str, iv_id: str) -> dict:
    """One interview's script from a corpus file of scripts/corpus/."""
    return next(x for x in yaml.safe_load((tfs.ri.CORPUS / corpus).read_text())["interviews"] if x["id"] == iv_id)


def _laid_out(interview: dict, unsure: str | None = None):
    cfg = rubric.load("interview")
    script = tfs.lines(interview, {})
    units, truth = tfs.units_of(script, cfg["cues"])
    _unsure(units, truth, unsure)
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    return units, truth, exchanges


def test_main_questions_follow_ups_and_chat():
    units, truth, exchanges = _laid_out(INTERVIEW)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2, asked
    assert "supplier let you down" in asked[0] and "toughest conversation" in asked[1], asked
    first = exchanges[0]
    assert [" ".join(u.text for u in q) for q, _ in first.followups] == [
        "Sorry, who agreed to that contract?", "Any surprises on the invoices afterwards?"]
    replies = [" ".join(u.text for u in r) for _, r in first.followups]
    assert replies[0].startswith("I did, within the limit") and replies[1].startswith("One, a delivery charge")
    assert all(u in first.answer for _, r in first.followups for u in r)
    smalltalk = [u for u, (role, _) in zip(units, truth) if role == "smalltalk"]
    assert all(u.role == "smalltalk" for u in smalltalk), [(u.text, u.role) for u in smalltalk]
    why = [w for u in exchanges[1].question for w in u.why]
    assert any("turn model" in w for w in why), why


def test_chat_between_questions_is_no_follow_up_and_no_answer():
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].insert(2, {"smalltalk": [["I", "Sorry, the dog next door is barking, bear with me a second."],
                                         ["C", "No problem, take your time."]]})
    units, truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    chat = [u for u, (role, _) in zip(units, truth) if role == "smalltalk"][-2:]
    assert [u.text for u in chat] == ["Sorry, the dog next door is barking, bear with me a second.",
                                      "No problem, take your time."]
    assert all(u.role == "smalltalk" for u in chat), [(u.text, u.role, u.why) for u in chat]
    assert not any(u in ex.answer for ex in exchanges for u in chat)
    assert len(exchanges[0].followups) == 2


def test_shipped_weights_are_what_the_trainer_writes(tmp_path):
    out = tmp_path / "turn_model.json"
    assert train_turns.main(["--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads((ROOT / "rubrics" / "turn_model.json").read_text())


def test_time_left_then_a_question_answered_at_length_is_the_last_question_not_the_closing():
    """"We've got ten minutes left" is closing wording, but a question that is no invitation to ask,
    answered with a whole story, is the last main question; the closing comes after it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({
        "lead": "We've got about ten minutes left, so a quicker one. You and a chef disagree on a new recipe.",
        "question": "What happens?",
        "sentences": [
            ["S", "Last spring our head chef wanted to swap the butter in our croissants for a cheaper blend."],
            ["T", "I had to keep the cost down without customers noticing a worse pastry."],
            ["A", "I asked him to bake both versions for a week and I put them side by side in two shops."],
            ["A", "I counted what sold and asked the counter staff to note every comment about the taste."],
            ["R", "The cheaper blend sold just as well, so we switched and saved four hundred pounds a month."]]})
    iv["turns"].append({"closing": [["I", "Great, that's all from me. Any questions for me?"],
                                    ["C", "No, I think you've covered everything, thank you."]]})
    units, _truth, exchanges = _laid_out(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 3 and asked[2].endswith("a new recipe. What happens?"), asked
    assert any(u.text.startswith("Last spring our head chef") for u in exchanges[2].answer)
    assert [u.role for u in units[-2:]] == ["closing", "closing"], [(u.text, u.role) for u in units[-2:]]


def test_one_voice_a_question_back_checking_what_was_meant_is_the_candidates():
    """Read by one voice: after the interviewer's question (a request for a story or not), a short
    question back checking what was meant, and a second one going on checking, are the candidate's,
    and the answer starts with them; the interviewer's praise and move on before the next question
    are the interviewer's."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"][:0] = [["S", "When you say a supplier, do you mean for ingredients?"],
                                       ["S", "Or maybe the packaging side?"]]
    iv["turns"][2]["lead"] = "Thanks, that's really clear. Let's talk about people for a minute."
    iv["turns"][2]["question"] = "What about a hard conversation with your own team?"
    iv["turns"][2]["sentences"][:0] = [["S", "Do you mean someone who reported to me?"]]
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    assert who["When you say a supplier, do you mean for ingredients?"] == "candidate", who
    assert who["Or maybe the packaging side?"] == "candidate", who
    assert who["Do you mean someone who reported to me?"] == "candidate", who
    assert who["Thanks, that's really clear."] == who["Let's talk about people for a minute."] == "interviewer", who
    assert [ex.answer[0].text for ex in exchanges] == ["When you say a supplier, do you mean for ingredients?",
                                                       "Do you mean someone who reported to me?"]


def test_one_voice_a_sentence_going_on_in_lower_case_is_the_candidates():
    """Read by one voice: Whisper cut the candidate's sentence and wrote its rest in lower case
    with no gap between the words ("... the person who could open the stock room that weekend" /
    "was the caretaker, ..."). The piece opens like a yes/no question ("was the ..."), but it is
    the candidate's sentence going on: no question of the interviewer's, so no follow-up is found
    there (blind33 iwi_01). After a longer gap the same piece may be the interviewer's question
    that lost its capital (blind38 iwn_05), and is left as it is."""
    from rehearse.interview.turns import _no_openings_mid_sentence, _turns_by_wording

    iv = json.loads(json.dumps(INTERVIEW))
    piece = "was the caretaker, and he was away, so it fell to me."
    iv["turns"][1]["sentences"][1:2] = [["T", "The only person who could open the stock room that weekend"], ["T", piece]]
    cfg = rubric.load("interview")
    for gap, speaker in ((0.0, "candidate"), (0.7, "interviewer")):
        units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
        k = next(i for i, u in enumerate(units) if u.text == piece)
        shift = units[k].start_s - units[k - 1].end_s - gap
        for u in units[k:]:
            u.words = [w.model_copy(update={"start_s": w.start_s - shift, "end_s": w.end_s - shift}) for w in u.words]
        _no_openings_mid_sentence(units, cfg["cues"], cfg["structure"]["listener"], cfg["units"]["short_gap_s"])
        _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
        assert units[k].speaker == speaker, (gap, units[k].speaker)
        if gap == 0.0:
            exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
            assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
            assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [
                "Sorry, who agreed to that contract?", "Any surprises on the invoices afterwards?"]


def test_one_voice_follow_ups_whose_question_mark_whisper_dropped_are_the_interviewers():
    """Read by one voice, with the question marks lost as Whisper often loses them: follow-ups
    asked in question grammar (the verb before its subject, a "why" with no "I" after it, a lone
    "and if" clause, a "by how much" tail) are the interviewer's and stay in the answer; the
    candidate's own sentences around them stay the candidate's."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [
        {"after": 1, "question": "Sorry, why ring round yourself rather than ask purchasing.",
         "sentences": [["A", "Purchasing was me, there was nobody else to ask that week."]]},
        {"after": 3, "question": "Did the new supplier cost more.",
         "sentences": [["R", "A little, about four percent, which I agreed for three months only."]]},
        {"after": "end", "question": "And if none of them could match the box sizes.",
         "sentences": [["R", "I had a plan to use plain boxes with a printed sleeve."]]}]
    iv["turns"][2]["followups"] = [{"after": 0, "question": "Ordering more by how much",
                                    "sentences": [["S", "About a third more than the store could hold."]]}]
    units, truth, true_speaker, exchanges = _read_by_one_voice(iv)
    wrong = [(u.text, u.speaker) for u, (role, _) in zip(units, truth)
             if role in ("followup", "reply") and u.speaker != true_speaker[u.text]]
    assert not wrong, wrong
    asked = [[" ".join(u.text for u in q) for q, _ in ex.followups] for ex in exchanges]
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert asked[0] == ["Sorry, why ring round yourself rather than ask purchasing.", "Did the new supplier cost more.",
                        "And if none of them could match the box sizes."], asked
    assert asked[1] == ["Ordering more by how much"], asked


def test_a_chat_question_between_answers_and_a_closing_in_other_words_are_no_answers():
    """"Would you like a coffee before we carry on?" answered in a few words, between two answers,
    is small talk, not a new answer (the turn model alone gives it 0.74); "Okay, that's my three.
    Anything on your mind for me." is the closing, and the candidate's reply to it no answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].insert(2, {"smalltalk": [
        ["I", "Excellent. Would you like a coffee before we carry on?"],
        ["C", "I'm fine, thank you. I had one downstairs while I waited, and the new cafe there looks lovely."],
        ["I", "It does, doesn't it? It took eight months to build and we stayed open the whole time."]]})
    iv["turns"].append({"closing": [
        ["I", "Cool. Okay, that's my three. Anything on your mind for me."],
        ["C", "Honestly, no, the recruiter covered most of it already. I'm just keen to hear back."],
        ["I", "Totally fair. You'll get an email from us in a few days."]]})
    units, _truth, exchanges = _laid_out(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "toughest conversation" in asked[1], asked
    role = {u.text: u.role for u in units}
    assert role["Would you like a coffee before we carry on?"] == "smalltalk", role
    assert role["I'm fine, thank you."] == "smalltalk", role
    assert role["Okay, that's my three."] == role["Honestly, no, the recruiter covered most of it already."] == "closing", role
    assert not any(u.text.startswith("I had one downstairs") for ex in exchanges for u in ex.answer)


def test_one_voice_a_scenario_put_to_the_listener_is_the_interviewers_question():
    """Read by one voice: "Say a buyer keeps over-ordering." opens the interviewer's question (a
    scenario put to the listener), "That's impressive, honestly." before it is the interviewer's
    praise, and "some suppliers ask ..." in the candidate's story is no invitation to ask questions."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"][3:3] = [["A", "I paid a deposit up front, because some suppliers ask for one in a rush."]]
    iv["turns"][2]["lead"] = "That's impressive, honestly."
    iv["turns"][2]["question"] = "Say a buyer on your team keeps ordering far too much. What do you do?"
    iv["turns"][2]["sentences"][:1] = [["S", "That happened last winter with one of my buyers and our flour orders."]]
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    assert who["Say a buyer on your team keeps ordering far too much."] == "interviewer", who
    assert who["That's impressive, honestly."] == "interviewer", who
    assert who["I paid a deposit up front, because some suppliers ask for one in a rush."] == "candidate", who
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "Say a buyer" in asked[1], asked
    assert exchanges[1].answer[0].text.startswith("That happened last winter"), exchanges[1].answer[0].text


def test_one_voice_praise_a_named_topic_and_a_request_without_you_are_the_interviewers():
    """Read by one voice: praise in any words ("Nice. That's a tidy example."), a topic named after
    thanks ("Thank you. Awkward conversations."), and a request for a story that never says "you"
    ("Think back to a hard talk with a buyer.") are the interviewer's, so the answer before them
    ends where the candidate stopped; a short probe ending on its question word ("Ordered how.")
    is a follow-up inside the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 1, "question": "Ordered how.",
                                    "sentences": [["A", "By phone first, then I confirmed each order by email the same day."]]}]
    iv["turns"][2]["lead"] = "Nice. That's a tidy example. Thank you. Awkward conversations."
    iv["turns"][2]["question"] = "Think back to a hard talk with a buyer on the team."
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    for text in ("Nice.", "That's a tidy example.", "Thank you.", "Awkward conversations.",
                 "Think back to a hard talk with a buyer on the team.", "Ordered how."):
        assert who[text] == "interviewer", (text, who)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "Think back" in asked[1], asked
    assert exchanges[0].answer[-1].text.startswith("We never ran out of boxes"), exchanges[0].answer[-1].text
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == ["Ordered how."]


def test_water_offered_inside_an_answer_is_small_talk_and_a_why_dont_you_request_is_a_question():
    """Two voices: "Would you like some water before we carry on?" after an answer, and the
    interviewer's "Here you go." after the reply, are small talk that neither reopens the answer
    nor becomes a follow-up; "Why don't you start with ..." asks for the next story; "That's all
    I need today." is the closing."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].insert(2, {"smalltalk": [
        ["I", "Would you like some water before we carry on?"],
        ["C", "Oh, yes please, my mouth has gone a bit dry."],
        ["I", "Here you go."],
        ["C", "Thank you."]]})
    iv["turns"][3]["lead"] = "Okay."
    iv["turns"][3]["question"] = "Why don't you start with a conversation with your own team that went badly."
    iv["turns"].append({"closing": [["I", "Thanks. That's all I need today."], ["C", "Thank you for your time."]]})
    units, _truth, exchanges = _laid_out(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "Why don't you start" in asked[1], asked
    role = {u.text: u.role for u in units}
    for text in ("Would you like some water before we carry on?", "Here you go."):
        assert role[text] == "smalltalk", (text, role)
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [
        "Sorry, who agreed to that contract?", "Any surprises on the invoices afterwards?"]
    assert exchanges[0].answer[-1].text.startswith("One, a delivery charge"), exchanges[0].answer[-1].text
    assert role["That's all I need today."] == "closing", role


# Written for this test: a terse interviewer (a few words per question) and a candidate who talks
# most of the time.
TERSE = {
    "id": "tm_terse",
    "turns": [
        {"smalltalk": [
            ["I", "Morning. Take a seat. There's water on the side and we'll keep this short and practical."],
            ["C", "Morning. Thanks for having me, I've been looking forward to this since the advert went up."]]},
        {"question": "Worst delivery week. Go.",
         "sentences": [
             ["S", "The worst one was the week before Christmas, when two of our five vans failed their inspection on the Monday."],
             ["S", "We had over four hundred orders booked for that week, most of them hampers that could not arrive late."],
             ["T", "I ran the dispatch desk, so the routes and who got told what were all my call."],
             ["A", "I hired two vans from a local firm that afternoon and paired each new driver with one of ours for the first day."],
             ["A", "I split the routes so the hired vans took the short town runs and our own drivers kept the long rural ones."],
             ["A", "I also rang every customer on the rural routes to give them a two hour window instead of a whole day."],
             ["R", "We delivered all but three orders on time, and those three went out the next morning with a refund of the postage."]],
         "followups": [
             {"after": 3, "question": "Two hours.",
              "sentences": [["A", "Two hours, because a whole day meant people stayed in and then rang us angry at four."]]}]},
        {"lead": "Great, let's crack on.",
         "question": "Picture the day someone on your own team pushed back hardest. What happened?",
         "sentences": [
             ["S", "Last spring our longest serving driver refused to use the new route planner on his tablet."],
             ["T", "I had brought the planner in, so getting him on board was down to me."],
             ["A", "I rode along with him for a morning and let him show me the shortcuts he knew by heart."],
             ["A", "Then I added his shortcuts to the planner, so it learned from him instead of overruling him."],
             ["R", "He used it from the next week, and his route times dropped by a fifth."]]},
    ],
}


def test_a_remark_answered_with_chat_is_small_talk_and_the_question_keeps_its_scenario():
    """Two voices, a terse interviewer: an opening remark the candidate answers with a few words of
    chat ("Thanks for having me.") is small talk, so "Worst delivery week. Go." is the first
    question; the reported question keeps the scenario set up before the sentence that asks
    ("Picture ... What happened?") and leaves out the move to it ("Great, let's crack on.")."""
    from rehearse.interview.turns import _asked

    units, _truth, exchanges = _laid_out(TERSE)
    cfg = rubric.load("interview")
    asked = [_asked(ex.question, cfg["cues"]["min_question_score"], cfg["structure"]) for ex in exchanges]
    assert " ".join(u.text for u in exchanges[0].question) == "Worst delivery week. Go."
    assert asked[1] == "Picture the day someone on your own team pushed back hardest. What happened?", asked
    role = {u.text: u.role for u in units}
    assert role["There's water on the side and we'll keep this short and practical."] == "smalltalk", role
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == ["Two hours."]


def test_asking_for_the_candidates_own_part_in_a_we_story_is_follow_up_wording():
    """"You keep saying we. What's your part?" drills into the story told (follow-up wording), here
    as Whisper wrote it in blind16 ivq_04 ("we" lost, a word repeated), where the turn model took it
    for a new main question (0.68); so do "And your bit?" and "What did you personally change?".
    A request for a new story that names a role ("Tell me about your role in a launch.") gets
    none of it."""
    from rehearse.interview.structure import _followup

    cfg = rubric.load("interview")["structure"]
    for asked, drill in (("you keep saying what's what's your part?", "you keep saying"), ("and your bit?", "your bit"),
                         ("what did you personally change?", "you personally")):
        assert drill in _followup(asked, cfg)[1], (asked, _followup(asked, cfg))
    assert _followup("tell me about your role in a launch.", cfg)[1] == []


def test_one_voice_a_parking_question_is_chat_and_start_with_a_case_is_the_first_question():
    """One voice reading both parts: "Did you manage to park?" after the greeting is small talk,
    not the first question, and "Start with a case that didn't go to plan." (a request that never
    says "you") is the interviewer's first question, not the opening of the candidate's story."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [
        ["I", "Hello, thanks for coming in. Did you manage to park?"],
        ["C", "Half the car park is shut, but I came on the bus, so no drama."]]}
    del iv["turns"][1]["lead"]
    iv["turns"][1]["question"] = "Start with a case that didn't go to plan."
    units, _truth, _speaker, exchanges = _read_by_one_voice(iv)
    role = {u.text: u.role for u in units}
    assert role["Did you manage to park?"] == "smalltalk", role
    assert " ".join(u.text for u in exchanges[0].question).endswith("Start with a case that didn't go to plan."), \
        [" ".join(u.text for u in ex.question) for ex in exchanges]


def test_a_reply_that_goes_on_the_same_story_reads_as_one_story_with_the_answer():
    """The STAR model's order: an answer cut off before its result, then talk that carries the action
    on to a result, reads better as one story than as two; a new story after a finished answer does
    not (written for this test)."""
    from types import SimpleNamespace

    from rehearse.interview import turn_model

    def units(*texts: str) -> list:  # the candidate's sentences, timed by their words
        out, t = [], 0.0
        for text in texts:
            d = len(text.split()) / 2.5
            out.append(SimpleNamespace(text=text, start_s=t, end_s=t + d))
            t += d + 0.4
        return out

    cut_off = units("Two years ago we were restoring a set of old harbour charts for a loan to another museum.",
                    "My job was to flatten and repair them before they shipped in six weeks.",
                    "I humidified the first chart the usual way and one of the inks began to run.")
    goes_on = units("The same afternoon, with photographs, before anyone else told her.",
                    "Then I stopped work and tested every ink on the other charts, not just a sample.",
                    "I switched the rest to a drier method that the ink could take.",
                    "The damage was tiny and the loan still went out on the agreed date.")
    finished = cut_off + units(
        "I stopped, tested every ink on the other charts and switched the rest to a drier method.",
        "The damage was tiny, the loan went out on the agreed date, and I now test every ink first.")
    new_story = units("Last spring I had an exhibition to install and two condition reports due the same week.",
                      "I had to decide what could slip without letting the lender down.",
                      "I asked the registrar which deadline was real and handed the training to a colleague.",
                      "Everything was done on time and the volunteers rated the session highly.")
    together = turn_model.one_story(goes_on, cut_off)
    apart = turn_model.one_story(new_story, finished)
    assert together > 0 > apart, (together, apart)
    assert turn_model.one_story([], cut_off) == 0.0


def test_one_voice_an_interested_to_hear_request_cut_in_two_and_an_okay_thats_me_are_the_interviewers():
    """Read by one voice: Whisper can cut "I'd be interested to hear about a time you ..." in two
    at "a time." (blind20 ivv_07), and "Okay, that's me." ends the questions before the invitation to
    ask (ivv_05): both are the interviewer's, in no answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Thanks. I'd be interested to hear about a time."
    iv["turns"][2]["question"] = "You had to tell someone on your own team a hard truth."
    iv["turns"].append({"closing": [["I", "Okay, that's me."], ["I", "What questions have you got?"],
                                    ["C", "How many shops does the bakery run?"], ["I", "Eleven, and two more next year."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "interested to hear about a time" in asked[1], asked
    told = [u.text for ex in exchanges for u in ex.answer + [r for _, reply in ex.followups for r in reply]]
    assert not any("interested" in t or "that's me" in t for t in told), told
    assert next(u for u in units if u.text == "Okay, that's me.").role == "closing"


def test_over_to_you_if_you_have_any_opens_the_closing():
    """"Over to you, if you have any." invites the candidate's questions although it never says
    "questions" (blind21 ivw_04, where Whisper wrote the line before as "Okay, where's my
    questions?"): the candidate's question after it is reported apart, not as a reply in the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "Okay, where's my questions?"], ["I", "Over to you, if you have any."],
                                    ["C", "What does the on-call rota look like for buyers here?"],
                                    ["I", "One week in six, and never on your own."]]})
    units, _truth, exchanges = _laid_out(iv)
    asking = next(u for u in units if u.text.startswith("What does the on-call rota"))
    assert asking.role == "candidate_question", [(u.text, u.role) for u in units[-4:]]
    assert not any(asking in reply for ex in exchanges for _, reply in ex.followups)


def test_chat_inside_an_answer_after_which_the_story_goes_on_is_a_follow_up():
    """"Sorry, you cut out for a second there." is chat wording, but said inside an answer and
    followed by half a minute more of the same story it is a follow-up (blind22 ivx_08): the story's
    rest stays in the answer instead of becoming small talk between questions."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": "Sorry, you cut out for a second there. Did you say overnight?",
                                    "sentences": [
        ["A", "Yes, overnight, and I asked each of them to send the boxes in our exact sizes so we could test them on the line."],
        ["A", "The next morning I ran all three through the packing machine with the shift lead watching."],
        ["A", "Two of them jammed the folder within ten minutes, so I dropped those and rang the third one back."],
        ["A", "I agreed a three month contract with a price cap, inside the limit my manager had signed off."]]}]
    units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2
    (followup, reply), = exchanges[0].followups
    assert "cut out" in " ".join(u.text for u in followup)
    assert any(u.text.startswith("Two of them jammed") for u in reply)
    assert not any(u.role == "smalltalk" and u.text.startswith("The next morning") for u in units)


def test_a_terse_thanks_questions_after_the_last_answer_opens_the_closing():
    """"Thanks. Questions?" from a terse interviewer (blind22 ivx_09): the bare "Questions?" is an
    invitation after a sentence as well as at the start of a turn, so the candidate's questions after
    it are reported apart, not as replies in the last answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "Thanks. Questions?"], ["C", "Yes, a couple, if that's okay."],
                                    ["C", "How many shops does the bakery supply each morning?"], ["I", "Eleven."]]})
    units, _truth, _exchanges = _laid_out(iv)
    asking = next(u for u in units if u.text.startswith("How many shops"))
    assert asking.role == "candidate_question", [(u.text, u.role) for u in units[-5:]]
    assert next(u for u in units if u.text == "Thanks. Questions?" or u.text == "Questions?").role == "closing"


def test_a_terse_questions_whisper_was_unsure_of_with_the_candidates_yes_still_opens_the_closing():
    """Blind46 iwv_10 (terse interviewer): "Questions?" heard as "Question." at a low word
    probability, with the candidate's "Yes" given to the same turn: the sentence is the closing's
    wording however unsure Whisper was (not a listener's sound) and the wording fills its own
    sentence of the turn, so the candidate's questions after it are reported apart."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "Question. Yes"], ["C", "a couple, if that's okay."],
                                    ["C", "How many shops does the bakery supply each morning?"], ["I", "Eleven."]]})
    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    for u in units:
        if u.text in ("Question.", "Yes"):
            u.words = [w.model_copy(update={"probability": 0.3}) for w in u.words]
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    asking = next(u for u in units if u.text.startswith("How many shops"))
    assert asking.role == "candidate_question", [(u.text, u.role, u.why) for u in units[-5:]]
    assert next(u for u in units if u.text == "Question.").role == "closing"
    assert asking not in exchanges[-1].answer


@pytest.mark.parametrize("closing, after", [
    # blind22 ivx_02: no invitation to ask, only the interviewer winding up
    ([["I", "Okay, I think I've heard what I needed to hear."],
      ["I", "I'll talk it over with my partner and give you a ring on Monday."],
      ["C", "Great, thanks for seeing me."]], None),
    # blind22 ivx_05: "that's what I had" and an invitation without "questions"
    ([["I", "Alright, that's what I had."], ["I", "Anything on your side?"],
      ["C", "Do the buyers get a say in which suppliers they handle?"], ["I", "Some, yes."]], "Do the buyers"),
])
def test_one_voice_closings_in_other_words_end_the_last_answer(closing, after):
    """Read by one voice, a closing worded without "questions" ends the last answer: none of its
    lines is in an answer, and the candidate's own question after it is reported apart."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": closing})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    told = [u.text for ex in exchanges for u in ex.answer + [r for _, reply in ex.followups for r in reply]]
    assert not any(text in told for _, text in closing), told[-3:]
    if after:
        assert next(u for u in units if u.text.startswith(after)).role == "candidate_question"


def test_an_invitation_whose_own_sentence_ends_in_a_question_mark_opens_the_closing():
    """"Is there anything you want to ask before I let you go?" (blind23 ivy_02): the words after the
    closing wording run on in its own clause, so its question mark asks for the candidate's questions,
    not for another story; a long question of the candidate's after it does not make it a follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "That's great, and sorry again for rushing you. Is there anything you want to ask before I let you go?"],
        ["C", ("Just one, really. I read that the bakery started supplying two hotels last year, and that the night "
               "shift grew from four people to seven to cope with it, and that most of the new bakers came "
               "through the apprenticeship, which is partly why I applied. Does that mean the apprentices work "
               "nights from the start, or do they begin on days with a mentor?")],
        ["I", "They start on days for three months with a mentor, then move to nights."]]})
    units, _truth, exchanges = _laid_out(iv)
    invitation = next(u for u in units if u.text.startswith("Is there anything"))
    assert invitation.role == "closing", [(u.text[:40], u.role) for u in units[-5:]]
    told = [u.text for ex in exchanges for u in ex.answer + [r for _, reply in ex.followups for r in reply]]
    assert not any(t.startswith(("Just one", "Does that mean")) for t in told), told[-3:]


def test_one_voice_no_problem_asks_for_no_story_and_how_much_asks_in_the_closing():
    """Read by one voice (blind23 ivy_10, ivy_02): "No problem." and "That's not a problem." name no
    kind of story wanted, so a candidate's "no problem" late in the closing does not push the closing
    past the candidate's questions; and "How much ..." without a question mark is the candidate
    asking, so the interviewer's reply after it is the interviewer's."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "Anything you want to ask me?"],
        ["CQ", "Yeah. How much of the baking is done overnight."],
        ["I", "Nearly all of it, the shops open at seven."],
        ["C", "No problem."],
        ["I", "We'll call you on Friday."]]})
    units, _truth, _true_speaker, _exchanges = _read_by_one_voice(iv)
    asked = next(u for u in units if u.text.startswith("How much of the baking"))
    assert asked.speaker == "candidate" and asked.role == "candidate_question", (asked.speaker, asked.role)
    reply = next(u for u in units if u.text.startswith("Nearly all of it"))
    assert reply.speaker == "interviewer", [(u.text, u.speaker) for u in units[-5:]]


# the rest of the first story, told after a question that cut into it: a minute more of the candidate
REST_OF_THE_STORY = [
    ["A", "Then I sat with the packing team for two nights to check the new boxes fitted the trays."],
    ["A", "I also wrote to our three biggest customers to warn them the boxes would look different for a while."],
    ["A", "When one box split on the line, I stopped that batch and sent it back the same morning."],
    ["R", "We kept every order going that season, and two customers said the new boxes were better."],
    ["R", "I still keep a second supplier on a small contract so we are never caught out like that again."]]


def _assert_one_follow_up_then_the_story(asked: str, after: int, reply: str) -> None:
    """`asked` after sentence `after` of the first answer, the reply and a minute more of the story:
    two main questions, and `asked` is the first answer's follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": after, "question": asked, "sentences": [["A", reply], *REST_OF_THE_STORY]}]
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert next(" ".join(u.text for u in q) for q, _ in exchanges[0].followups) == asked


@pytest.mark.parametrize("cut_in", [
    "Sorry, can I stop you there? When you say we, what were you doing yourself?",
    "Hang on, your own manager told you to skip the check?",
    "Wait, you let the new starters run the ovens on their own? How did you manage that?",
])
def test_a_question_that_cuts_into_the_answer_is_a_follow_up_however_long_the_story_goes_on(cut_in):
    """A turn that cuts into an answer to ask about it (blind23 ivy_01, ivy_03, ivy_08) is a
    follow-up even when the candidate answers it and then tells the rest of the story for a minute:
    the answer is not split in two."""
    _assert_one_follow_up_then_the_story(cut_in, 2, "Fair question. I was the one who rang the suppliers and picked which samples to test first.")


def test_a_cut_in_that_asks_for_a_new_story_is_still_a_main_question():
    """"Hang on, before we run out of time: tell me about a time you missed a deadline." cuts in, but
    asks for a new story: a main question."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Hang on, before we run out of time."
    iv["turns"][2]["question"] = "Tell me about a time you missed a deadline."
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]


def test_one_voice_a_told_question_is_the_candidates_and_the_first_thing_i_want_to_hear_asks():
    """Read by one voice (blind23 ivy_02, ivy_10): a sentence told in the first person whose question
    mark only closes a tag ("..., you know?") or a question the candidate quotes ("and just said, can
    I show you the gasket?") is the candidate's story going on, not a question; "The first thing I
    want to hear about is a job where you ..." is the interviewer asking for a story."""
    iv = json.loads(json.dumps(INTERVIEW))
    first = iv["turns"][1]
    first["lead"] = "Good, let's begin."
    first["question"] = "The first thing I want to hear about is a time a supplier let you down badly."
    first["sentences"][3][1] = "I went over to the warehouse and just said, can we sort this out today?"
    first["sentences"][4][1] = "We never ran out of boxes, and the new supplier is still with us, you know?"
    first["followups"] = []
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "The first thing I want to hear about" in asked[0], asked
    for text in ("I went over to the warehouse", "We never ran out of boxes"):
        told = next(u for u in units if u.text.startswith(text))
        assert told.speaker == "candidate" and told in exchanges[0].answer, (told.text, told.speaker, told.role)


@pytest.mark.parametrize("thanks", ["Thanks, Callum.", "Cheers Jake, that's all good."])
def test_one_voice_thanks_with_a_name_before_the_closing_is_the_interviewers(thanks):
    """Read by one voice (blind23 ivy_08, ivy_10): the interviewer's thanks with the candidate's name
    just before the invitation to ask is the interviewer's lead-in, so the last answer ends before it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", thanks], ["I", "Have you got any questions for me?"],
                                    ["CQ", "How many bakers work the night shift?"], ["I", "Six, and a supervisor."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == thanks)
    assert said.speaker == "interviewer" and said not in exchanges[-1].answer, (said.speaker, said.role)


@pytest.mark.parametrize("asked", ["Oh no. Did you have to tell the owner?", "Did you tell your manager?"])
@pytest.mark.parametrize("after", [0, 1])
def test_a_question_early_in_an_answer_is_a_follow_up_however_long_the_story_goes_on(asked, after):
    """A new main question comes after an answer: a question with no request for a story asked in
    the first seconds of one (blind17 ivs_05: "Oh no. Did you have to tell the curator?") is about
    the story just begun, even when the candidate then tells the rest of it at length."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": after, "question": asked, "sentences": [
        ["A", "Not straight away. I rang three other suppliers that afternoon and got samples sent overnight to the bakery."],
        ["A", "Then I sat with the packing team for two nights to check the new boxes fitted the trays."],
        ["A", "I also wrote to our three biggest customers to warn them the boxes would look different for a while."],
        ["A", "When one box split on the line, I stopped that batch and sent it back the same morning."]]}]
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked]


@pytest.mark.parametrize("story", [
    "When I did the smoke test after sweeping, smoke was coming out through the bedroom wall above, through a crack in the chimney.",
    "An A320 came in 25 minutes late from Malaga on a 40 minute turn."])
def test_one_voice_a_statement_early_in_the_answer_is_the_candidates_story(story):
    """Read by one voice (blind22 ivx_01, blind23 ivy_10): a sentence of the candidate's story that the
    speaker wording model gives the interviewer, said a few seconds into the answer with no question
    and no follow-up wording, is the candidate's: the answer goes on through it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = []
    iv["turns"][1]["sentences"].insert(1, ["S", story])
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == story)
    assert said.speaker == "candidate" and said in exchanges[0].answer, (said.speaker, said.role, said.why)
    assert not exchanges[0].followups and len(exchanges) == 2


@pytest.mark.parametrize("asked", ["I'm curious what the manager said about it afterwards.", "I'd like to know how the owner took it."])
def test_one_voice_a_request_to_hear_more_of_the_story_is_a_follow_up(asked):
    """Read by one voice (blind23 ivy_08): "I'm curious what the grumblers said about it afterwards."
    at the end of an answer asks about the story told, with no "you" in it: the interviewer's
    follow-up, and the candidate's reply stays in the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": "end", "question": asked, "sentences": [
        ["R", "He came back the next week and said the new boxes were better than the old ones."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer", (said.role, said.why)
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked] and len(exchanges) == 2


def test_a_question_whisper_cut_is_answered_even_when_the_answer_ends_with_a_sign_off():
    """Blind24 ivz_07: Whisper gave the candidate's "Is" to the interviewer's invitation, so the
    candidate's question reads "the role on a rotating shift pattern."; the interviewer answers it
    and signs off in the same turn ("I'll email you about next steps."): it is still a question the
    interviewer answered."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "That's everything I need. Do you have any questions for me?"],
                                    ["CQ", "The night shifts on a rotating pattern."],
                                    ["I", "Yes, four on and four off, every other month."],
                                    ["I", "I'll email you about next steps."]]})
    units, _truth, _exchanges = _laid_out(iv)
    asked = next(u for u in units if u.text == "The night shifts on a rotating pattern.")
    assert asked.role == "candidate_question", (asked.role, asked.why)


@pytest.mark.parametrize("remark", ["Okay, that's helpful. Sounds like a busy summer.", "Right. That sounds really stressful."])
def test_one_voice_a_remark_on_the_story_before_the_next_question_is_the_interviewers(remark):
    """Read by one voice (blind22 ivx_01: "Okay, that's helpful." "Sounds like a busy summer."): a
    short remark on the story just told, right before the next question, is the interviewer's lead-in,
    so the answer ends before it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = remark
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = [u for u in units if u.text in remark]
    assert said and all(u.speaker == "interviewer" for u in said), [(u.text, u.speaker, u.why) for u in said]
    assert not any(u in exchanges[0].answer or any(u in r for _, r in exchanges[0].followups) for u in said)


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_reflection_on_the_story_is_a_follow_up_mid_answer_and_at_its_end(one_voice):
    """Blind25 iwa_04, iwa_06, iwa_08: an interviewer reacting to the story without asking ("That
    must have been a tricky phone call to make.", "Sounds like the band trusted you more after that.")
    is a follow-up: no new answer starts, and the reply stays in the answer, not in small talk."""
    iv = json.loads(json.dumps(INTERVIEW))
    mid, end = "That must have been an awkward call to make.", "Sounds like the new supplier trusted you more after that."
    iv["turns"][1]["followups"] = [
        {"after": 2, "question": mid, "sentences": [["A", "It was, so I wrote down what I would say before I rang them."]]},
        {"after": "end", "question": end, "sentences": [["R", "They did, they gave us first refusal on their new boxes."]]}]
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [mid, end]
    reply = next(u for u in units if u.text.startswith("They did, they gave us"))
    assert reply.role == "reply", (reply.role, reply.why)


def test_a_request_to_hear_how_the_story_ended_is_a_follow_up():
    """Blind25 iwa_03: "I'd love to hear how the couple took the delay." asks about the story told
    (follow-up wording, no new-story wording); "I'd love to hear about a time ..." asks for a new one."""
    from rehearse.interview.structure import _followup, _score

    cfg = rubric.load("interview")["structure"]
    asked = "I'd love to hear how your customers took the new boxes."
    assert _score(asked.lower(), cfg["new_story"])[0] == 0 and _followup(asked.lower(), cfg)[0] > 0
    new = "I'd love to hear about a time you had to let a customer down."
    assert _score(new.lower(), cfg["new_story"])[0] > _followup(new.lower(), cfg)[0]
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": "end", "question": asked, "sentences": [
        ["R", "Most of them never noticed, and the two who did liked the thicker card."]]}]
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2 and [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked]


@pytest.mark.parametrize("closing", ["Great, that's my lot.", "Thank you, that's all of my questions.",
                                     "That's about all from me.", "Okay, that's pretty much everything from me.",
                                     "Great, I think that's everything.", "That'll do me, I think.",
                                     "Right, that's the main things covered.", "Okay, that's pretty much it.",
                                     "That's the formal part over."])
def test_one_voice_thats_my_lot_opens_the_closing(closing):
    """Blind25 iwa_05 and iwa_03: "That's my lot." and "That's all of my questions." end the last
    answer: they are the interviewer's, in the closing; so do blind36 iwl_01's "That's about all
    from me." and blind38 iwn_03's "Great, I think that's everything." (the last answers ran 2-3 s
    into them); the candidate's "I think that's everything we changed." is not closing wording."""
    assert not re.search(rubric.load("interview")["structure"]["closing"], "i think that's everything we changed.")
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", closing], ["I", "Have you got anything for me?"],
                                    ["CQ", "What does a normal week look like?"], ["I", "Mostly planning, some site work."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == closing)
    assert said.speaker == "interviewer" and said.role == "closing", (said.speaker, said.role, said.why)
    assert said not in exchanges[-1].answer


def test_one_voice_hang_on_how_hot_was_it_is_the_interviewers_follow_up():
    """Blind25 iwa_02: "Hang on, how hot was the metal at that point." (Whisper wrote no "?"): a
    question however it is punctuated, the interviewer's, a follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "Hang on, how late was the delivery at that point."
    iv["turns"][1]["followups"] = [{"after": 1, "question": asked, "sentences": [["A", "About two days, so I had to move fast."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer", (said.role, said.why)
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked] and len(exchanges) == 2


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_greeting_and_have_a_seat_answered_with_chat_is_no_question(one_voice):
    """Blind24 ivz_10 (terse interviewer): "Morning. Have a seat. Thank you." ("Thank you." the
    candidate's, placed with the interviewer by voice) answered with a few words of chat is small
    talk, and the terse question after it opens the first answer, alone."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [["I", "Morning. Have a seat. Thank you."],
                                    ["C", "Good morning. It's a lovely building, I've walked past it for years."]]}
    iv["turns"][1]["lead"] = ""
    iv["turns"][1]["question"] = "A supplier that let you down."
    iv["turns"][1]["followups"] = []
    iv["turns"][1]["sentences"] += [
        ["A", "I also called our two biggest customers that evening to warn them the boxes might look different for a few weeks."],
        ["A", "Then I sat with the packing team for two nights to check the new boxes fitted the trays."],
        ["A", "When one box split on the line, I stopped that batch and sent it back the same morning."],
        ["R", "By the end of the month the new boxes were running at the same speed as the old ones."],
        ["R", "I learnt to keep a second supplier warm, and we still order a small amount from them every quarter."]]
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    greeting = [u for u in units if u.text in ("Morning.", "Have a seat.", "Thank you.")]
    assert len(greeting) == 3 and all(u.role == "smalltalk" for u in greeting), [(u.text, u.role, u.why) for u in greeting]
    assert " ".join(u.text for u in exchanges[0].question) == "A supplier that let you down."


@pytest.mark.parametrize("asked", ["Sorry, what's the difference between a box and a crate?", "Sorry, who signed that off?"])
def test_an_apology_and_a_question_inside_an_answer_is_a_follow_up_however_long_the_story_goes_on(asked):
    """Blind26 iwb_02 (two voices): "Sorry, what's the difference between a close nail and a prick?"
    half-way through an answer cuts in to ask about the story: a follow-up, and the long rest of the
    answer stays in it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": "end", "question": asked, "sentences": [
        ["A", "A box is folded card and a crate is timber, and we only ever used the card ones for bread."],
        ["A", "Then I sat with the packing team for two nights to check the new boxes fitted the trays."],
        ["A", "I also wrote to our three biggest customers to warn them the boxes would look different for a while."],
        ["A", "When one box split on the line, I stopped that batch and sent it back the same morning."],
        ["R", "By the end of the month the new boxes were running as fast as the old ones."]]}]
    import re

    assert re.match(rubric.load("interview")["structure"]["interrupts"], asked.lower())  # it cuts in
    assert not re.match(rubric.load("interview")["structure"]["interrupts"], "sorry, you broke up there.")
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked]


# Written for this test: a last answer of some length, a remark on it at its end, answered with more
# of the story, then the closing in words of its own.
LONG_LAST = [
    ["S", "Our depot's vans kept coming back with flat batteries on Monday mornings, four or five a week."],
    ["T", "None of it was my job strictly, I just fitted the racking, but I kept being asked to jump-start them."],
    ["A", "So I started writing down which vans went flat and where they'd been parked over the weekend."],
    ["A", "After a month it was obvious, it was always the ones left on the back row with the tail lift switched on."],
    ["A", "I checked with the electrician and he confirmed the tail lift pump draws a little current even when idle."],
    ["A", "I put a laminated sign on the back row and added an isolator check to the Friday walk round sheet."],
    ["A", "I also showed the drivers how to flip the isolator, because the sign alone wouldn't have done it."],
    ["R", "Flat batteries went from four or five a week to maybe one a month."],
    ["R", "The transport manager put the isolator check into the handbook for the other two depots as well."]]
REMARK = "That's a lot of trouble for something that was never your problem."


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_remark_at_the_end_of_the_last_answer_answered_before_the_closing_is_a_follow_up(one_voice):
    """Blind26 iwb_07: a remark on the last story ("That's a lot of effort for something that wasn't
    your problem."), answered with more of the story, then the closing in its own words: the remark
    is a follow-up and its reply part of the answer, not the start of the closing."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["sentences"] = LONG_LAST
    iv["turns"][2]["followups"] = [{"after": "end", "question": REMARK, "sentences": [
        ["A", "Maybe, but I was getting dragged out there every Monday."],
        ["R", "Fixing it saved me time in the end."]]}]
    iv["turns"].append({"closing": [["I", "That's me finished."], ["I", "Is there anything you want to ask before you go?"],
                                    ["C", "No, I think you've covered everything."], ["I", "Thanks. We'll be in touch by Friday."]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == REMARK)
    assert said.role == "followup", (said.speaker, said.role, said.why)
    assert len(exchanges) == 2 and [" ".join(u.text for u in q) for q, _ in exchanges[-1].followups] == [REMARK]


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_listeners_cry_at_the_story_is_a_follow_up(one_voice):
    """Blind26 iwb_09: "Ouch, a whole week." said mid answer is the interviewer reacting to the
    story: a follow-up, and with one voice the interviewer's; the reply stays in the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    cry = "Ouch, nasty."
    iv["turns"][1]["followups"] = [{"after": 0, "question": cry, "sentences": [
        ["S", "Yes, the worst possible timing, and nobody had warned us it was coming."]]}]
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == cry)
    assert said.speaker == "interviewer" and said.role == "followup", (said.speaker, said.role, said.why)
    assert len(exchanges) == 2 and [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [cry]


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_different_kind_of_question_and_excuse_me_one_second_are_between_answers(one_voice):
    """Blind23 ivy_02 and ivy_06: "Thank you. Different kind of question now." moves to the next
    question, and "Sorry, excuse me one second, someone's at the door." is chat: neither is part of
    the answer before it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": "end", "question": "And did you tell the old supplier's administrators?",
                                    "sentences": [["R", "I did, and they were glad someone had, to be honest."]]}]
    iv["turns"].insert(2, {"smalltalk": [["I", "Sorry."], ["I", "Excuse me one second."], ["I", "Someone's at the door."],
                                         ["C", "No problem at all."],
                                         ["I", "Sorry about that, it was a parcel."]]})
    iv["turns"][3]["lead"] = "Thank you. Different kind of question now."
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    for text in ("Excuse me one second.", "Someone's at the door.", "Thank you.", "Different kind of question now."):
        said = next((u for u in units if u.text == text), None)
        assert said is not None and said not in exchanges[0].answer, (text, said and said.role, said and said.why)
    assert len(exchanges) == 2


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_chat_question_before_the_first_question_answered_at_some_length_is_small_talk(one_voice):
    """Blind27 iwc_01: "Did you find us all right?" answered with 15 s of chat about the way in
    (and the interviewer's quip about it) is small talk, not the first answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [
        ["I", "Morning, come in."], ["I", "Did you find us all right?"],
        ["C", "Yes, I came on the bus and walked up past the market, which took about ten minutes."],
        ["C", "The map on my phone wanted me to go round the back of the car park, though."],
        ["C", "I did wonder when it told me to walk through a loading bay."],
        ["I", "Ha, you're not the first."],
        ["C", "It's a nice building once you're in."]]}
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert "supplier let you down" in " ".join(u.text for u in exchanges[0].question)
    said = next(u for u in units if u.text == "Did you find us all right?")
    assert said.role == "smalltalk", (said.role, said.why)


def test_one_voice_a_short_echo_of_the_candidates_figures_is_the_interviewers_follow_up():
    """Blind27 iwc_05: "Only two in three months." (five words) after "... which had two kills in
    the previous three months." repeats the candidate's figures: the interviewer's follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    echo = "Only two in three summers."
    iv["turns"][1]["sentences"][0] = ["S", "Our packaging supplier had let us down twice in the previous three summers."]
    iv["turns"][1]["followups"] = [{"after": 0, "question": echo, "sentences": [
        ["S", "Yes, and the second time was a week before peak season."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == echo)
    assert said.speaker == "interviewer" and said.role == "followup", (said.speaker, said.role, said.why)
    assert len(exchanges) == 2


def test_one_voice_chat_before_a_question_is_its_lead_in_not_the_question():
    """Blind21 ivw_07 (one voice): "Sorry, can you give me one second? Someone's at the door.
    Right, sorry about that." before "Walk me through ..." is the move to the question: the
    question's own text starts at the request for the story, not at the chat's question mark."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].insert(2, {"smalltalk": [["I", "Sorry."], ["I", "Can you give me one second? Someone's at the door."],
                                         ["I", "Right, sorry about that."], ["C", "No worries."]]})
    iv["turns"][3]["lead"] = ""
    iv["turns"][3]["question"] = "Walk me through the toughest conversation you've had with someone on your own team."
    _units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    asked = [u.text for u in exchanges[1].question if u.role == "question"]
    assert asked == [iv["turns"][3]["question"]], [(u.text, u.role) for u in exchanges[1].question]


@pytest.mark.parametrize("one_voice", [False, True])
@pytest.mark.parametrize("sorry, aside, reply, back", [
    ("Sorry, that's my radio.", "One of the giraffes is being a diva about the new gate.", "No problem at all.",
     "Okay, where was I?"),
    # as Whisper wrote it (blind37 iwm_02)
    ("Sorry that's the dog,", "fly lie down.", "Don't worry, mine's the same when a car comes up the yard.",
     "She'll settle, where were we?"),
    # blind43 iws_03 (one espeak voice): the second answer ran 4.6 s into it
    ("Sorry, one second.", "I just need to tell them to hold the delivery.", "Sure.", "Sorry about that, where were we?"),
    # a noise from next door (blind42 iwr_01, one voice: the first answer ran 7 s into it)
    ("Sorry, that's the big saw next door, they're cutting worktops today.", "It'll stop in a minute.",
     "No, it's fine, honestly.", "Right, where were we?")])
def test_sorry_thats_my_radio_between_questions_is_chat(one_voice, sorry, aside, reply, back):
    """Blind28 iwd_05: "Sorry, that's my radio." after an answer, then a word about the call and
    "Okay, where was I?": chat between the questions, not a follow-up on the story; and so is
    blind37 iwm_02's "Sorry, that's the dog. Fly, lie down!" (one voice: the first answer ran 9 s
    into the chat)."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].insert(2, {"smalltalk": [["I", sorry], ["I", aside], ["C", reply], ["I", back]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next((u for u in units if u.text == sorry), None)
    # the apology is chat wording: on iwm_02's audio (the dog's name heard in its own unit, the
    # turn model not taking it off the story) only the wording ended the answer before it
    assert re.search(rubric.load("interview")["structure"]["chat"], sorry.lower())
    assert said is not None and said.role in ("smalltalk", "lead"), (said and said.role, said and said.why)
    assert said not in exchanges[0].answer
    assert not any(said in question for ex in exchanges for question, _ in ex.followups)
    assert len(exchanges) == 2


@pytest.mark.parametrize("one_voice", [False, True])
@pytest.mark.parametrize("heard", ["Mm-hm.", "Right, right.", "Got it.", "Zeta.", "No, no, no.", "Okay, you",
                                   # blind43 iws_10: Whisper's guesses at a listener's "mm" (0.34-0.37)
                                   "What?", "My what?",
                                   # blind50 iwz_07: "Mm-hm." heard as "And then," (0.36, 0.39)
                                   "And then,"])
def test_a_listeners_backchannel_inside_an_answer_is_neither_a_follow_up_nor_a_question(heard, one_voice):
    """The interviewer's "Mm-hm" or "Uh-huh" while the candidate goes on with the story
    (scripts/corpus/interviews_backchannels.yaml), as Whisper writes it ("Zeta.", "No, no, no.",
    "Okay, you" for "Okay, yeah"): the answer goes on; it is no follow-up and no new question."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["backchannels"] = [{"after": 1, "text": heard}]
    if one_voice:
        units, truth, _true_speaker, exchanges = _read_by_one_voice(iv, unsure="backchannel")
    else:
        units, truth, exchanges = _laid_out(iv, unsure="backchannel")
    said = [u for u, (role, _) in zip(units, truth) if role == "backchannel"]
    assert said and all(u.role not in ("followup", "question") for u in said), [(u.text, u.role, u.why) for u in said]
    assert not any(u in question for ex in exchanges for question, _ in ex.followups for u in said)
    assert len(exchanges) == 2


def test_a_listeners_word_after_a_terse_question_is_no_part_of_it():
    """Blind28 iwd_10: "First one. A mistake you made." and then "Yeah." (a fragment Whisper wrote
    at the candidate's first breath, given by the voices to the nearest turn): the question is "A
    mistake you made.", not "Yeah."."""
    from rehearse.interview.turns import _asked

    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["question"] = "First one. A mistake you made. Yeah."
    iv["turns"][1].pop("lead", None)
    units, _truth, exchanges = _laid_out(iv)
    cfg = rubric.load("interview")
    asked = [_asked(ex.question, cfg["cues"]["min_question_score"], cfg["structure"]) for ex in exchanges]
    assert asked[0] == "A mistake you made.", asked
    assert next(u for u in units if u.text == "Yeah.").role == "remark"


def test_a_terse_main_question_whisper_was_unsure_of_is_no_backchannel():
    """Blind24 ivz_10: "Difficult seller." (Whisper lost its "A", and was unsure of its words) after
    an answer, then a new story: a main question, not a listener's word."""
    iv = json.loads(json.dumps(INTERVIEW))
    second = next(t for t in iv["turns"][2:] if "question" in t)
    second.pop("lead", None)
    second["question"] = "Difficult colleague."
    _units, _truth, exchanges = _laid_out(iv, unsure="question")
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert " ".join(u.text for u in exchanges[1].question) == "Difficult colleague."


@pytest.mark.parametrize("asked", [
    "Did you have to tell the owners before you signed?",
    "Would you be happy running that sort of emergency buy again now?",
])
def test_a_yes_no_question_about_the_story_is_a_follow_up_however_long_the_story_goes_on(asked):
    """A yes/no question about the story (blind29 iwe_09, blind27 iwc_07, blind17 ivs_05) that the
    candidate answers and then goes on with the rest of the story for a minute is a follow-up: a
    new main question asks for a story. The turn model alone reads the long talk after it as a new
    answer (0.88, 0.77)."""
    _assert_one_follow_up_then_the_story(asked, 3, "The owners were away that week, so I rang them from the warehouse.")


def test_one_voice_a_question_whisper_cut_at_its_pauses_stays_the_interviewers():
    """Whisper cuts a slow question at its pauses into pieces with no full stop between them
    (blind29 iwe_02: "In the past, can you tell me about a time" / "you had to deal with a guest" /
    "who was really unhappy."). With one voice, the last piece, in lower case with no "I" or "we",
    is still the question, not the candidate's first words: the answer starts after it."""
    from rehearse.interview.turns import Unit, _turns_by_wording, question_cues

    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["question"] = "Can you tell me about a time you had to deal with a supplier who was really unhappy."
    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    k = next(i for i, u in enumerate(units) if u.text.startswith("Can you tell me about a time"))
    words = units[k].words
    pieces = [Unit(words[:7]), Unit(words[7:14]), Unit(words[14:])]
    assert [p.text for p in pieces] == ["Can you tell me about a time", "you had to deal with a supplier",
                                        "who was really unhappy."]
    for p in pieces:
        question_cues(p, cfg["cues"])
    units[k:k + 1] = pieces
    _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    assert [p.speaker for p in pieces] == ["interviewer"] * 3, [p.why for p in pieces]
    first = exchanges[0]
    assert all(p in first.question for p in pieces), [u.text for u in first.question]
    assert first.answer[0].text.startswith("Two summers ago"), [u.text for u in first.answer[:2]]


def test_a_request_for_more_of_the_story_is_a_follow_up_however_long_the_story_goes_on():
    """A request to hear more of the story being told (blind30 iwf_01, the set now spent: "Tell me
    more about that phone call, because that's the bit I'm interested in."), answered and followed
    by four more sentences of the story: a follow-up inside the first answer, with one voice too.
    The turn model alone read the story after it as a new answer (0.66)."""
    iv = next(x for x in yaml.safe_load((tfs.ri.CORPUS / "interviews_blind30.yaml").read_text())["interviews"]
              if x["id"] == "iwf_01")
    asked = iv["turns"][1]["followups"][0]["question"]
    assert asked.startswith("Tell me more about")
    for exchanges in (_laid_out(iv)[2], _read_by_one_voice(iv)[3]):
        assert len(exchanges) == 3, [" ".join(u.text for u in ex.question) for ex in exchanges]
        assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [asked]


@pytest.mark.parametrize("invitation", ["Questions?", "Question.", "Okay. Questions."])
def test_a_bare_questions_after_the_last_answer_opens_the_closing_however_whisper_wrote_it(invitation):
    """A terse interviewer's bare "Questions?" on its own (blind30 iwf_10, the set now spent), which
    Whisper wrote as "Question.": the closing, and the candidate's questions after it are reported
    apart, not as more of the last answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", invitation], ["C", "Yes, a couple, if that's okay."],
                                    ["C", "How many shops does the bakery supply each morning?"], ["I", "Eleven, yes."],
                                    ["C", "Great, thank you."], ["I", "Thanks. We'll call you."]]})
    units, _truth, exchanges = _laid_out(iv)
    asking = next(u for u in units if u.text.startswith("How many shops"))
    assert asking.role == "candidate_question", [(u.text, u.role) for u in units[-6:]]
    told = [u.text for ex in exchanges for u in ex.answer + [r for _, reply in ex.followups for r in reply]]
    assert not any(t.startswith(("Yes, a couple", "How many shops", "Great, thank")) for t in told), told[-3:]


@pytest.mark.parametrize("corpus, iv_id, glued", [("interviews_blind23.yaml", "ivy_03", ""),
                                                   ("interviews_blind30.yaml", "iwf_05", "him, ")])
def test_the_interviewer_stopping_the_story_to_ask_about_it_is_a_follow_up(corpus, iv_id, glued):
    """"Sorry, can I stop you there?" inside an answer (blind23 ivy_03 and blind30 iwf_05, both sets
    spent): the interviewer interrupts to ask about the story being told, so the question that
    follows is a follow-up, with the speakers known and with one voice. Read by one voice, ivy_03's
    "When you say we, what were you doing yourself?" was split off as a new answer; end to end,
    Whisper glued the candidate's last word to iwf_05's lead ("him, sorry, can I stop you there?"),
    too long a lead for the yes/no rule, and the turn model read "Was the supervisor happy for you
    to leave your own task?" as a new question (0.58)."""
    iv = next(x for x in yaml.safe_load((tfs.ri.CORPUS / corpus).read_text())["interviews"] if x["id"] == iv_id)
    turn = next(t for t in iv["turns"] if any("stop you there" in f["question"] for f in t.get("followups") or []))
    fu = next(f for f in turn["followups"] if "stop you there" in f["question"])
    fu["question"] = glued + fu["question"]
    mains = sum(1 for t in iv["turns"] if "question" in t)
    for exchanges in (_laid_out(iv)[2], _read_by_one_voice(iv)[3]):
        asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
        assert len(exchanges) == mains, asked
        followups = [" ".join(u.text for u in q) for ex in exchanges for q, _ in ex.followups]
        assert any("stop you there" in f for f in followups), followups


@pytest.mark.parametrize("corpus, iv_id, asked", [
    ("interviews_blind29.yaml", "iwe_02", "That overbooking cap can't have gone down well with revenue, though."),
    ("interviews_blind31.yaml", "iwg_05", "I'm curious what the owner said about the frame swapping.")])
def test_a_remark_answered_with_more_of_the_story_is_a_follow_up(corpus, iv_id, asked):
    """A remark at the end of an answer that the candidate answers with more of the same story (31
    and 27 words; blind29 and blind31, both sets spent) is a follow-up, not small talk between
    questions: the longest reply to small talk in any set's scripts is 20 words. The turn model
    took blind29's off the story (speakers known) and blind31's end to end (0.56, the reply cut
    by Whisper into four pieces), so the answer ended 18 s early."""
    iv = next(x for x in yaml.safe_load((tfs.ri.CORPUS / corpus).read_text())["interviews"] if x["id"] == iv_id)
    units, _truth, exchanges = _laid_out(iv)
    followups = [" ".join(u.text for u in q) for ex in exchanges for q, _ in ex.followups]
    assert asked in followups, followups
    remark = next(u for u in units if u.text == asked)
    assert remark.role == "followup", remark.why


def test_a_question_pointing_back_at_what_the_answer_named_is_a_follow_up():
    """blind32 iwh_10 (a terse interviewer; the set now spent): "Why not take one of the earlier
    fields?" and "Tell me what the chief pilot said." point back at things the answer named; the turn
    model made them new main questions at 0.53 and 0.52 end to end, and read by one voice the
    script lost one the same way. Where the model is unsure, a question pointing back is a
    follow-up; a new question about new things stays one (the second main question here)."""
    iv = next(x for x in yaml.safe_load((tfs.ri.CORPUS / "interviews_blind32.yaml").read_text())["interviews"]
              if x["id"] == "iwh_10")
    asked = [f["question"] for t in iv["turns"] for f in t.get("followups") or []]
    assert asked == ["Why not take one of the earlier fields?", "Tell me what the chief pilot said."]
    for exchanges in (_laid_out(iv)[2], _read_by_one_voice(iv)[3]):
        assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
        assert [" ".join(u.text for u in q) for ex in exchanges for q, _ in ex.followups] == asked


@pytest.mark.parametrize("corpus, iv_id, chat", [
    ("interviews_blind32.yaml", "iwh_03", "Have you come far today?"),
    ("interviews_blind33.yaml", "iwi_02", "Did you come in through the stage door?")])
def test_one_voice_a_question_about_the_way_in_is_opening_chat(corpus, iv_id, chat):
    """Read by one voice (both sets spent): blind32 iwh_03's "Have you come far today?" and blind33
    iwi_02's "Did you come in through the stage door?" were taken for the first question and the
    chat after them (the trains, the doorman) for its answer; iwh_03 so end to end too. Asking how
    the candidate got here is chat, like "Did you find us all right?"; so is "Grab a chair, the
    kettle's just boiled" (blind32 iwh_09, which the same wording mended end to end)."""
    iv = _scripted(corpus, iv_id)
    mains = [t["question"] for t in iv["turns"] if "question" in t]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == len(mains), asked
    said = next(u for u in units if u.text == chat)
    assert said.role == "smalltalk", (said.role, said.why)


def test_asking_for_the_candidates_own_part_in_a_we_story_is_a_follow_up_whatever_the_model_says():
    """blind33 (spent) iwi_04: "I'm hearing a lot of we there. I'd like to know what you did
    yourself." in the middle of a "we" story; Whisper wrote the reply's "Fair point." as a sentence
    of its own, and the turn model then read "I was the one who spotted ..." as a new scene and the
    request as a new main question (0.95 end to end), splitting the answer in two. A request for
    the candidate's own part in the story told asks for no new story: a follow-up, with the
    speakers known and with one voice."""
    iv = _scripted("interviews_blind33.yaml", "iwi_04")
    turn = next(t for t in iv["turns"] if any("yourself" in f["question"] for f in t.get("followups") or []))
    fu = next(f for f in turn["followups"] if "yourself" in f["question"])
    fu["question"] = fu["question"].replace("'we'", "we")  # as Whisper wrote it
    fu["sentences"][0][1] = "Fair point. " + fu["sentences"][0][1].removeprefix("Fair point, ")
    mains = sum(1 for t in iv["turns"] if "question" in t)
    for exchanges in (_laid_out(iv)[2], _read_by_one_voice(iv)[3]):
        assert len(exchanges) == mains, [" ".join(u.text for u in ex.question) for ex in exchanges]
        followups = [" ".join(u.text for u in q) for q, _ in exchanges[0].followups]
        assert followups == [fu["question"]], followups


def test_a_statement_follow_up_echoing_the_answer_before_the_next_question_stays_in_the_answer():
    """blind33 (spent) iwi_08: "And has sales pushed since then?" at the end of an answer, heard as
    "It has sales pushed since then." (no question left in it), answered in one sentence right
    before the next question. A remark said there that does not draw on the story ("Sorry, you
    broke up there.") is the move to the next question; this one takes up the answer's own words
    ("since then", sales), so it is a follow-up and the answer ends after its reply."""
    iv = _scripted("interviews_blind33.yaml", "iwi_08")
    turn = next(t for t in iv["turns"] if any("sales pushed" in f["question"] for f in t.get("followups") or []))
    fu = next(f for f in turn["followups"] if "sales pushed" in f["question"])
    fu["question"] = "It has sales pushed since then."  # as Whisper wrote it
    units, _truth, exchanges = _laid_out(iv)
    followups = [" ".join(u.text for u in q) for ex in exchanges for q, _ in ex.followups]
    assert fu["question"] in followups, followups
    reply = next(u for u in units if u.text.startswith("Twice"))
    assert reply.role == "reply", (reply.role, reply.why)


def test_one_voice_a_sentence_whisper_cut_at_a_pause_goes_on_in_the_candidates_voice():
    """blind33 (spent) iwi_02 read by one voice: Whisper cut "I had four days to get him confident
    before the press night." where the candidate paused; the speaker wording model gave the lower-case
    "before the press night." to the interviewer (0.95), which made it a question end to end. A piece
    opening in lower case after the candidate's piece that left its sentence open, asking nothing,
    goes on with the candidate's sentence."""
    iv = _scripted("interviews_blind33.yaml", "iwi_02")
    turn = next(t for t in iv["turns"] if any("press night" in s[1] for s in t.get("sentences") or []))
    k = next(i for i, s in enumerate(turn["sentences"]) if "before the press night" in s[1])
    turn["sentences"][k:k + 1] = [["T", "I had four days to get him confident"], ["T", "before the press night."]]
    for said in (turn.get("followups") or []) + (turn.get("backchannels") or []):
        if said["after"] != "end" and said["after"] >= k:
            said["after"] += 1
    units, _truth, _true_speaker, _exchanges = _read_by_one_voice(iv)
    piece = next(u for u in units if u.text == "before the press night.")
    assert piece.speaker == "candidate" and piece.role == "answer", (piece.speaker, piece.why)


def _assert_last_sentence_stays_the_candidates(said: str) -> None:
    """Read by one voice, `said` as the first answer's last sentence (no follow-ups) is the
    candidate's and ends that answer; the second question is still found."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = []
    iv["turns"][1]["sentences"].append(["R", said])
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    unit = next(u for u in units if u.text == said)
    assert unit.speaker == "candidate" and unit in exchanges[0].answer, (unit.speaker, unit.role, unit.cues, unit.why)
    assert len(exchanges) == 2


def test_one_voice_tell_me_inside_the_candidates_sentence_asks_nothing():
    """Read by one voice (blind34 iwj_04): the candidate's last sentence "Since then I always ask
    the agency what kind of appointment it is, and I turned down medical jobs if they can't tell
    me." was worded as a question, because the request wording "tell me" matched anywhere in a
    sentence rather than at its start; it joined the next question and the answer ended 7 s early."""
    said = "Since then I always ask the supplier what kind of order it is, and I turned down rush jobs if they can't tell me."
    _assert_last_sentence_stays_the_candidates(said)
    alone = tfs.units_of([("candidate", "answer", said, 0)], rubric.load("interview")["cues"])[0][0]  # cued as laid out
    assert alone.cue_score == 0, alone.cues


@pytest.mark.parametrize("asked", ["Think about a time your own team let you down, and tell me what you did.",
                                   "Pick a conversation you'd rather forget and tell me how it went."])
@pytest.mark.parametrize("one_voice", [False, True])
def test_a_story_asked_for_with_think_about_or_pick_a_is_a_main_question(asked, one_voice):
    """blind12 ivm_05, blind7 ivf_05: a request that opens with an imperative and puts its "tell
    me" later in the sentence is worded as a question by its opening."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2] = {**iv["turns"][2], "lead": "Okay.", "question": asked}
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    asked_texts = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and asked in asked_texts[1], asked_texts
    unit = next(u for u in units if u.text == asked)
    assert any(c.startswith("wording:") for c in unit.cues), unit.cues


def test_one_voice_what_the_candidate_said_to_someone_is_the_candidates_story():
    """Read by one voice (blind35 iwk_01): the reply to "Hang on, tell me what you actually said to
    him first." reports what the candidate said ("I said I can see this is our fault, give me two
    minutes ... for you."); the speaker wording model gave it to the interviewer for its "you" and
    it became a main question. Words the candidate reports saying are the candidate's story."""
    asked = "Hang on, tell me what you actually said to him first."
    said = "I said I can see this is our fault, give me two minutes at the end there, and I'll sort something out for you."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": asked, "sentences": [
        ["A", said], ["A", "I think just hearing it was our fault calmed him down more than anything."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    reply = next(u for u in units if u.text == said)
    assert reply.speaker == "candidate" and reply in exchanges[0].answer, (reply.speaker, reply.role, reply.why)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]


@pytest.mark.parametrize("remark", ["You went with the darker sign in the end and the drivers kept to it.", REMARK])
def test_a_remark_at_the_last_answers_end_is_no_closing_while_the_interviewer_still_asks_about_the_story(remark):
    """Blind35 iwk_02 (one voice): a sentence of the last story heard as the interviewer's ("You
    went with a darker grey ...") was taken off the story with little talk left and opened the
    closing, so the interviewer's "I'd like to hear more about the numbers on that job." and its
    reply fell outside the answer (it ended 18 s early). A request about the story that comes
    later, before any closing wording, says the interview has not reached its closing."""
    asked = "I'd like to hear more about the numbers on that job."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["sentences"] = LONG_LAST
    iv["turns"][2]["followups"] = [{"after": "end", "question": remark, "sentences": [["A", "They did."]]}]
    iv["turns"].append({"closing": [["I", asked], ["C", "The sign cost about twelve pounds and the isolators were already fitted."],
                                    ["I", "That's all I had. Have you got any questions?"],
                                    ["C", "No, I think you've covered everything."], ["I", "Thanks. We'll be in touch by Friday."]]})
    units, _truth, exchanges = _laid_out(iv)
    request = next(u for u in units if u.text == asked)
    assert request.role == "followup" and request in [u for q, _ in exchanges[-1].followups for u in q], \
        (request.role, request.why)
    closing = next(u for u in units if u.text == "That's all I had.")
    assert closing.role == "closing" and len(exchanges) == 2


@pytest.mark.parametrize("lasting", ["Now my phone goes in a drawer whenever there's anything wet on the bench.",
                                     "She went to a family in the spring, and they still send us photos of her.",
                                     "Since then I measure every customer twice, standing and sitting.",
                                     "And it's done over a hundred shows since without the neck dropping once.",
                                     "So the big shoal is muslin, and we've worked together on three shows since."])
def test_one_voice_how_things_have_stayed_since_the_story_is_the_candidates(lasting, monkeypatch):
    """Read by one voice (blind34 iwj_10, blind27 iwc_08, blind32 iwh_08, blind36 iwl_04): an
    answer's last sentence telling how things have stayed since ("Now my phone goes in a drawer
    ...", "... they still send us photos", "Since then I measure people twice ...", "And it's done
    over a hundred shows since ...") was taken by the speaker wording model for the interviewer's
    lead-in to the next question, and the answer ended early. The wording holds however sure the
    model is (p 0.89 and 0.95 on iwl_04's audio)."""
    _model_sure(monkeypatch, lasting, 0.95)
    _assert_last_sentence_stays_the_candidates(lasting)


@pytest.mark.parametrize("reply", ["Yes, go ahead.", "Sure, fire away."])
def test_one_voice_the_reply_to_shall_we_start_is_the_candidates_and_the_question_after_it_is_asked(reply):
    """Blind37 iwm_02 (one voice): "Shall we start?" - "Yes, go ahead." - "Can you tell me about
    ...?": the few words after the interviewer's question are the candidate's reply, not a topic
    the interviewer names before the question, so the chat run ends there and the request for a
    story is the first main question."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0]["smalltalk"] = [["I", "Hello, thanks for coming up."], ["C", "Thanks for having me."],
                                   ["I", "Shall we start?"], ["C", reply]]
    iv["turns"][1]["lead"] = ""
    iv["turns"][1]["question"] = "Can you tell me about a time a supplier let you down badly?"
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    assert {u.text: u.speaker for u in units}[reply] == "candidate"
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and asked[0].endswith("let you down badly?"), asked


def _cut(units, truth, said: str, after: str, cues_cfg: dict) -> None:
    """Cut the unit holding `said` after the word `after`, as Whisper cuts a sentence where the
    speaker pauses (each piece keeps its words' times and its true role)."""
    from rehearse.interview.turns import Unit, question_cues

    i = next(k for k, u in enumerate(units) if said in u.text)
    n = next(k for k, w in enumerate(units[i].words) if w.text == after) + 1
    pieces = [Unit(units[i].words[:n], speaker=units[i].speaker), Unit(units[i].words[n:], speaker=units[i].speaker)]
    for p in pieces:
        question_cues(p, cues_cfg)
    units[i:i + 1] = pieces
    truth[i:i + 1] = [truth[i]] * 2


def _model_sure(monkeypatch, said: str, p: float) -> None:
    """The speaker wording model gives the sentence `said` to the interviewer at probability `p`
    (as it did on a file's audio) and every other sentence what it gives it."""
    from rehearse.interview import speaker_words

    real = speaker_words.probabilities
    monkeypatch.setattr(speaker_words, "probabilities", lambda units, rule, *a, **k: [
        p if u.text == said else q for u, q in zip(units, real(units, rule, *a, **k))])


def _read_by_one_voice_cut(interview: dict, said: str, after: str):
    """`_read_by_one_voice` with the unit holding `said` cut after the word `after` first: the
    units and the exchanges found."""
    from rehearse.interview.turns import _turns_by_wording

    cfg = rubric.load("interview")
    units, truth = tfs.units_of(tfs.lines(interview, {}), cfg["cues"])
    _cut(units, truth, said, after, cfg["cues"])
    _turns_by_wording(units, cfg["cues"]["min_question_score"], cfg["structure"], cfg["cues"]["first_person"])
    return units, structure(units, cfg["structure"], cfg["cues"]["min_question_score"])


@pytest.mark.parametrize("quote", ["Give me an hour.", "Can you give me an hour?"])
def test_one_voice_a_quote_whisper_cut_from_i_said_is_the_candidates_story(quote):
    """Blind37 iwm_03 (one voice): Whisper cuts "When the chef rang up shouting, I said," from the
    quote that follows it ("Give me an hour."): the quote is the candidate's story however it is
    worded, not a request or question of the interviewer's that starts a new answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(3, ["A", f"When the baker rang up shouting, I said, {quote}"])
    units, exchanges = _read_by_one_voice_cut(iv, "rang up shouting", "said,")
    assert {u.text: u.speaker for u in units}[quote] == "candidate"
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert any(u.text == quote for u in exchanges[0].answer)
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == [
        "Sorry, who agreed to that contract?", "Any surprises on the invoices afterwards?"]


def test_one_voice_what_the_interviewer_quotes_back_with_you_said_still_asks():
    """The quote rule is the story's: the interviewer quoting the candidate back ("When you said,"
    / "we sorted it, who was we?") still asks a follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"][0]["question"] = "When you said, who was we?"
    units, exchanges = _read_by_one_voice_cut(iv, "When you said,", "said,")
    assert {u.text: u.speaker for u in units}["who was we?"] == "interviewer"
    assert len(exchanges) == 2
    assert " ".join(u.text for u in exchanges[0].followups[0][0]).endswith("who was we?")


def test_one_voice_the_story_sentence_a_hang_on_cuts_into_is_the_candidates(monkeypatch):
    """Blind37 iwm_03 (one voice, fast): the speaker wording model gave the story's "And the pub
    next door sold us every bag of ice it had." to the interviewer (p 0.99), which glued it to the
    cut-in "Hang on, the pub sold you ice." and made the two a new main question. A turn that
    opens by cutting in cuts into someone else's talk: the sentence before it is the candidate's,
    and the cut-in is a follow-up inside the answer."""
    said = "And the pub next door sold us every bag of ice it had."
    _model_sure(monkeypatch, said, 0.99)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(3, ["A", said])
    iv["turns"][1]["followups"] = [{"after": 3, "question": "Hang on, the pub sold you ice.",
                                    "sentences": [["A", "They did, for a box of pastries."]]}]
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    assert who[said] == "candidate" and who["Hang on, the pub sold you ice."] == "interviewer", who
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == ["Hang on, the pub sold you ice."]


def test_one_voice_the_scene_set_right_after_the_request_is_the_answer_however_sure_the_model(monkeypatch):
    """Blind35 iwk_03 (one voice): the answer opens in the present tense ("At the Kellen Ridge
    Observatory we run a one-metre telescope ..., and I'm usually the only operator on site at
    night."); the speaker wording model gave it to the interviewer (p 0.97), glued to the request
    for a story, and the answer started 8 s late. Right after a request for a story, a statement
    of some length in the first person that says nothing to "you" is the story; the
    interviewer's own short words there ("Someone senior, ideally.") stay the interviewer's."""
    scene = "At the Harbour Road depot we run forty vans out of one yard, and I'm usually the only planner in before six."
    _model_sure(monkeypatch, scene, 0.97)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(0, ["S", scene])
    iv["turns"][1]["followups"][0]["after"] = 3
    iv["turns"][2]["question"] = "Tell me about a disagreement with a colleague. Someone senior, ideally."
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    assert who[scene] == "candidate" and who["Someone senior, ideally."] == "interviewer", who
    assert len(exchanges) == 2 and exchanges[0].answer[0].text == scene, [u.text for u in exchanges[0].question]


@pytest.mark.parametrize(("said", "p"), [
    ("She said a notice you have to withdraw is better than one you have to defend in court.", 0.83),
    ("She said a note as you have to with always better than when you have to defend in court.", None)])
def test_one_voice_what_someone_in_the_story_said_is_the_candidates_story(monkeypatch, said, p):
    """Read by one voice (blind32 iwh_03): the reply to an end-of-answer follow-up reports what the
    manager said ("She said a notice you have to withdraw is better than one you have to defend in
    court."); the speaker wording model gave it to the interviewer for its "you" (p 0.83) as the
    lead-in to the next question, and the answer and its follow-up ended early. As Whisper wrote it
    on the flite file ("... better than when you have to defend in court.") it holds "when you have
    to", wording that asks the listener for a story, and the rules themselves gave it to the
    interviewer (the follow-up became small talk, the answer ended 10 s early): what someone in the
    story said asks no one for a story."""
    if p is not None:
        _model_sure(monkeypatch, said, p)
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "I'm curious what your manager thought about the new contract."
    iv["turns"][1]["followups"] = [{"after": "end", "question": asked,
                                    "sentences": [["R", "She was fine with it, actually."], ["R", said]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    reply = next(u for u in units if u.text == said)
    assert reply.speaker == "candidate" and reply in exchanges[0].answer, (reply.speaker, reply.role, reply.why)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups][-1:] == [asked]


def test_one_voice_a_story_told_in_the_present_after_a_first_short_sentence_is_the_answer(monkeypatch):
    """Blind38 iwn_03 (espeak, one voice): the answer opens in the historic present ("It's a
    Thursday evening in November." - "We've sold 60 tickets for an author talk, and ..."); the
    speaker wording model gave the second sentence to the interviewer (p 1.00), which made it the
    first question and the real request chat. A first-person statement of some length, saying
    nothing to "you", a few seconds after the request with only the candidate's words between, is
    the story."""
    scene = "We've got forty vans booked out of one yard, and I'm the only planner in before six."
    _model_sure(monkeypatch, scene, 1.0)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["lead"] = "Okay, let's get going."
    iv["turns"][1]["sentences"][:1] = [["S", "It's a Thursday evening in November."], ["S", scene]]
    iv["turns"][1]["followups"][0]["after"] = 3
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    assert {u.text: u.speaker for u in units}[scene] == "candidate"
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "supplier let you down" in asked[0], asked
    assert [u.text for u in exchanges[0].answer[:2]] == ["It's a Thursday evening in November.", scene]


@pytest.mark.parametrize("ask", ["When it all goes wrong, give me an example.", "Any kind of supplier, tell me about one."])
def test_one_voice_a_sentence_ending_in_a_request_is_the_interviewers(ask):
    """Blind37 iwm_03 (one voice, fast): Whisper cut "I'm interested in how you cope with a busy
    Saturday when it all goes wrong. Give me an example." into "... a busy Saturday." and "When it
    all goes wrong, give me an example.", and the second piece went to the candidate, so the answer
    started 3 s early. A sentence that ends in a request for an example or the story, with no "I"
    or "we" before it, is the interviewer's."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["question"] = f"I'm interested in how you cope with a supplier letting you down. {ask}"
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    assert {u.text: u.speaker for u in units}[ask] == "interviewer"
    assert exchanges[0].question[-1].text == ask and exchanges[0].answer[0].text.startswith("Two summers ago")


@pytest.mark.parametrize("praise", ["Good, that's the kind of thing I want to hear.",
                                    "That's exactly the sort of answer I was looking for."])
def test_one_voice_praise_for_the_answer_before_the_next_question_is_the_interviewers(praise):
    """Blind32 iwh_01 (one voice): "Good, that's the kind of thing I want to hear." after the first
    answer stayed the candidate's for its "I", and the answer ran 3.4 s into it. Praise for the
    answer just before the next question is the interviewer's lead-in (rubric `ack`)."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = []
    iv["turns"][2]["lead"] = praise
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    assert {u.text: u.speaker for u in units}[praise] == "interviewer"
    assert len(exchanges) == 2 and exchanges[0].answer[-1].text.startswith("We never ran out of boxes")


def test_one_voice_a_question_whisper_ended_at_a_pause_goes_on_after_a_joining_word():
    """Blind33 iwi_05 (Kokoro, one voice): Whisper ended "Have you ever lost animals?" at a pause
    and wrote the rest, "Because something went wrong with the system.", as a sentence of its own;
    it opened the answer 1.8 s early. A piece that opens with a joining word and says no "I" or
    "we" goes on with the question; after a question that asks why, "Because ..." is the reply."""
    _assert_question_goes_on("Have you ever lost a customer?", "Because something went wrong with a supplier.")
    _assert_reply_stays_the_candidates("Why did you pick that supplier?", "Because it was the cheapest one on the list.")


def _assert_question_goes_on(question: str, rest: str):
    """Read by one voice, with the first question written as `question` and `rest` (two sentences,
    as Whisper cut it): `rest` is the interviewer's, in the question, and the answer starts after it
    (the unit of `rest` is returned)."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["question"] = f"{question} {rest}"
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    piece = next(u for u in units if u.text == rest)
    assert piece.speaker == "interviewer" and piece in exchanges[0].question, (piece.speaker, piece.role, piece.why)
    assert exchanges[0].answer[0].text == iv["turns"][1]["sentences"][0][1]
    return piece


def _assert_reply_stays_the_candidates(question: str, reply: str) -> None:
    """Read by one voice, with a follow-up `question` in the first answer and `reply` to it: the
    reply is the candidate's."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"][0] = {"after": 1, "question": question, "sentences": [["A", reply]]}
    units, _truth, _true_speaker, _exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == reply)
    assert said.speaker == "candidate" and said.role == "reply", (said.speaker, said.role, said.why)


def test_one_voice_a_question_goes_on_in_lower_case_after_a_full_stop_whisper_put_at_a_pause():
    """Blind30 iwf_05 (espeak, one voice): "I'd like to hear about a time you didn't get on with
    someone on a job." came out as "I'd like to hear about a time you did." / "and get on with
    someone on a job.": the second piece opened the answer 3 s early. Lower case with no "I" or
    "we" after the interviewer's request goes on with it, full stop or not."""
    _assert_question_goes_on("I'd like to hear about a time a supplier let you down.", "and how it went on the day.")
    # the story's scene in lower case after the question (cut from it at a short silence, blind33
    # iwi_03: "... broken yourself" / "for about four years ago.") is the story, not the question
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(0, ["S", "for about four years ago."])
    _units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    assert exchanges[0].answer[0].text == "for about four years ago.", [u.text for u in exchanges[0].question]
    # a direct answer in lower case after a full stop is the reply (blind37 iwm_05: "I'd like to
    # know how long that really took." / "about nine hours in total, ...")
    _assert_reply_stays_the_candidates("I'd like to know how long that really took.",
                                       "about nine hours in total, spread over two days.")


def test_one_voice_an_apology_and_an_imperative_cut_in_and_the_quote_in_the_reply_goes_on():
    """Blind35 iwk_03 (Kokoro, one voice): the follow-up "Sorry, just explain the bedroom
    comparison to me the way you put it to them." came out as "Sorry, just explain the bedroom." /
    "comparison to me the way you put it to them." and stayed in the candidate's answer; the reply
    quoted what the candidate had told the pupils over two sentences ("Well, I said when you switch
    the light off, ..." / "It's the same at the eyepiece, your eye can see the shape ..."), and the
    second, for its "your", became a new main question (answer 30 s short, one extra question)."""
    iv = json.loads(json.dumps(INTERVIEW))
    said = ["Well, I said when you fold the lid in, you can still stack the boxes, but you can't seal them.",
            "It's the same on the pallet, your load can lean but not tip."]
    iv["turns"][1]["followups"][0] = {"after": 1, "question": "Sorry, just explain the lid. trick to me the way you put it to the buyer.",
                                      "sentences": [["A", s] for s in said]}
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = [" ".join(u.text for u in q) for q, _ in exchanges[0].followups]
    assert "Sorry, just explain the lid. trick to me the way you put it to the buyer." in asked, asked
    for text in said:
        u = next(u for u in units if u.text == text)
        assert u.speaker == "candidate" and u in exchanges[0].answer, (u.speaker, u.role, u.why)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]


def test_one_voice_a_remark_on_the_rain_after_an_answer_is_the_interviewers_chat():
    """Blind33 iwi_09 (Kokoro, one voice): after the first answer the interviewer remarks on the
    weather ("Listen to that, it's hammering on the roof now."), the candidate agrees, and the
    interviewer moves on; with no "I" or "we" in it the remark stayed the candidate's and the answer
    ran 8 s into the chat. Chat wording that opens a sentence with no "I" or "we" is the
    interviewer's, and the answer ends before it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = iv["turns"][1]["followups"][:1]
    remark = "Listen to that, it's hammering on the roof now."
    iv["turns"].insert(2, {"smalltalk": [["I", remark], ["C", "I was just thinking that, I hope my car windows are shut."],
                                         ["I", "You and me both."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == remark)
    assert said.speaker == "interviewer" and said not in exchanges[0].answer, (said.speaker, said.role, said.why)
    assert exchanges[0].answer[-1].text == iv["turns"][1]["sentences"][-1][1], [u.text for u in exchanges[0].answer[-3:]]
    assert len(exchanges) == 2


def test_one_voice_a_request_for_a_story_in_a_later_clause_is_the_interviewers(monkeypatch):
    """Blind34 iwj_09's script (one voice): "We lose seeds if the drying goes wrong, so walk me
    through a time you caught a process problem early." opens with the interviewer's own "we", so
    only the speaker wording model gave it to the interviewer (p 0.81, and under the 0.8 line once
    retrained): the question would be lost. A later clause asking the listener for a story, with no
    "I" or "we" from there on, is the interviewer's; "..., give me a moment." asks for none."""
    asked = "We lose stock if the chillers fail, so walk me through a time you caught a problem early."
    _model_sure(monkeypatch, asked, 0.5)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["question"] = asked
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer" and len(exchanges) == 2 and said in exchanges[1].question, (said.speaker, said.why)


@pytest.mark.parametrize(("question", "rest"), [
    ("Tell me about a time.", "A delivery went badly wrong."),
    ("How did you handle a supplier?", "Pulling out after the contract was signed.")])
def test_one_voice_the_rest_of_a_question_whisper_ended_early_goes_on_with_it(question, rest):
    """Blind39 iwo_08 (Kokoro, one voice; after its measurement): Whisper ended "Tell me about a
    time a placement went badly wrong." on "a time." and "How did you handle a candidate pulling out
    after they'd accepted?" on "a candidate?", and wrote each rest as a sentence with a capital; both
    answers started 2.5-2.8 s early. A short rest with no "I" or "we" after a request ended on its
    head noun, or opening with an -ing verb and no subject, goes on with the question; "Sure." does
    not."""
    piece = _assert_question_goes_on(question, rest)
    assert "speaker: goes on with the question before it (the rest of a request cut short)" in piece.why
    _assert_reply_stays_the_candidates("Tell me about a time.", "Sure.")


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_decline_that_says_the_pack_answered_what_i_was_wondering_is_no_candidate_question(one_voice):
    """Blind39 iwo_04 (flite, one voice; after its measurement): the candidate declines ("The pack
    you sent over answered most of what I was wondering.") and the interviewer ends; the "I was
    wondering" of the decline, and the interviewer's words after it, made it a candidate question.
    "I was wondering how the rota works." still asks."""
    iv = json.loads(json.dumps(INTERVIEW))
    decline = "The pack you sent over answered most of what I was wondering."
    iv["turns"].append({"closing": [["I", "That's all from me. Is there anything you'd like to ask?"],
                                    ["C", decline],
                                    ["I", "Good, we'll let you know by Wednesday, thanks very much."]]})
    units = (_read_by_one_voice(iv)[0] if one_voice else _laid_out(iv)[0])
    said = next(u for u in units if u.text == decline)
    assert said.role == "closing", (said.role, said.why)
    iv["turns"][-1]["closing"][1] = ["CQ", "I was wondering how the rota works."]
    units = (_read_by_one_voice(iv)[0] if one_voice else _laid_out(iv)[0])
    assert next(u for u in units if u.text.startswith("I was wondering")).role == "candidate_question"


# with one voice, "Don question." is a statement like the candidate's own: only its voice makes it
# the interviewer's
@pytest.mark.parametrize("one_voice, invitation", [(False, "Done. Questions?"), (False, "Don question."),
                                                   (True, "Done. Questions?")])
def test_the_candidate_declining_to_ask_makes_the_turn_before_it_the_closing(one_voice, invitation):
    """Blind40 iwp_10 (two voices, a terse interviewer): "Done. Questions?" came out as "Don
    question.", no closing wording, and the candidate's "No, I don't think so. ... you've covered
    everything else." ran on as the last answer, 11 s long. A reply that declines to ask anything,
    with no request for a story after it, makes the interviewer's turn before it the closing."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", invitation], ["C", "No, I don't think so."],
                                    ["C", "I read the job pack quite carefully and you've covered everything else."],
                                    ["I", "Thanks. We'll call."]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == invitation.split(". ")[-1])
    assert said.role == "closing", (said.role, said.why)
    assert exchanges[-1].answer[-1].text == iv["turns"][2]["sentences"][-1][1], [u.text for u in exchanges[-1].answer[-3:]]


def test_a_no_inside_a_story_is_no_closing():
    """The decline must be said to the listener: a reply that says someone in the story had no
    questions ("the auditor had no questions") goes on with the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["followups"] = [{"after": "end", "question": "How did the audit go after that?",
                                    "sentences": [["R", "It passed, and the auditor had no questions at all about the flour."]]}]
    units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "How did the audit go after that?")
    assert said.role == "followup", (said.role, said.why)
    assert exchanges[-1].answer[-1].text.startswith("It passed"), [u.text for u in exchanges[-1].answer[-2:]]


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_phone_going_off_inside_an_answer_is_chat_not_a_follow_up(one_voice):
    """Blind40 iwp_07 (two voices): "Sorry, is that your phone or mine?" - "Oh, it's mine, I'm so
    sorry, I'll switch it off." - "No worries at all." between the answers opened like a cut-in
    ("Sorry, ...") and stayed in the first answer as a follow-up, which ran 5 s into the chat."""
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "Sorry, is that your phone or mine?"
    iv["turns"].insert(2, {"smalltalk": [["I", asked], ["C", "Oh, it's mine, I'm so sorry, I'll switch it off."],
                                         ["I", "No worries at all."]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == asked)
    assert said.role in ("smalltalk", "lead") and said not in exchanges[0].answer, (said.role, said.why)
    assert not any(said in question for ex in exchanges for question, _ in ex.followups)
    assert len(exchanges) == 2


def _turn_model_sure_of_every_question(monkeypatch) -> None:
    """The turn model gives every turn 0.99 as a main question (as it did one turn on a file's
    audio); its other calls are unchanged."""
    from rehearse.interview import turn_model

    main = turn_model.load(turn_model.model_path(rubric.load("interview")["structure"]))["main"]
    real = turn_model.probability
    monkeypatch.setattr(turn_model, "probability", lambda x, m: 0.99 if m is main else real(x, m))


@pytest.mark.parametrize("one_voice", [False, True])
@pytest.mark.parametrize("asked", ["Talk me through why you went for three suppliers and not just one.",
                                   "Tell me why you think the first supplier failed."])
def test_a_request_for_the_reason_behind_the_story_is_a_follow_up(monkeypatch, one_voice, asked):
    """Blind40 iwp_02 (one flite voice): "Talk me through why you went for a local standby and not a
    full emergency." 40 s into the answer opens like a request for a story ("talk me
    through") and the turn model took it for a new question: the answer was cut 35 s short and the
    rest split off. A request for the reason behind what was told asks for no new story, whatever
    the turn model makes of it."""
    _turn_model_sure_of_every_question(monkeypatch)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": asked,
                                    "sentences": [["A", "One alone could have let us down again, and three kept the prices honest."]]}]
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == asked)
    assert said.role == "followup" and len(exchanges) == 2, (said.role, said.why)
    assert any(said in question for question, _ in exchanges[0].followups)


def test_the_rest_of_the_team_is_no_superlative():
    """"The rest", "the test", "the guest" end in -est but name no "hardest" story: blind40 iwp_01's
    follow-up "I'm curious what the rest of the team were doing." scored as new-story wording."""
    from rehearse.interview.structure import _score

    cfg = rubric.load("interview")["structure"]
    for said in ("i'm curious what the rest of the team were doing.", "how did the test go?", "what did the guest say?"):
        assert _score(said, cfg["new_story"])[0] == 0, said
    assert _score("tell me about the hardest call you've made.", cfg["new_story"])[1][-1] == "the hardest"


def test_one_voice_a_statement_naming_no_story_late_in_the_answer_is_the_story(monkeypatch):
    """Blind40 iwp_01 (one Kokoro voice): Whisper wrote the end of the candidate's sentence as its
    own, "Made on a line shared with hazelnuts.", 27 s into the answer; the speaker wording model
    gave it to the interviewer (p 0.92) and the turn model made it a new main question: the answer
    ended 39 s early. A statement only the speaker wording model gave the interviewer, asking
    nothing and naming no story, starts no new answer anywhere in it."""
    said = "Made on a line shared with the nut bars."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["sentences"][3:3] = [["A", "I checked his orders and found the flour came from a new mill."], ["A", said]]
    _model_sure(monkeypatch, said, 0.92)
    _turn_model_sure_of_every_question(monkeypatch)  # as it was of this one on the audio
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    unit = next(u for u in units if u.text == said)
    asked = next(ex for ex in exchanges if iv["turns"][2]["question"] in " ".join(u.text for u in ex.question))
    assert unit.speaker == "candidate" and unit in asked.answer, (unit.speaker, unit.role, unit.why)
    assert asked is exchanges[-1]


def test_a_reply_to_a_remark_counts_past_a_short_interjection(monkeypatch):
    """Blind40 iwp_01 (one Kokoro voice): "I'm curious what the rest of the team were doing." 95 s
    into the answer, answered with 34 words of the same story that Whisper broke with a piece heard
    as the interviewer's ("So, nobody was sitting there."): the turn model took the remark off the
    story and only the 12 words before the piece were counted, under the 20 a reply to small talk
    may hold, so the answer ended 19 s early. The reply runs on past an interjection too short to be
    a question."""
    from rehearse.interview import turn_model

    aside = turn_model.load(turn_model.model_path(rubric.load("interview")["structure"]))["aside"]
    real = turn_model.probability
    # the turn model takes the remark off the story and reads the reply as the same story, as on the audio
    monkeypatch.setattr(turn_model, "probability", lambda x, m: 0.99 if m is aside else real(x, m))
    monkeypatch.setattr(turn_model, "one_story", lambda reply, answer: 0.1)
    remark = "I'm curious what the rest of the team were doing."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [
        {"after": "end", "question": remark,
         "sentences": [["A", "While the boxes were late, I moved the two packers onto the gift orders."]]},
        {"after": "end", "question": "So, nobody sat there.",
         "sentences": [["A", ("Waiting for me, no, and we actually got about a day ahead on the gift orders, "
                              "which helped us a lot later that week.")]]}]
    units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == remark)
    assert said.role == "followup" and any(said in question for question, _ in exchanges[0].followups), (said.role, said.why)
    assert exchanges[0].answer[-1].text.startswith("Waiting for me"), [u.text for u in exchanges[0].answer[-2:]]


def test_stop_there_cuts_into_the_answer_whatever_the_turn_model_says(monkeypatch):
    """Blind34 iwj_10 (two men): "Stop there. Whose idea was the phone call?" in the middle of the
    answer; the turn model gives it 0.60 as a main question, right on the line below which a
    question pointing back at the story is a follow-up, and a retrained model moved it across
    (0.5985 → 0.6005), splitting the answer. "Stop there." cuts into the story like "Hang on"."""
    _turn_model_sure_of_every_question(monkeypatch)
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "Stop there. Whose idea was the short contract?"
    iv["turns"][1]["followups"] = [{"after": "end", "question": asked,
                                    "sentences": [["A", "Mine, and my manager signed it off the same afternoon."]]}]
    units, _truth, exchanges = _laid_out(iv)
    said = [u for u in units if u.text in asked]
    assert said and all(u.role == "followup" for u in said), [(u.text, u.role, u.why) for u in said]
    assert len(exchanges) == 2


def test_one_voice_did_you_find_the_workshop_all_right_is_chat():
    """Blind41 iwq_01 (one Kokoro voice): "Hello, come in, have a seat. Did you find the workshop all
    right?" opened the interview; the turn model made the question a main question (0.83) and the
    chat after it an answer. Asking whether the way was found is chat, whatever the place."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [["I", "Hello, come in, have a seat."], ["I", "Did you find the workshop all right?"],
                                    ["I", "The signs from the car park are a bit hopeless."],
                                    ["C", "I did, eventually."], ["C", "I went round the back by the loading bay first."],
                                    ["I", "Everyone does that."]]}
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == "Did you find the workshop all right?")
    assert said.role in ("smalltalk", "lead"), (said.role, said.why)
    assert len(exchanges) == 2 and not any(u.role == "answer" for u in units if u.start_s < exchanges[0].question[0].start_s)


@pytest.mark.parametrize("asked", ["Ever found a problem on a job that the customer really didn't want to hear about.",
                                   "Ever kept a supplier on after they let you down."])
def test_one_voice_ever_with_an_irregular_verb_asks(asked):
    """Blind41 iwq_03 (one espeak voice): "Ever found a problem up on a roof that the customer really
    didn't want to hear about?", written with a full stop, was read as the candidate's and the
    question lost: "ever" opens a question with any past participle, "found" and "kept" as well as
    "-ed" verbs."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Okay, next one."
    iv["turns"][2]["question"] = asked
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer" and len(exchanges) == 2 and said in exchanges[1].question, (said.speaker, said.why)


def test_one_voice_the_first_person_statement_right_after_a_cut_in_is_the_reply(monkeypatch):
    """Blind41 iwq_01 (one Kokoro voice): "Hang on, I'd like to hear a bit more about that habit."
    and the candidate's reply "Well, on a typical limb, I'd take it down fairly hard over the crest,
    because ..." both went to the interviewer by the speaker wording model (p 0.99), and the pair
    became a new question: the answer ended 44 s early. After a turn that cuts in, the statement
    that only the model gave the interviewer, told in the first person and asking nothing, is the
    candidate's reply; one that asks to hear more stays the interviewer's."""
    cut_in = "Hang on, I'd like to hear a bit more about that habit."
    reply = "Well, on a typical order, I'd take the biggest supplier first, because they can absorb it."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": cut_in, "sentences": [["A", reply]]}]
    _model_sure(monkeypatch, reply, 0.99)
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == reply)
    assert said.speaker == "candidate" and said in exchanges[0].answer, (said.speaker, said.role, said.why)
    assert len(exchanges) == 2
    more = "I'd love to hear how the supplier took it."
    iv["turns"][1]["followups"] = [{"after": 2, "question": f"{cut_in} {more}", "sentences": [["A", reply]]}]
    _model_sure(monkeypatch, more, 0.99)
    units, _truth, _true_speaker, _exchanges = _read_by_one_voice(iv)
    assert next(u for u in units if u.text == more).speaker == "interviewer"


def test_a_terse_follow_up_naming_what_the_answer_used_is_no_chat():
    """Blind42 iwr_10 (two voices, a terse interviewer): "The coffee." after a story in which the
    candidate "had the bar send coffee down" matched the chat wording "coffee", and the answer ended
    there, 13.6 s early. Chat's words that the answer itself used pick up the story: a follow-up."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(3, ["A", "While the samples came, I had the canteen send coffee round to the packers."])
    reply = "Yes, the coffee, I paid for it myself and claimed it back, and my manager was fine with it."
    iv["turns"][1]["followups"] = [{"after": "end", "question": "The coffee.", "sentences": [["A", reply]]}]
    units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "The coffee.")
    assert said.role == "followup", (said.role, said.why)
    assert next(u for u in units if u.text == reply) in exchanges[0].answer and len(exchanges) == 2


def test_a_terse_anything_for_me_opens_the_closing_however_long_the_candidate_asks():
    """Blind42 iwr_10 (two voices): "Anything for me?" is closing wording, but its own question mark
    was read as another question still to come, which the candidate's 25 s of questions then
    "answered": the last answer ran 33 s into the closing and both questions were lost."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "Anything for me?"],
        ["CQ", ("Yes, two if that's all right. Would the job be at this bakery only, or would I move between the "
                "three shops during the busy months before Christmas?")],
        ["I", "This one."],
        ["CQ", ("Okay, and I noticed you are opening a fourth shop next spring, so would the buyer for this shop "
                "be involved in setting up the suppliers for the new one as well?")],
        ["I", "Some of it, mostly head office."]]})
    units, _truth, exchanges = _laid_out(iv)
    invitation = next(u for u in units if u.text == "Anything for me?")
    assert invitation.role == "closing", (invitation.role, invitation.why)
    asked = [u for u in units if u.text.startswith(("Would the job", "Okay, and I noticed"))]
    assert all(u.role == "candidate_question" for u in asked), [(u.text[:30], u.role) for u in asked]
    assert not any(u in ex.answer for ex in exchanges for u in asked)


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_different_sort_of_thing_now_moves_to_the_next_question(one_voice):
    """Blind42 iwr_02 (one flite voice): "Okay. Different sort of thing now." before the next
    question was read as the candidate's, and the answer before it ran on 3.7 s into it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Okay. Different sort of thing now."
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "Different sort of thing now.")
    assert said.speaker == "interviewer" and said not in exchanges[0].answer, (said.speaker, said.role, said.why)
    assert len(exchanges) == 2


def test_one_voice_a_candidates_question_about_moving_on_later_is_no_request_for_a_story():
    """Blind42 iwr_03 (one espeak voice): the candidate's closing question "And is there a chance to
    move on to sport later on?" had new-story wording ("move on"), so the closing was taken to start
    after it and the candidate's questions went to the interviewer; and "Okay, thank you, that's
    everything I wanted to ask." heard without its "that's" ("Everything I wanted to ask.") is the
    interviewer's closing wording: the last answer ran 4 s into it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "Okay."], ["I", "Thank you."], ["I", "Everything I wanted to ask."],
        ["I", "Is there anything you'd like to ask me?"],
        ["CQ", "Yes, how many hours in a week would I actually be on the ovens?"],
        ["I", "Usually no more than twenty, in blocks of about four hours."],
        ["CQ", "And is there a chance to move on to cakes later on?"],
        ["I", "There is, once you're through the training."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == "Everything I wanted to ask.")
    assert said.speaker == "interviewer" and said.role == "closing", (said.speaker, said.role, said.why)
    assert said not in exchanges[-1].answer and len(exchanges) == 2
    asked = [u for u in units if u.text.startswith(("Yes, how many", "And is there a chance"))]
    assert [(u.speaker, u.role) for u in asked] == [("candidate", "candidate_question")] * 2, \
        [(u.text[:30], u.speaker, u.role, u.why) for u in asked]


def test_one_voice_chat_after_an_apology_is_the_interviewers(monkeypatch):
    """Blind42 iwr_01 (one Kokoro voice): "Sorry, that's the big machine next door, ..." between two
    answers was read as the candidate's (chat opens the sentence only after the apology), more than
    `lead_reach_s` before the next question with the candidate's "I'm used to it" between: the first
    answer ran 7 s into it. On the audio the speaker wording model was not sure of it."""
    iv = json.loads(json.dumps(INTERVIEW))
    chat = "Sorry, that's the big saw next door, they're cutting the new worktops for the café today."
    iv["turns"].insert(2, {"smalltalk": [["I", chat], ["C", "No, it's fine, honestly, I'm used to it, we've got one at home."]]})
    _model_sure(monkeypatch, chat, 0.5)
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == chat)
    assert said.speaker == "interviewer" and said not in exchanges[0].answer, (said.speaker, said.role, said.why)
    assert len(exchanges) == 2


@pytest.mark.parametrize("said", ["You'd want to rule out the scales first, I suppose.",
                                  "You'd have checked the flour yourself, I take it."])
def test_one_voice_a_statement_to_you_with_a_tag_answered_directly_is_the_interviewers_follow_up(said):
    """Blind42 iwr_04 (one Kokoro voice): "You'd want to rule out your own kit first, I suppose." -
    "Exactly, nine times out of ten ...": a statement to the listener with a tag asking for agreement,
    answered directly, was read as the candidate's (the "I" of "I suppose") and the follow-up lost.
    The candidate's own "You'd think so, I suppose, but it wasn't." is not answered directly."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": said, "sentences": [
        ["A", "Exactly, nine times out of ten it's the scales or the oven, so that's where I always start."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = next(u for u in units if u.text == said)
    assert asked.speaker == "interviewer" and asked.role == "followup", (asked.speaker, asked.role, asked.why)
    assert len(exchanges) == 2
    iv["turns"][1]["followups"] = []
    iv["turns"][1]["sentences"].insert(3, ["A", "You'd think a new supplier would need weeks, I suppose, but this one didn't."])
    units, _truth, _true_speaker, _exchanges = _read_by_one_voice(iv)
    assert next(u for u in units if u.text.startswith("You'd think")).speaker == "candidate"


def test_one_voice_the_first_person_statement_right_after_a_question_into_the_story_is_the_reply(monkeypatch):
    """Blind22 ivx_08 (scripts, one voice): after retraining, the speaker wording model gave the
    candidate's reply "Now if I have to go shorter than the owner asked, I ring them before I start
    ..." to the interviewer, after the follow-up "And what do you do differently now?", and the
    follow-up became the closing. The statement right after a question asked into the candidate's
    talk (no request for a new story, no closing wording) that only the model gave the interviewer,
    told in the first person and asking nothing, is the candidate's reply."""
    reply = "Now if I have to change an order, I ring the customer before I start, with the reason."
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["followups"] = [{"after": "end", "question": "And what do you do differently now?",
                                    "sentences": [["R", reply], ["R", "It takes two minutes and saves a lot of upset."]]}]
    _model_sure(monkeypatch, reply, 0.99)
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == reply)
    assert said.speaker == "candidate" and said in exchanges[-1].answer, (said.speaker, said.role, said.why)
    asked = next(u for u in units if u.text == "And what do you do differently now?")
    assert asked.role == "followup", (asked.role, asked.why)


def test_a_first_word_whisper_timed_over_a_listeners_mm_hm_is_the_candidates():
    """Blind43 iws_07, iws_10, iws_09 (two voices, stereo): Whisper dropped the listener's "Mm-hm"
    and timed the candidate's next word over it ("Most" / "of them were swifts ...", "We" / "had two
    people on ropes ...", "I" / "was the producer ..."); the voice (or channel) gave the word to the
    interviewer and it became a follow-up. A word or two leaving its sentence open, right before the
    candidate's unit opening in lower case, is the start of the candidate's sentence."""
    from rehearse.interview.turns import _first_words_run_on

    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": "Most", "sentences": [
        ["A", "of the boxes came from the second supplier, and I checked every pallet myself."]]}]
    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    _first_words_run_on(units, cfg["turns"])
    said = next(u for u in units if u.text == "Most")
    assert said.speaker == "candidate", said.why
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    assert said in exchanges[0].answer and not any(said in q for q, _ in exchanges[0].followups)
    # a terse question ends its sentence ("Why?") and stays the interviewer's
    iv["turns"][1]["followups"] = [{"after": 2, "question": "Why?", "sentences": [
        ["A", "because the first supplier had gone under, and I checked every pallet myself."]]}]
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    _first_words_run_on(units, cfg["turns"])
    assert next(u for u in units if u.text == "Why?").speaker == "interviewer"


def test_a_terse_statement_whisper_was_unsure_of_answered_yes_is_a_follow_up():
    """Blind43 iws_10 (two voices, a terse interviewer): "Supervisor agreed?" heard as "Supervisors
    agreed." with its first word at 0.34 was taken for a listener's sound Whisper guessed at, though
    the candidate answered it "Yes, straight away, ...": a follow-up lost."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 2, "question": "Supervisors agreed.", "sentences": [
        ["A", "Yes, straight away, he had seen the same warning from the supplier."]]}]
    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(iv, {}), cfg["cues"])
    said = next(u for u in units if u.text == "Supervisors agreed.")
    said.words = [w.model_copy(update={"probability": 0.34 if i == 0 else 0.98}) for i, w in enumerate(said.words)]
    exchanges = structure(units, cfg["structure"], cfg["cues"]["min_question_score"])
    assert said.role == "followup", (said.role, said.why)
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == ["Supervisors agreed."]


@pytest.mark.parametrize("one_voice", [False, True])
def test_your_turn_what_do_you_want_to_know_opens_the_closing(one_voice):
    """Blind43 iws_06 (two voices): "Your turn. What do you want to know?" was no closing wording: it
    became a follow-up, the candidate's first question its reply, and the last answer ran 6 s into
    the closing."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "Your turn. What do you want to know?"],
                                    ["CQ", "What's the delivery schedule like over Christmas?"],
                                    ["I", "Two extra runs a week, from mid November."]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    invitation = [u for u in units if u.text in ("Your turn.", "What do you want to know?", "Your turn. What do you want to know?")]
    assert invitation and all(u.role == "closing" for u in invitation), [(u.text, u.role, u.why) for u in invitation]
    asked = next(u for u in units if u.text.startswith("What's the delivery"))
    assert asked.role == "candidate_question" and asked not in exchanges[-1].answer, (asked.role, asked.why)


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_request_naming_again_what_the_candidate_just_said_is_a_follow_up(monkeypatch, one_voice):
    """Blind43 iws_04 (one Kokoro voice): "Talk me through how the drift alert works." right after
    "We also added a drift alert on the top 20 features ..." - the turn model made it a main question
    (0.97) and the first answer ended 18 s early. A request with no more than weak new-story wording
    ("talk me through") that names again a thing of two words the candidate's last sentence named is
    a follow-up, however sure the model."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].append(["R", "We also added a stock alert on the top twenty lines, which caught two shortages early."])
    iv["turns"][1]["followups"] = [{"after": "end", "question": "Talk me through how the stock alert works.", "sentences": [
        ["A", "Every morning it compares what we hold of each line with the next week's orders."],
        ["A", "If a line drops under four days of cover, it emails whoever is on purchasing that week."]]}]
    _turn_model_sure_of_every_question(monkeypatch)
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "Talk me through how the stock alert works.")
    assert said.role == "followup", (said.role, said.why)
    assert len(exchanges) == 2 and any(said in q for q, _ in exchanges[0].followups)


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_request_naming_again_one_thing_the_candidate_just_said_is_a_follow_up(monkeypatch, one_voice):
    """Blind45 iwu_04 (one Kokoro voice): "Walk me through how you check the wind on the night."
    right after "... we could see the wind would push debris toward the guests" - the turn model
    made it a main question (0.95) and the first answer ended 33 s early. One word of at least four
    letters after a definite word, as the candidate's last sentence named it ("the wind"), names it
    again too; a word any question uses ("the time") does not."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].append(["R", "The only worry left was the boiler, which was older than any of us."])
    iv["turns"][1]["followups"] = [{"after": "end", "question": "Walk me through how you look after the boiler these days.", "sentences": [
        ["A", "It goes in for a service every three months, whether it needs one or not."],
        ["A", "And one of us checks the tyres and the oil every Monday before the first run."]]}]
    _turn_model_sure_of_every_question(monkeypatch)
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "Walk me through how you look after the boiler these days.")
    assert said.role == "followup", (said.role, said.why)
    assert len(exchanges) == 2 and any(said in q for q, _ in exchanges[0].followups)


def test_a_new_request_naming_the_time_again_is_still_a_main_question(monkeypatch):
    """The one-word rule above leaves out words any question uses: "Walk me through the time ..."
    after a last sentence that said "at the time" is a new story."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].append(["R", "It was the right call at the time."])
    iv["turns"][1].pop("followups")
    iv["turns"][2]["question"] = "Walk me through the time a colleague let you down."
    _turn_model_sure_of_every_question(monkeypatch)
    _units, _truth, exchanges = _laid_out(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert exchanges[1].question[-1].text == "Walk me through the time a colleague let you down."


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_closing_question_after_yes_without_a_question_mark_is_the_candidates_question(one_voice):
    """Blind45 iwu_01 (one Kokoro voice): "Yes, how does the verger team split the weekend rota."
    (Whisper wrote no question mark) after "Anything you'd like to ask me?" was not found as the
    candidate's question: the "Yes," that takes up the invitation hid its question opening."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [["I", "That's all my questions. Anything you'd like to ask me?"],
                                    ["CQ", "Yes, how does the bakery team split the early shifts."],
                                    ["I", "Two weeks on, one week off, and a long weekend every quarter."],
                                    ["C", "Great, thank you."]]})
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    asked = next(u for u in units if u.text.startswith("Yes, how does the bakery"))
    assert asked.speaker == "candidate" and asked.role == "candidate_question", (asked.speaker, asked.role, asked.why)
    assert len(exchanges) == 2


def test_one_voice_a_candidates_closing_question_with_when_a_is_no_request_for_a_story():
    """Blind43 iws_04 (one Kokoro voice): the candidate's closing question "How do you decide when a
    model is ready to ship?" has new-story wording ("when a"), so the closing was taken to start
    after it and both of the candidate's questions went to the interviewer. A request for a story is
    told one: it counts only with a story's length of talk after it."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "We've got five minutes left, so over to you."],
        ["CQ", "How do you decide when a supplier is good enough to keep?"],
        ["I", "We review them every quarter against late deliveries."],
        ["CQ", "And how big is the team?"],
        ["I", "Four buyers and an assistant."]]})
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    asked = [u for u in units if u.text.startswith(("How do you decide", "And how big"))]
    assert [(u.speaker, u.role) for u in asked] == [("candidate", "candidate_question")] * 2, \
        [(u.text[:30], u.speaker, u.role, u.why) for u in asked]
    assert len(exchanges) == 2


def test_one_voice_the_candidates_words_given_back_to_them_are_the_interviewers_follow_up():
    """Blind43 iws_05 (one Kokoro voice): "You told them it was your mistake, just like that?" heard
    without its question mark, after "I rang the practice back, told them straight that it was my
    mistake": the candidate's words given back in the second person; it was read as the candidate's
    and the follow-up lost."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"].insert(3, ["A", "I rang the old supplier back and told them straight that it was my mistake to rely on them."])
    asked = "You told them it was your mistake, just like that."
    iv["turns"][1]["followups"] = [{"after": 3, "question": asked, "sentences": [
        ["A", "Yes, there was no point hiding it, they would have seen the orders."]]}]
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer" and said.role == "followup", (said.speaker, said.role, said.why)
    assert len(exchanges) == 2


@pytest.mark.parametrize("one_voice", [False, True])
def test_a_bare_right_with_a_question_mark_inside_the_story_is_a_backchannel(one_voice):
    """Blind43 iws_05 (one Kokoro voice): the listener's "Right." written "Right?" (0.91) became a
    follow-up: a single backchannel word asks nothing for its question mark."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["backchannels"] = [{"after": 1, "text": "Right?"}]
    if one_voice:
        units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    else:
        units, _truth, exchanges = _laid_out(iv)
    said = next(u for u in units if u.text == "Right?")
    assert said.role not in ("followup", "question"), (said.role, said.why)
    assert len(exchanges) == 2 and len(exchanges[0].followups) == 2


def test_stereo_the_side_that_talks_far_more_is_the_candidates():
    """Blind44 iwt_09 (stereo): the candidate's channel held more question-cue score over its 432
    words than the interviewer's over 158, and the channels were given the wrong way round: every
    turn swapped, 0/3 questions. The side that talks far more is the candidate's."""
    from rehearse.interview.turns import _asker_left

    cfg = rubric.load("interview")
    units, _truth = tfs.units_of(tfs.lines(INTERVIEW, {}), cfg["cues"])
    for u in units:
        u.balance_db = 20.0 if u.speaker == "interviewer" else -20.0
    asked = sum(u.cue_score for u in units if u.speaker == "interviewer")
    told = [u for u in units if u.speaker == "candidate"]
    for u in told:  # Whisper hears the candidate's side as asking more, in all
        u.cue_score = 1.2 * asked / len(told)
    assert _asker_left(units, cfg["channels"]) is True
    for u in units:
        u.balance_db = -u.balance_db
    assert _asker_left(units, cfg["channels"]) is False


def test_one_voice_did_you_find_the_two_word_place_all_right_is_chat():
    """Read by one voice: "Did you find the car park all right?" (Whisper writes a place in two
    words: blind47 iww_01's "boat house") after the greetings is chat before the first question,
    not a main question whose answer is the candidate's chat about the way in."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][0] = {"smalltalk": [
        ["I", "Hi, come in, grab a seat. Nice to meet you. Did you find the car park all right?"],
        ["C", "The sign sends everyone round the back. It did exactly that. A man with a dog pointed me back up the road."],
        ["I", "Ha, that'll be Gerald. Okay, let's get going."]]}
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and "supplier let you down" in asked[0], asked
    chat = next(u for u in units if u.text == "Did you find the car park all right?")
    assert chat.role == "smalltalk", (chat.role, chat.why)


def test_asking_how_a_thing_in_the_story_went_is_follow_up_wording():
    """Asking how something already in the story went ("Tell me how that last conversation with
    him went.", where blind47 iww_06's turn model read a new main question, 0.65; "How did the
    handover go?") is follow-up wording enough for a follow-up said as a statement; a request for a
    new story that says "went" ("Tell me about a time a project went wrong.") gets none of it. With
    the speakers known, such a turn at the end of an answer is a follow-up."""
    from rehearse.interview.structure import _followup

    cfg = rubric.load("interview")["structure"]
    for asked in ("tell me how that last conversation with him went.", "how did the handover go?",
                  "and how did it turn out?"):
        assert _followup(asked, cfg)[0] >= cfg["statement_followup"], (asked, _followup(asked, cfg))
    assert _followup("tell me about a time a project went wrong.", cfg)[1] == []
    _assert_one_follow_up_then_the_story(
        "Tell me how that first meeting with the new supplier went.", 4,
        "It went better than I expected, they had already read our order history before we sat down.")


def test_one_voice_a_so_that_clause_after_a_full_stop_goes_on_with_the_candidates_sentence():
    """Read by one voice: Whisper puts a full stop where the candidate paused before "so that ..."
    (blind47 iww_02: "I also moved the item up the agenda." / "So that people weren't sitting
    there ..."): the clause goes on with the candidate's sentence however sure the speaker wording
    model is that it is the interviewer's, and the story after it stays in the answer."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"][3:4] = [
        ["A", "I also moved the delivery slot to six in the morning."],
        ["A", "So that people weren't sitting there for another hour waiting for the lorry."]]
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    clause = next(u for u in units if u.text.startswith("So that people"))
    assert clause.speaker == "candidate", clause.why
    assert len(exchanges) == 2 and clause in exchanges[0].answer
    assert any(u.text.startswith("We never ran out of boxes") for u in exchanges[0].answer)


@pytest.mark.parametrize("asked", [
    "Recall for me a project where the brief changed halfway through.",
    "Talk to me about a shift where the work simply outran the crew.",
])
def test_one_voice_a_request_naming_the_listener_as_for_me_or_to_me_is_the_interviewers(asked):
    """Read by one voice: a request that names its listener "for me" or "to me" (blind47 iww_05,
    iww_03) is the interviewer's main question: "me" there is the listener, not the candidate
    telling a story."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Thanks."
    iv["turns"][2]["question"] = asked
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    assert who[asked] == "interviewer", who
    questions = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 2 and asked in questions[1], questions


def test_an_imperative_to_explain_what_was_told_is_a_follow_up_however_unsure_whisper_was():
    """Two voices: "Explain the 40%." inside an answer, its words heard at a low probability
    (blind46 iwv_10: "Explain" at 0.14), asks the candidate to explain what they just said: a
    follow-up, not a listener's sound the answer goes on over. "I had to explain ..." in a story and
    "Explain a time ..." asking for a new story are no such imperative."""
    from rehearse.interview.structure import _followup

    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["sentences"][4:4] = [["R", "Waste on the packing line fell by about 40% that month."]]
    iv["turns"][1]["followups"] = [{"after": 4, "question": "Explain the 40%.", "sentences": [
        ["R", "Most of it was boxes we used to throw away because they arrived crushed."]]}]
    units, _truth, exchanges = _laid_out(iv, unsure="followup")
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert [" ".join(u.text for u in q) for q, _ in exchanges[0].followups] == ["Explain the 40%."], \
        [(u.text, u.role, u.why) for u in units if u.speaker == "interviewer"]
    cfg = rubric.load("interview")["structure"]
    assert "explain" not in _followup("i had to explain the rule to the crew.", cfg)[1]
    assert "explain" not in _followup("explain a time you had to change a plan.", cfg)[1]


def test_asking_what_the_candidate_said_at_a_point_of_the_story_is_a_follow_up_however_sure_the_model(monkeypatch):
    """"Tell me what you said to the driver at that point." after an answer asks for more of the
    story being told (blind48 iwx_02, where the turn model read a new main question at 0.88, as
    Whisper wrote it: "... to the moment that point."): a follow-up whatever the turn model says,
    here a model sure that every turn is a main question. A request for a new story that says "what
    you did" ("Think of a time a plan fell apart and tell me what you did.") stays a main question."""
    _turn_model_sure_of_every_question(monkeypatch)
    for asked in ("Tell me what you said to the driver at that point.", "Tell me what you said to the moment that point."):
        iv = json.loads(json.dumps(INTERVIEW))
        iv["turns"][1]["followups"] = [{"after": "end", "question": asked, "sentences": [
            ["A", "I said we needed the boxes by Friday or we would look elsewhere."]]}]
        units, _truth, exchanges = _laid_out(iv)
        turn = next(u for u in units if u.text == asked)
        assert turn.role == "followup", (asked, turn.why)
        assert asked in [" ".join(u.text for u in q) for q, _ in exchanges[0].followups]
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["question"] = "Think of a time a plan fell apart and tell me what you did."
    units, _truth, _exchanges = _laid_out(iv)
    assert next(u for u in units if u.text.startswith("Think of a time")).role == "question"


@pytest.mark.parametrize("asked, after, reply", [
    # blind48 iwx_01: "ready to move on" is the story's, not a move to a new question
    ("Walk me through how you judged when he was ready to move on.", 3,
     "I watched whether he was packing the right box sizes without checking the sheet."),
])
def test_asking_how_the_candidate_judged_when_someone_was_ready_to_move_on_is_a_follow_up(asked, after, reply):
    """Inside an answer, "Walk me through how you judged when he was ready to move on." asks about
    the story being told: its "move on" is the story's, no transition to a new question (blind48
    iwx_01, where the turn model read one, 0.77): a follow-up, with the speakers known and read by
    one voice, however long the story then goes on."""
    _assert_one_follow_up_then_the_story(asked, after, reply)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": after, "question": asked, "sentences": [["A", reply], *REST_OF_THE_STORY]}]
    _units, _truth, _true, exchanges = _read_by_one_voice(iv)
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert asked in [" ".join(u.text for u in q) for q, _ in exchanges[0].followups]


def test_one_voice_thanks_for_being_straight_and_those_were_my_main_ones_are_the_interviewers():
    """Read by one voice: "Okay, thanks for being straight about that." before the next question
    (blind48 iwx_04) is the interviewer's acknowledgement, and "OK, those were my main ones." before
    "Any questions for me?" (iwx_05) the interviewer's closing, though both say "I"-less or "my"
    things the candidate might: the answers before them end where the candidate stopped."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Okay, thanks for being straight about that."
    iv["turns"].append({"closing": [["I", "OK, those were my main ones. Any questions for me?"],
                                    ["C", "How many shops does the bakery supply each morning?"], ["I", "Eleven."]]})
    units, _truth, _true, exchanges = _read_by_one_voice(iv)
    who = {u.text: u.speaker for u in units}
    for text in ("Okay, thanks for being straight about that.", "OK, those were my main ones."):
        assert who[text] == "interviewer", (text, who)
    assert len(exchanges) == 2
    assert not any(u.text.startswith("Okay, thanks for being") for u in exchanges[0].answer)
    assert not any(u.text.startswith("OK, those were") for u in exchanges[1].answer)


@pytest.mark.parametrize("one_voice", [False, True])
@pytest.mark.parametrize("asked", [
    "Walk me through how that conversation went, because I imagine he wasn't pleased.",  # blind49 iwy_10, 0.66
    "Tell me about the conversation where you broke the news to your boss.",  # blind49 iwy_06, 0.99
    "Talk me through how you handled them being defensive.",  # blind49 iwy_01, 0.94
    "Walk me through how you judged when she was ready to move on.",  # blind48 iwx_01, 0.51
    "Tell me how that conversation went, because that's not an easy one to have.",  # blind50 iwz_09, 0.53
    "Curious how you kept the family going while all that was happening.",  # blind50 iwz_07, 0.86 ("I'm" lost)
    "Talk me through how you actually put it to him.",  # blind51 ixa_01: "put" has no past form, "him" is the story's
])
def test_a_request_about_what_the_story_named_is_a_follow_up_however_sure_the_model(monkeypatch, one_voice, asked):
    """Inside an answer, a walk-through, "tell me about" or "describe" of something the story named
    ("that conversation", "them", "she") asks about the story being told, not for a new one, when the
    request verb is all the new-story wording it has: a follow-up whatever the turn model says (here
    sure that every turn is a main question), with the speakers known and read by one voice."""
    _turn_model_sure_of_every_question(monkeypatch)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][1]["followups"] = [{"after": 3, "question": asked, "sentences": [
        ["A", "I kept it short and showed him the figures from the first week."], *REST_OF_THE_STORY]}]
    exchanges = _read_by_one_voice(iv)[3] if one_voice else _laid_out(iv)[2]
    assert len(exchanges) == 2, [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert asked in [" ".join(u.text for u in q) for q, _ in exchanges[0].followups]


@pytest.mark.parametrize("asked", [
    "Tell me about the last time you had to turn a customer down.",
    "Tell me about the project you're proudest of.",
    "Walk me through how you handled it when someone on your team missed a deadline.",
    "Here's one more. A driver is rude to a customer in front of you. Talk me through the next ten minutes.",
    "I'm curious how you handle the pressure when the deadlines pile up.",  # habits, not the story told
])
def test_a_request_for_a_kind_of_story_or_someone_new_stays_a_main_question(monkeypatch, asked):
    """The same request verbs asking for a kind of story ("the last time", "the project you're
    proudest of"), about someone new ("when someone ...") or a new scene ("the next ten minutes")
    start a new answer, here with a turn model sure that every turn is a main question."""
    _turn_model_sure_of_every_question(monkeypatch)
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"][2]["lead"] = "Thanks."
    iv["turns"][2]["question"] = asked
    _units, _truth, exchanges = _laid_out(iv)
    assert asked.split(".")[-2].strip() in " ".join(u.text for u in exchanges[-1].question), \
        [" ".join(u.text for u in ex.question) for ex in exchanges]


def test_one_voice_a_candidate_question_offering_two_options_asks_without_a_question_mark():
    """Read by one voice (blind49 iwy_01): the candidate's second question in the closing, "And
    would I do the course here, or is that something I'd need already?", heard as "And what I do the
    DG course here or is that something I'd need already." with no question mark and no opening
    question wording, was the interviewer's; ", or is that ..." offers two options: it asks."""
    iv = json.loads(json.dumps(INTERVIEW))
    iv["turns"].append({"closing": [
        ["I", "That's all I had. What do you want to ask me?"],
        ["CQ", "How many people are on the night shift at the moment?"],
        ["I", "Six, plus a supervisor."],
        ["CQ", "And what I do the hygiene course here or is that something I'd need already."],
        ["I", "We put you through it in your first three months."]]})
    units = _read_by_one_voice(iv)[0]
    asked = next(u for u in units if u.text.startswith("And what I do"))
    assert asked.speaker == "candidate" and asked.role == "candidate_question", (asked.speaker, asked.role, asked.why)
    reply = next(u for u in units if u.text.startswith("We put you through"))
    assert reply.speaker == "interviewer", (reply.speaker, reply.why)


def test_one_voice_a_request_naming_the_kind_of_story_is_the_interviewers_whatever_whisper_heard_after_it():
    """Read by one voice (blind47 iww_03, espeak): "Last one, talk to me about a shift where the
    workload simply outran what the team could do." was heard as "... simply I'll try and what the
    team could do.", and its "I'll" made it the candidate's: the last question was lost. A sentence
    that opens by asking the listener about a kind of story and says which ("a shift where ...") is
    the interviewer's, whatever words come after the "where"."""
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "Talk to me about a shift where the workload simply I'll try and what the team could do."
    iv["turns"][2]["lead"] = "Last one."
    iv["turns"][2]["question"] = asked
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text == asked)
    assert said.speaker == "interviewer", said.why
    assert len(exchanges) == 2 and asked in " ".join(u.text for u in exchanges[1].question)


def test_one_voice_a_statement_between_two_of_the_interviewers_questions_is_the_candidates_reply():
    """Read by one voice (blind45 iwu_05's script): the candidate's reply to "Tell me a bit more
    about how the queue gives priority back." explains the rule to "you" ("If you take a job under
    two miles, you go back to the top of your zone's queue ..."), so the speaker wording model gave
    it to the interviewer; with the next question after it, the follow-up, the reply and the
    question became one turn and a new main question: the second answer ended before its
    follow-up. No one asks, explains at length and asks again without the other side saying a
    word: it is the candidate's reply, and the follow-up stays in the answer."""
    iv = _scripted("interviews_blind45.yaml", "iwu_05")
    units, _truth, _true_speaker, exchanges = _read_by_one_voice(iv)
    said = next(u for u in units if u.text.startswith("If you take a job under two miles"))
    assert said.speaker == "candidate", said.why
    asked = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert len(exchanges) == 3 and not any("priority back" in q for q in asked), asked
    assert any("priority back" in " ".join(u.text for u in q) for q, _ in exchanges[1].followups)


@pytest.mark.parametrize("one_voice", [False, True])
def test_what_someone_in_the_story_tends_to_ask_is_no_closing(one_voice):
    """Blind51 ixa_05 (one voice): "I also asked the unit's nurses what parents tend to ask, which
    turned out to be the most useful part, actually." matched the closing's "what ... ask", so the
    last answer was cut there and ended 8.7 s early. Between "what" or "anything" and "ask" the
    closing has only words of asking the listener ("What would you like to ask?", "Anything else
    you want to ask me?"); the story's sentence stays in the answer, and the closing after it
    still ends it."""
    iv = json.loads(json.dumps(INTERVIEW))
    told = "I also asked the night bakers what customers tend to ask, which turned out to be the most useful part."
    iv["turns"][2]["sentences"].insert(4, ["A", told])
    iv["turns"].append({"closing": [["I", "Right, I've finished my questions. Is there anything you'd like to ask us?"],
                                    ["C", "No, I think you've covered it, thanks."]]})
    units, exchanges = (_read_by_one_voice(iv)[0::3] if one_voice else _laid_out(iv)[0::2])
    said = next(u for u in units if u.text == told)
    assert said.role == "answer" and said in exchanges[-1].answer, (said.role, said.why)
    last = next(u for u in units if u.text.startswith("Flour waste halved"))
    assert last in exchanges[-1].answer
    assert next(u for u in units if u.text.startswith("Right, I've finished")).role == "closing"


def test_asking_how_the_candidate_handled_someone_new_is_a_main_question_however_unsure_the_model(monkeypatch):
    """Blind51 ixa_10 (a terse candidate): "How did you handle a subcontractor disputing your
    valuation?" after a 4-second answer, answered in a few words, read as a follow-up of the first
    answer (turn model 0.13), so the first answer ran over the second. Asking how the candidate
    handled someone or something new (an indefinite word, nothing pointing back) starts a new answer
    whatever the turn model says, here a model that calls no such turn a main question; "How did you
    handle the pushback from him?" points back and stays a follow-up."""
    from rehearse.interview import turn_model

    main = turn_model.load(turn_model.model_path(rubric.load("interview")["structure"]))["main"]
    real = turn_model.probability
    # (the turns with no more new-story wording than "how did you handle": x[0] is that wording's score)
    monkeypatch.setattr(turn_model, "probability", lambda x, m: 0.01 if m is main and x[0] <= 0.5 else real(x, m))
    iv = json.loads(json.dumps(INTERVIEW))
    asked = "How did you handle a subcontractor disputing your valuation?"
    iv["turns"][2]["lead"] = "Okay."
    iv["turns"][2]["question"] = asked
    iv["turns"][1]["followups"] = [{"after": "end", "question": "How did you handle the pushback from him?",
                                    "sentences": [["A", "I showed him the contract and he signed."]]}]
    _units, _truth, exchanges = _laid_out(iv)
    asked_texts = [" ".join(u.text for u in ex.question) for ex in exchanges]
    assert any(asked in q for q in asked_texts), asked_texts
    assert not any("pushback" in q for q in asked_texts), asked_texts
