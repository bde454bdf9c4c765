"""STAR scorer on real audio: findings with evidence, principles, follow-ups, score, rubrics.

Each answer below is rendered at test time with scripts/corpus/render_answers.py (espeak-ng, exact
truth times) and analysed once by the real pipeline with the real Whisper model.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml
from conftest import ROOT, rehearse, require_tool

sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra  # noqa: E402

from rehearse import rubric  # noqa: E402
from rehearse.star.label import score_star  # noqa: E402

VOICE = "espeak:en-us"

# Written for these tests. Each weak answer carries several failure modes at once.
WEAK = {  # context-heavy, "we" in the action, no number, no lesson, hedged, problem framed late, short
    "id": "weak",
    "sentences": [
        ["S", "I think this was maybe two years ago, on a team that looked after the billing system of a retail company."],
        ["S", "The system was old, and the code was kind of spread over several repositories."],
        ["S", "There were four of us on the team, with a new manager and a weekly on-call rotation."],
        ["S", "The invoices were generated every night by a batch job that people were wary of touching."],
        ["T", "I was asked to maybe look at whether the nightly job could be made more reliable."],
        ["A", "We looked at the logs together, and we found that the job sometimes ran twice."],
        ["A", "We added a lock so that only one copy could run, and we deployed it on a Friday."],
        ["R", "I think it worked out fine in the end, and the team was happy with it."],
    ],
}
HERO = {  # heroics without mechanisms; no task section
    "id": "hero",
    "sentences": [
        ["S", "On the night before a big product launch, our search service started timing out for every customer."],
        ["A", "I told the rest of the team to go home and said I would handle it on my own."],
        ["A", "I stayed up the whole night reading the code, and at three in the morning I found a slow query."],
        ["A", "I changed the query by hand directly on the production database, because there was no time for a review."],
        ["A", "Then I restarted every server one by one and watched the graphs until the morning."],
        ["R", "The launch went ahead on time, and my manager thanked me in front of the whole company."],
    ],
}
GENERIC = {  # values talk, no specific past event
    "id": "generic",
    "sentences": [
        ["S", "In my current role I work on a platform team that supports many internal services."],
        ["T", "For me, ownership means treating every problem as my own problem."],
        ["A", "I always take ownership when something breaks, and I make sure it gets fixed properly."],
        ["A", "I communicate clearly with stakeholders, and I keep everyone updated until things are resolved."],
        ["A", "I never wait for permission when something clearly needs to be done."],
        ["R", "Because of that, people trust me, and I usually get very good feedback in my reviews."],
    ],
}

ROUTINE = {  # long context told with "we" + past verbs that describe how things were, not steps
    "id": "routine",
    "sentences": [
        ["S", "Two years ago I was on a team that ran the checkout service for an online shop."],
        ["S", "We deployed once every two weeks, on a Thursday evening, and a separate team ran the releases."],
        ["S", "We kept three copies of the pricing rules, and they drifted apart every month or so."],
        ["S", "Every release, somebody spent a whole day comparing them by hand before the deploy."],
        ["T", "I was asked to make the pricing rules consistent before the holiday sales."],
        ["A", "I wrote a script that compared the three copies and flagged every difference."],
        ["A", "Then I moved the rules into one shared file and added a test that fails when they differ."],
        ["R", "The drift stopped, and the release checks went from a day to about ten minutes."],
    ],
}


def strong_answer() -> dict:
    """A strong, action-dominant answer of the tuning corpus (about two minutes)."""
    answers = yaml.safe_load((ROOT / "scripts" / "corpus" / "star_answers.yaml").read_text())["answers"]
    return next(a for a in answers if a["id"] == "own01")


ANSWERS = {"weak": WEAK, "hero": HERO, "generic": GENERIC, "routine": ROUTINE}

# finding id -> the answers that must show it
EXPECTED = {
    "context_too_long": ["weak"],
    "action_told_as_we": ["weak"],
    "no_measurable_result": ["weak", "hero"],
    "no_lesson": ["weak", "hero"],
    "hedging": ["weak"],
    "late_framing": ["weak"],
    "no_tradeoff": ["weak", "hero"],
    "too_short": ["weak", "hero", "generic"],
    "heroics_without_mechanisms": ["hero"],
    "generic_values": ["generic"],
}
WEAK_FINDINGS = set(EXPECTED) | {"too_long"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    require_tool("espeak-ng", "espeak-ng")
    require_tool("sox", "sox")
    out = tmp_path_factory.mktemp("star_answers")
    paths = {name: ra.render_answer(a, out, voice=VOICE) for name, a in ANSWERS.items()}
    paths["strong"] = ra.render_answer(strong_answer(), out, voice=VOICE)
    return paths


@pytest.fixture(scope="module")
def analysed(rendered):
    """Each rendered answer through the real pipeline, once."""
    from rehearse.pipeline import analyze

    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = analyze(rendered[name])
        return cache[name]

    return get


def truth(rendered, name: str) -> dict:
    return json.loads(rendered[name].with_suffix(".truth.json").read_text())


@pytest.mark.parametrize("finding,name", [(f, n) for f, names in EXPECTED.items() for n in names])
def test_finding_fires_with_evidence(finding, name, analysed):
    report = analysed(name)
    found = {f.id: f for f in report.star.findings}
    assert finding in found, (finding, [f.id for f in report.star.findings], report.transcript)
    f = found[finding]
    assert f.title and f.detail and f.suggestion
    assert f.evidence, f
    first, last = report.sentences[0].start_s, report.sentences[-1].end_s
    for e in f.evidence:
        assert first - 0.01 <= e.start_s < e.end_s <= last + 0.01, e
        words = e.quote.replace("…", "").split()
        assert " ".join(words[:3]).lower() in report.transcript.lower(), (e.quote, report.transcript)


def test_evidence_points_at_the_right_place(analysed, rendered):
    """The hedges and the "we" sentences are quoted from where they were said."""
    report = analysed("weak")
    t = truth(rendered, "weak")
    found = {f.id: f for f in report.star.findings}
    action = [s for s in t["sentences"] if s["label"] == "action"]
    for e in found["action_told_as_we"].evidence:
        assert any(abs(e.start_s - s["start_s"]) < 1.0 for s in action), (e, action)
        assert "we" in e.quote.lower().split()
    for e in found["hedging"].evidence:
        assert any(h in e.quote.lower() for h in ("think", "maybe", "kind of")), e


def test_strong_answer_triggers_none_of_them(analysed, rendered):
    report = analysed("strong")
    star = report.star
    assert not {f.id for f in star.findings} & WEAK_FINDINGS, [(f.id, f.detail) for f in star.findings]
    assert star.action_dominant and truth(rendered, "strong")["action_dominant"]
    assert star.missing == []
    assert star.score.total >= 85, star.score


def test_section_shares_follow_truth(analysed, rendered):
    for name in ("weak", "strong"):
        report, t = analysed(name), truth(rendered, name)
        for s in report.star.sections:
            assert s.share == pytest.approx(t["section_shares"][s.label], abs=0.06), (name, s)
        assert report.star.action_dominant == t["action_dominant"]


def test_routine_told_with_we_stays_situation(analysed, rendered):
    """"We deployed once every two weeks" describes how things were: it stays in the Situation,
    so the context-heavy answer is not mistaken for an action-dominant one."""
    report, t = analysed("routine"), truth(rendered, "routine")
    for s in report.star.sections:
        assert s.share == pytest.approx(t["section_shares"][s.label], abs=0.08), s
    assert not report.star.action_dominant and not t["action_dominant"]
    routine = next(s for s in report.star.sentences if "two weeks" in s.text.lower())
    assert routine.label == "situation", routine
    assert any("how often" in c for c in routine.cues_by_section["situation"]), routine.cues_by_section


def test_fragments_join_a_neighbour_before_labelling():
    """Filler-only sentences join the next sentence; a short piece broken off with no gap joins
    the one before; real short sentences after a pause stay on their own."""
    from rehearse.models import Sentence
    from rehearse.star.label import merge_fragments

    def sent(i, text, a, b):
        return Sentence(index=i, text=text, start_s=a, end_s=b, word_start=i, word_end=i + 1)

    pieces = [sent(0, "Um.", 0.0, 0.4), sent(1, "We had three databases to keep in sync.", 0.9, 3.0),
              sent(2, "By hand.", 3.0, 3.6), sent(3, "It worked.", 4.5, 5.2), sent(4, "Okay.", 5.8, 6.1)]
    merged = merge_fragments(pieces, rubric.load("star"))
    assert [m.text for m in merged] == ["Um. We had three databases to keep in sync. By hand.", "It worked. Okay."]
    assert (merged[0].start_s, merged[0].end_s, merged[1].start_s, merged[1].end_s) == (0.0, 3.6, 4.5, 6.1)
    star = score_star(pieces, rubric.load("star"))
    assert len(star.sentences) == 2 and star.sections[0].start_s == 0.0
    assert star.span_s == pytest.approx(6.1)


def test_missing_section_is_reported_missing(analysed):
    star = analysed("hero").star
    task = next(s for s in star.sections if s.label == "task")
    assert "task" in star.missing
    assert not task.present and task.start_s is None and task.end_s is None and task.share == 0
    assert any("role" in q.question or "asked to achieve" in q.question for q in star.followups), star.followups


def test_score_parts_sum_to_total(analysed):
    weights = {p["name"]: p["weight"] for p in rubric.load("star")["score"]["parts"]}
    scores = {}
    for name in ("weak", "hero", "generic", "strong"):
        score = analysed(name).star.score
        assert [p.name for p in score.parts] == list(weights)
        assert score.total == pytest.approx(sum(p.points for p in score.parts), abs=0.15)
        for p in score.parts:
            assert 0 <= p.value <= 1
            assert p.points == pytest.approx(100 * weights[p.name] * p.value / sum(weights.values()), abs=0.06)
        scores[name] = score.total
    assert scores["strong"] > max(scores["weak"], scores["hero"], scores["generic"]) + 15, scores


def test_followups_come_from_the_gaps(analysed):
    questions = [q.question for q in analysed("weak").star.followups]
    assert len(questions) == 3 == len(set(questions))
    text = " ".join(questions)
    assert "How did you know it worked" in text or "What exactly did you do yourself" in text, questions
    hero = " ".join(q.question for q in analysed("hero").star.followups)
    assert "role" in hero or "so it would not happen again" in hero or "How did you know" in hero, hero


def test_principles_shown_and_asked(analysed):
    strong = analysed("strong").star
    assert {"Dive Deep", "Ownership"} <= {p.name for p in strong.principles}, strong.principles
    for p in strong.principles:
        assert p.shown and p.cues and p.evidence
    asked = score_star(analysed("strong").sentences, rubric.load("star"), lp="dive deep").asked_principle
    assert asked.name == "Dive Deep" and asked.shown and asked.suggestion is None
    weak = score_star(analysed("generic").sentences, rubric.load("star"), lp="Dive Deep").asked_principle
    assert not weak.shown and "Dive Deep" in weak.suggestion


def test_tips_draw_on_findings_and_keep_delivery(analysed):
    report = analysed("generic")
    suggestions = {f.suggestion for f in report.star.findings}
    assert any(any(s in tip for s in suggestions) for tip in report.tips), report.tips
    assert len(report.tips) == 3


def test_car_rubric_on_real_audio(analysed, rendered):
    """Another format: Challenge (situation + task), Action, Result, from the same transcript."""
    car = rubric.load("car")
    for name in ("weak", "strong"):
        report, t = analysed(name), truth(rendered, name)
        star = score_star(report.sentences, car)
        assert [s.label for s in star.sections] == ["challenge", "action", "result"]
        want = t["section_shares"]
        got = {s.label: s.share for s in star.sections}
        assert got["challenge"] == pytest.approx(want["situation"] + want["task"], abs=0.06), (name, got, want)
        assert got["action"] == pytest.approx(want["action"], abs=0.06)
        assert star.action_dominant == t["action_dominant"]
        assert {s.label for s in star.sentences} <= {"challenge", "action", "result"}


def test_cli_explain_lp_and_car_json(rendered):
    run = rehearse("analyze", str(rendered["weak"]), "--explain", "--lp", "Dive Deep")
    assert run.code == 0, run.err
    out = re.sub(r"[\s│]+", " ", run.out)  # wrapped lines joined
    assert "Why each sentence got its STAR label" in out
    for label in ("situation", "task", "action", "result"):
        assert label in out
    assert "team did something (we)" in out  # a cue name from rubrics/star.toml
    assert "Asked: Dive Deep" in out and "not shown" in out
    assert "Context too long" in out and "Follow-ups" in out and "Structure score" in out

    run = rehearse("analyze", str(rendered["hero"]), "--json", "--rubric", "car")
    assert run.code == 0, run.err
    star = json.loads(run.out)["star"]
    assert star["rubric"] == "CAR" and isinstance(star["action_dominant"], bool)
    assert [s["label"] for s in star["sections"]] == ["challenge", "action", "result"]
    for f in star["findings"]:
        assert f["suggestion"] and all({"quote", "start_s", "end_s"} <= e.keys() for e in f["evidence"])
    assert star["score"]["parts"] and len(star["followups"]) == 3


def test_custom_rubric_path_changes_the_length_rule(tmp_path, analysed):
    """Thresholds are data: a copy of star.toml with a 60 s ceiling makes the strong answer too long."""
    text = (ROOT / "rubrics" / "star.toml").read_text().replace("max_s = 180", "max_s = 60")
    path = tmp_path / "short_star.toml"
    path.write_text(text)
    star = score_star(analysed("strong").sentences, rubric.load(str(path)))
    assert "too_long" in {f.id for f in star.findings}


def test_unknown_principle_is_one_line_error(rendered):
    run = rehearse("analyze", str(rendered["generic"]), "--lp", "Be Nice")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "unknown Leadership Principle" in run.err
