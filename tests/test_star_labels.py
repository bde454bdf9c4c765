"""The trained STAR labeller on real audio: results told as lessons and consequences, borderline
verdicts with a range, --explain naming the features, Whisper's broken sentences.

Answers are rendered at test time with scripts/corpus/render_answers.py (espeak-ng) and analysed
by the real pipeline with the real Whisper model.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from conftest import ROOT, corpus_answer, rehearse, require_tool

sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra  # noqa: E402

from rehearse import rubric  # noqa: E402
from rehearse.models import Sentence  # noqa: E402
from rehearse.star import classifier  # noqa: E402
from rehearse.star.label import score_star  # noqa: E402

# Written for this test: the Result is a failure's consequences and a lesson, with no metric and
# no "as a result"; the rule labeller called these Action (the flattering error of issue 19).
LESSON = {
    "id": "lesson",
    "sentences": [
        ["S", "I was a junior developer on a team that built a mobile banking app."],
        ["T", "My task was to add a new screen for recurring payments before the spring release."],
        ["A", "I built the screen, wrote the tests for it and merged it a day before the deadline."],
        ["R", "On release day the payments list crashed for customers with more than a hundred payments, and the app store reviews dropped to two stars."],
        ["R", "Support spent a whole week answering angry customers, and my manager had to explain it to the bank."],
        ["R", "I realized that I had only ever tested with a handful of payments on my own account."],
        ["R", "This could have been avoided if I had asked for a copy of real data before the release."],
        ["R", "Since then I always test with production-sized data, and I wrote the checklist our team still uses."],
    ],
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    require_tool("espeak-ng", "espeak-ng")
    require_tool("sox", "sox")
    out = tmp_path_factory.mktemp("star_labels")
    near = corpus_answer("star_realstyle.yaml", "rs029")  # Action 51 % by its author's labels
    return {"lesson": ra.render_answer(LESSON, out, voice="espeak:en-us"),
            "near": ra.render_answer(near, out, voice="espeak:en-gb")}


@pytest.fixture(scope="module")
def near_json(rendered):
    """The near-threshold answer through the real command line, `analyze --json`."""
    run = rehearse("analyze", str(rendered["near"]), "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.fixture(scope="module")
def analysed(rendered, near_json):
    """Both answers analysed by the real pipeline: "lesson" in this process, "near" by the command line
    (near_json: the same `pipeline.analyze`, whose JSON test_share_near_the_threshold... checks too)."""
    from rehearse.models import Report
    from rehearse.pipeline import analyze

    return {"lesson": analyze(rendered["lesson"]), "near": Report.model_validate(near_json)}


def truth(rendered, name: str) -> dict:
    return json.loads(rendered[name].with_suffix(".truth.json").read_text())


def test_lesson_and_consequences_are_result(analysed, rendered):
    star, t = analysed["lesson"].star, truth(rendered, "lesson")
    for phrase in ("crashed", "angry customers", "realized", "could have been avoided", "since then"):
        s = next(s for s in star.sentences if phrase in s.text.lower())
        assert s.label == "result", (phrase, s.label, s.features)
    assert not star.action_dominant and not t["action_dominant"]
    got = {s.label: s.share for s in star.sections}
    assert got["result"] == pytest.approx(t["section_shares"]["result"], abs=0.08), got
    assert star.confidence.method == "trained" and star.confidence.verdict == "not_dominant"


def test_share_near_the_threshold_is_borderline_with_a_range(analysed, rendered, near_json):
    star = analysed["near"].star
    conf = star.confidence
    assert conf.borderline and conf.verdict == "borderline", conf
    assert conf.share_low < star.dominance_threshold <= conf.share_high, conf
    assert conf.share_low <= star.action_share <= conf.share_high
    assert set(conf.section_ranges) == {"situation", "task", "action", "result"}
    assert isinstance(star.action_dominant, bool)  # the yes/no stays, unchanged in meaning

    run = rehearse("analyze", str(rendered["near"]))
    assert run.code == 0, run.err
    text = re.sub(r"[\s│]+", " ", run.out)
    m = re.search(r"Action (\d+)–(\d+) %: borderline", text)
    assert m and int(m[1]) < 50 <= int(m[2]), text

    data = near_json["star"]  # `analyze --json`
    assert data["confidence"]["verdict"] == "borderline" and "action_dominant" in data


def test_explain_names_the_features_behind_each_label(rendered):
    run = rehearse("analyze", str(rendered["lesson"]), "--explain")
    assert run.code == 0, run.err
    out = re.sub(r"[\s│]+", " ", run.out)
    assert "Why each sentence got its STAR label" in out
    assert re.search(r"\d+% sure; result over \w+: ", out), out
    assert "lesson words" in out or "I learned / I realized" in out  # a [[features]] name of rubrics/star.toml
    assert "previous sentence: " in out or "next sentence: " in out


def _timed(texts: list[str], gaps: list[float]) -> list[Sentence]:
    out, t = [], 0.0
    for i, (text, gap) in enumerate(zip(texts, gaps)):
        d = len(text.split()) / 2.5
        out.append(Sentence(index=i, text=text, start_s=round(t, 2), end_s=round(t + d, 2), word_start=i, word_end=i + 1))
        t += d + gap
    return out


def test_a_sentence_whisper_broke_in_two_gets_one_label():
    """tiny.en ends a sentence mid-clause ('… using shifts instead of.' / 'Loading data.'): the
    broken-off piece is joined to its sentence and does not start a section of its own."""
    texts = ["I was a data engineer on a team that ran the nightly reports for a retail chain.",
             "My job was to make the reports ready before the stores opened.",
             "I rewrote the import so that it ran in parallel using shifts instead of.",
             "Loading data.",
             "I also added an alert that fires when the import runs late.",
             "The reports have been ready by six every morning since, and the store managers stopped calling us."]
    star = score_star(_timed(texts, [0.5, 0.5, 0.05, 0.5, 0.5, 0.5]), rubric.load("star"))
    rewrote = next(s for s in star.sentences if "rewrote" in s.text)
    assert "Loading data." in rewrote.text and rewrote.label == "action"
    assert [s.label for s in star.sentences] == ["situation", "task", "action", "action", "result"]


def test_rubric_without_model_uses_its_cues(tmp_path):
    """A rubric that names no model is labelled by its cue weights: no features, method 'rules'."""
    text = (ROOT / "rubrics" / "star.toml").read_text()
    assert 'model = "star_model.json"' in text
    path = tmp_path / "rules_star.toml"
    path.write_text(text.replace('model = "star_model.json"', ""))
    texts = [s[1] for s in LESSON["sentences"]]
    rules = score_star(_timed(texts, [0.5] * len(texts)), rubric.load(str(path)))
    assert rules.confidence.method == "rules" and not any(s.features for s in rules.sentences)
    trained = score_star(_timed(texts, [0.5] * len(texts)), rubric.load("star"))
    assert trained.confidence.method == "trained" and all(s.features for s in trained.sentences)


def test_model_is_read_once_per_process():
    classifier.load_model.cache_clear()
    texts = [s[1] for s in LESSON["sentences"]]
    for _ in range(3):
        score_star(_timed(texts, [0.5] * len(texts)), rubric.load("star"))
    info = classifier.load_model.cache_info()
    assert info.misses == 1 and info.hits == 2, info


def test_cues_matched_once_give_the_features_of_matching_them_again():
    """The labeller matches each cue once per sentence and shares the hits between the rule
    scores and the features (a speed-up): the features and the cues listed for --explain are
    exactly those of matching every pattern again."""
    from rehearse.star import trained
    from rehearse.star.label import compile_cues

    star_rubric = rubric.load("star")
    texts = [s[1] for s in LESSON["sentences"]]
    sents = _timed(texts, [0.5] * len(texts))
    names, X, _, fired = trained._features(sents, star_rubric)
    rows, fired_again = trained.rule_rows(sents, star_rubric)
    middle, _, _ = trained.positions(sents)
    names_again, X_again = classifier.sentence_features(texts, middle, rows, compile_cues(star_rubric),
                                                        classifier.compile_features(star_rubric), star_rubric["sections"])
    assert names == names_again and (X == X_again).all() and fired == fired_again
    assert any(v for f in fired for v in f.values())  # some cue fired, so the comparison means something


def test_warm_up_compiles_what_labelling_needs_once():
    """`rehearse analyze` compiles the STAR patterns and reads the weights while Whisper
    transcribes: labelling afterwards reads nothing again."""
    from rehearse.star import prepare

    classifier.load_model.cache_clear()
    star_rubric = rubric.load("star")
    prepare.warm_in_background(star_rubric).join()
    assert classifier.load_model.cache_info().misses == 1
    texts = [s[1] for s in LESSON["sentences"]]
    score_star(_timed(texts, [0.5] * len(texts)), star_rubric)
    info = classifier.load_model.cache_info()
    assert info.misses == 1 and info.hits >= 1, info
