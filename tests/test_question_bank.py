"""The practice question bank and `rehearse questions`."""

from __future__ import annotations

import json

import pytest
from conftest import rehearse

from rehearse import rubric
from rehearse.errors import RehearseError
from rehearse.practice import question_bank

PRINCIPLES = {p["name"] for p in rubric.load("principles")["principle"]}


def test_bank_has_forty_questions_each_fully_tagged():
    bank = question_bank.load()
    assert len(bank) >= 40
    ids = [q["id"] for q in bank]
    assert len(set(ids)) == len(ids)
    assert len({q["text"] for q in bank}) == len(bank)
    for q in bank:
        assert q["text"].strip().endswith((".", "?")), q
        assert q["principles"] and set(q["principles"]) <= PRINCIPLES, q
        assert q["levels"] and set(q["levels"]) <= set(question_bank.LEVELS), q
        assert 45 <= q["target_s"] <= 240, q
    # every principle and every level has questions to practise
    assert {p for q in bank for p in q["principles"]} == PRINCIPLES
    for level in question_bank.LEVELS:
        assert len(question_bank.select(level=level)) >= 10, level


def test_questions_command_filters_by_principle_and_level():
    run = rehearse("questions", "--lp", "deep dive", "--level", "Intern", "--json")
    assert run.code == 0, run.err
    got = json.loads(run.out)
    assert got and all("Dive Deep" in q["principles"] and "intern" in q["level"] for q in got)
    everything = json.loads(rehearse("questions", "--json").out)
    expected = [q for q in everything if "Dive Deep" in q["principles"] and "intern" in q["level"]]
    assert got == expected


def test_questions_command_table_lists_them():
    run = rehearse("questions", "--lp", "Frugality")
    assert run.code == 0 and "frugal-cut-cost" in run.out


@pytest.mark.parametrize("args, problem", [
    (("questions", "--lp", "Telepathy"), "unknown Leadership Principle"),
    (("questions", "--level", "wizard"), "unknown level"),
    (("practice", "--id", "no-such-question", "--no-prep"), "no question with this id"),
    (("practice", "--question", "  ", "--no-prep"), "the question text is empty"),
    (("practice", "--question", "Q?", "--max-seconds", "0"), "must be a positive number"),
])
def test_bad_choices_are_one_line_errors(args, problem):
    run = rehearse(*args)
    assert run.code == 2 and problem in run.err and run.err.count("\n") == 1, run.err


def test_choose_picks_by_id_text_or_at_random_within_the_filter():
    q = question_bank.choose(qid="deep-root-cause")
    assert q.id == "deep-root-cause" and q.principles == ["Dive Deep"] and q.target_s == 150
    own = question_bank.choose(text="Why us?", lp="ownership", default_target_s=90)
    assert own.text == "Why us?" and own.id is None and own.principles == ["Ownership"] and own.target_s == 90
    import random

    picked = {question_bank.choose(lp="Bias for Action", rng=random.Random(seed)).id for seed in range(40)}
    assert picked == {q["id"] for q in question_bank.select("Bias for Action")}
    with pytest.raises(RehearseError):
        question_bank.choose(lp="Insist on the Highest Standards", level="intern")
