"""The transcript cut into units (one speaker each): at sentence ends, at long silences, and at a
short silence where a question and a story meet inside one sentence Whisper wrote (issue 20).
Word times as Whisper gives them for such a sentence: no gap between the words on either side of
the silence, which only the voice activity shows."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.interview.turns import (
    _cut_at_closing_wording,
    _cut_at_short_silences,
    make_units,
)
from rehearse.models import Span, Word


def _heard(parts: list[str], silence_s: float | list[float], word_s: float = 0.3):
    """Words of `parts` back to back (as Whisper times them across a short silence: no gap), and
    voice activity with `silence_s` of silence (one for each meeting, or the same for all) where
    one part meets the next."""
    words, t = [], 0.2
    edges = []
    for part in parts:
        for w in part.split():
            words.append(Word(start_s=round(t, 3), end_s=round(t + word_s, 3), text=w, probability=0.9))
            t += word_s
        edges.append(t)
    speech, start = [], 0.2
    gaps = silence_s if isinstance(silence_s, list) else [silence_s] * len(edges)
    for edge, gap in zip(edges[:-1], gaps):
        speech.append(Span(start_s=round(start, 3), end_s=round(edge - gap / 2, 3)))
        start = edge + gap / 2
    speech.append(Span(start_s=round(start, 3), end_s=round(t, 3)))
    samples = np.zeros(int((t + 1.0) * SAMPLE_RATE), dtype=np.float32)
    return words, speech, samples


def _units(parts: list[str], silence_s: float | list[float]) -> list[str]:
    cfg = rubric.load("interview")
    words, speech, samples = _heard(parts, silence_s)
    units = make_units(words, cfg["units"]["gap_s"], speech, cfg["units"]["reach_s"])
    assert len(units) == 1, [u.text for u in units]  # the short silence alone does not cut it
    return [u.text for u in _cut_at_short_silences(units, samples, speech, None, cfg)]


@pytest.mark.parametrize("parts", [
    ["Talk me through an incident on the shop floor that you handled",
     "about a month into my first job as a supervisor a customer fainted at the till."],
    ["Describe a situation where a delivery went badly wrong",
     "last spring our biggest order left the yard two days late because I had misread the date."],
    ["Afterwards I moved the first aid kit to the shop floor because it had taken a minute to fetch",
     "What's something you changed in a team that made a real difference?"],
    ["Any time you've gone past what the job strictly asked of you at a client's site",
     "we had a big contract with a factory that ran three shifts and I looked after it."],
])
def test_a_question_and_a_story_whisper_wrote_as_one_sentence_are_cut_at_the_short_silence(parts):
    """Blind24 ivz_05 and blind26 iwb_07 (one voice, 0.4 s between question and answer): the
    question and the answer's first words, or an answer's last words and the next question, in one
    sentence."""
    assert _units(parts, 0.4) == parts


def test_a_follow_up_and_its_reply_a_fifth_of_a_second_apart_are_cut():
    """Blind27 iwc_03 (one espeak voice): Whisper wrote the follow-up and the reply as one
    sentence, and the voice activity shows only 0.22 s of silence between them."""
    parts = ["How do you even measure that", "with a micrometer and I under tightened the first one."]
    assert _units(parts, 0.22) == parts


@pytest.mark.parametrize("parts", [
    ["How did we fix it", "we rolled the release back within ten minutes and paged the owner."],
    ["About a month into my first job as a supervisor", "a customer fainted at the till on a Saturday."],
    ["Tell me about a time you missed a deadline", "and what you would do differently now."],
])
def test_a_pause_inside_a_story_or_inside_a_question_is_not_cut(parts):
    """A candidate's rhetorical question and the story after it, a pause in a story, a pause in a
    long question: one side does not ask with no "I" or "we", or the other does not tell in the
    first person."""
    assert _units(parts, 0.4) == [" ".join(parts)]


def test_a_question_and_a_story_without_a_silence_between_them_are_not_cut():
    parts = ["Talk me through an incident on the shop floor that you handled",
             "about a month into my first job as a supervisor a customer fainted at the till."]
    assert _units(parts, 0.1) == [" ".join(parts)]


def test_the_longest_silence_is_cut_first():
    """Blind24 ivz_05 (one voice): a pause inside the question (0.25 s) and a longer one before the
    answer (0.45 s): the cut is at the longer one, so the question keeps its words ("Talk me through
    an incident | on the gym floor that you handled" had become the question and the answer)."""
    parts = ["Talk me through an incident", "on the gym floor that you handled",
             "about a month into my first job as a supervisor a customer fainted at the till."]
    assert _units(parts, [0.25, 0.45]) == [" ".join(parts[:2]), parts[2]]


def test_a_story_that_goes_on_in_lower_case_after_a_very_short_pause_is_not_cut():
    """Blind28 iwd_01: "What I took from it [0.25 s] is that the quiet routine jobs ..." goes on
    with its sentence, though "is that ..." opens like a question; after a longer silence a story's
    words that run on into a question in lower case are cut (blind23 ivy_04: "..., and did the
    checklist stick or did it fade out after a month.", 0.36 s)."""
    lesson = ["What I took from it", "is that the quiet routine jobs are the best place to practise for the hard ones."]
    assert _units(lesson, 0.25) == [" ".join(lesson)]
    run_on = ["Since then I have used a prep checklist on every car even when it is busy",
              "and did the checklist stick or did it fade out after a month?"]
    assert _units(run_on, 0.36) == run_on


def test_the_closing_run_into_the_last_words_of_a_story_is_cut():
    """Blind29 iwe_04 (one espeak voice): Whisper wrote the candidate's last sentence and the
    interviewer's "Brilliant. Right, is there anything you'd like to ask me?" as one sentence, 0.36 s
    of silence between them; the closing opens with no question wording, and its "me" is the
    listener's."""
    parts = ["Honestly I think I was the only person in the building who noticed",
             "brilliant right is there anything you'd like to ask me."]
    assert _units(parts, 0.36) == parts


def test_the_closing_run_into_a_last_sentence_with_no_i_or_we_is_cut():
    """Blind38 iwn_02 (one flite voice): the candidate's last sentence says no "I" or "we" ("And
    since then any change to the ration has a quality check written into it,") and Whisper ran it
    into the interviewer's "that's all from me." across 0.29 s of silence; the answer ended 4.5 s
    early. A statement before the closing is cut from it as a first-person story is."""
    parts = ["And since then any change to the ration has a quality check written into it",
             "that's all from me."]
    assert _units(parts, 0.29) == parts
    story = [parts[0], "and the losses on that line have not come back since."]
    assert _units(story, 0.29) == [" ".join(story)]  # no closing: the story's own pause


def _closing_cut(said: str) -> list[str]:
    """One voice: `said` heard with no silence anywhere, cut where the closing's wording starts."""
    cfg = rubric.load("interview")
    words, speech, samples = _heard([said], 0.0)
    units = make_units(words, cfg["units"]["gap_s"], speech, cfg["units"]["reach_s"])
    return [u.text for u in _cut_at_closing_wording(units, samples, None, cfg)]


def test_the_closing_run_into_the_last_statement_with_no_silence_is_cut_where_its_wording_starts():
    """Blind39 iwo_04 (one flite voice): the candidate's last sentence and the interviewer's
    "That's all from me." came with no gap, and Whisper wrote them as one sentence ("... when it was
    admin that's all from me."): the last answer ended 5 s late, at the end of the closing's
    invitation. With one voice the closing's wording starts the interviewer's turn."""
    said = "The mistake really was assuming the problem was selling when it was admin that's all from me."
    assert _closing_cut(said) == ["The mistake really was assuming the problem was selling when it was admin",
                                  "that's all from me."]


def test_a_chat_question_run_into_the_last_statement_is_cut_where_its_clause_starts():
    """Blind43 iws_02 (one flite voice): Whisper wrote the candidate's last result and their own
    request for water as one sentence ("... went from about 1 in 20 to maybe one in 50, sorry, could
    I grab some water?"), and the whole unit went to the interviewer for its question: the answer
    ended 6.6 s early. A question of chat after a statement is cut where its clause starts, with
    the apology opening it; chat words inside the story ("a cup of tea, which ...") are not cut."""
    said = "Returns went from about one in twenty to maybe one in fifty, sorry, could I grab some water?"
    assert _closing_cut(said) == ["Returns went from about one in twenty to maybe one in fifty,",
                                  "sorry, could I grab some water?"]
    story = "Then I made everyone a cup of tea, which calmed the whole room down."
    assert _closing_cut(story) == [story]


@pytest.mark.parametrize("said", [
    "Okay great thanks that's all from me.",  # an acknowledgement, too short to be a statement
    "We kept the notes short and that's all from me.",  # the statement is left open
    "Did the new rota hold up after that's all from me.",  # it asks
    "That's all from me, anything you'd like to ask?",  # the closing opens the unit
])
def test_the_closing_is_not_cut_from_what_is_no_statement(said):
    assert _closing_cut(said) == [said]


def test_a_question_and_the_scene_of_the_story_are_cut_at_the_short_silence():
    """Blind33 iwi_03 (one flite voice): the candidate's "{er} About four years ago," came out as
    "for about four years ago." at the end of the question's sentence, 0.26 s after it; a piece that
    sets the story's scene in time is the story, though it says no "I" or "we". A piece of the
    question that speaks to "you" is not cut off, scene words or not."""
    parts = ["Talk me through how you handle a part you've broken yourself", "for about four years ago."]
    assert _units(parts, 0.26) == parts
    asked = ["Think of a time", "in the last year when you disagreed with your manager."]
    assert _units(asked, 0.26) == [" ".join(asked)]
