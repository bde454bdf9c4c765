"""The transcript cut into units (one speaker each): at sentence ends, at long silences, and at a
short silence where a question and a story meet inside one sentence Whisper wrote (issue 20).
Word times as Whisper gives them for such a sentence: no gap between the words on either side of
the silence, which only the voice activity shows."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse import rubric
from rehearse.audio.decode import SAMPLE_RATE
from rehearse.interview.turns import _cut_at_short_silences, make_units
from rehearse.models import Span, Word


def _heard(parts: list[str], silence_s: float, word_s: float = 0.3):
    """Words of `parts` back to back (as Whisper times them across a short silence: no gap), and
    voice activity with `silence_s` of silence where one part meets the next."""
    words, t = [], 0.2
    edges = []
    for part in parts:
        for w in part.split():
            words.append(Word(start_s=round(t, 3), end_s=round(t + word_s, 3), text=w, probability=0.9))
            t += word_s
        edges.append(t)
    speech, start = [], 0.2
    for edge in edges[:-1]:
        speech.append(Span(start_s=round(start, 3), end_s=round(edge - silence_s / 2, 3)))
        start = edge + silence_s / 2
    speech.append(Span(start_s=round(start, 3), end_s=round(t, 3)))
    samples = np.zeros(int((t + 1.0) * SAMPLE_RATE), dtype=np.float32)
    return words, speech, samples


def _units(parts: list[str], silence_s: float) -> list[str]:
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
    assert _units(parts, 0.2) == [" ".join(parts)]
