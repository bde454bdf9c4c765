"""Delivery on real synthesised speech with the real model: pauses (bands, positions, edges),
pace (timeline, per section, too-fast and too-slow stretches), the worst stretch in the
terminal report and the JSON fields, all checked against the generator's exact truth."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import rehearse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers as ra  # noqa: E402

# In band at first, fast in the middle (x1.3), slow at the end (x0.6); a 1.6 s silence
# between two sentences, a 1.4 s silence in mid-clause, a 0.5 s one after a comma.
ANSWER = {
    "id": "pace_test",
    "voice": "espeak:en-us",
    "rate": 0.8,
    "sentences": [
        ["S", "{um} Last winter our billing export failed every night, and the finance team rebuilt the numbers by hand."],
        ["T", "I owned the export, [0.5] so I had to find the cause and stop the manual work.", {"gap_s": 1.6}],
        ["A", "I read the logs from two weeks of failures and saw that every run stopped at the same table.", {"rate": 1.3}],
        ["A", "The table had grown past the memory limit, so I changed the export to stream the rows in small pages.", {"rate": 1.3}],
        ["A", "I added a test with a copy of the real table and an alert that fires when a run takes twice as long.", {"rate": 1.3}],
        ["R", "{uh} The export has not failed once since the [1.4] new code went live.", {"rate": 0.6}],
        ["R", "The finance team got back two hours every single morning.", {"rate": 0.6}],
    ],
}


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    for tool in ("espeak", "sox"):
        try:
            ra.check_tool(tool)
        except RuntimeError as e:
            pytest.fail(str(e))
    path = ra.render_answer(ANSWER, tmp_path_factory.mktemp("delivery"))
    truth = json.loads(path.with_suffix(".truth.json").read_text())
    from rehearse.pipeline import analyze

    return path, analyze(path), truth


def sentences_span(truth: dict, indices: list[int]) -> tuple[float, float]:
    return truth["sentences"][indices[0]]["start_s"], truth["sentences"][indices[-1]]["end_s"]


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def test_truth_has_the_designed_stretches(answer):
    _, _, truth = answer
    rates = [s["words_per_minute"] for s in truth["sentences"]]
    assert min(rates[2:5]) > 190 and max(rates[5:]) < 130, rates


def test_every_pause_of_a_fifth_of_a_second_is_found_with_exact_edges(answer):
    _, report, truth = answer
    for t in truth["pauses"]:
        found = [p for p in report.all_pauses if overlap((p.start_s, p.end_s), (t["start_s"], t["end_s"])) > 0]
        assert len(found) == 1, (t, found)
        p = found[0]
        assert p.start_s == pytest.approx(t["start_s"], abs=0.05), (p, t)
        assert p.end_s == pytest.approx(t["end_s"], abs=0.05), (p, t)
        assert p.band == t["band"], (p, t)
    durations = sorted(p.duration_s for p in report.all_pauses)
    assert durations[-2:] == [pytest.approx(1.4, abs=0.06), pytest.approx(1.6, abs=0.06)]


def test_pause_positions(answer):
    _, report, truth = answer

    def at(start_s: float):
        [p] = [p for p in report.all_pauses if abs(p.start_s - start_s) < 0.1]
        return p

    gap = next(t for t in truth["pauses"] if t["position"] == "between_sentences" and t["band"] == "long")
    assert at(gap["start_s"]).position == "between_sentences"
    mid = next(t for t in truth["pauses"] if t["where"] == "mid_clause")
    assert (at(mid["start_s"]).position, at(mid["start_s"]).mid_clause) == ("within_sentence", True)
    assert report.pause_stats.mid_clause >= 1
    assert report.pause_stats.by_band["long"] == 2
    # `pauses` keeps its meaning: the long ones (>= min_pause_s), between the answer's words
    assert [round(p.duration_s, 1) for p in report.pauses] == [1.6, 1.4]
    assert all(report.words[0].start_s < p.start_s < report.words[-1].end_s for p in report.all_pauses)


def test_words_per_minute_within_five_percent(answer):
    _, report, truth = answer
    assert report.pacing.words_per_minute == pytest.approx(truth["words_per_minute"], rel=0.05)
    assert report.pacing.speaking_span_s == pytest.approx(truth["speech_end_s"] - truth["speech_start_s"], abs=0.1)


def test_timeline_windows_cover_the_answer(answer):
    _, report, truth = answer
    p = report.pacing
    assert p.window_s == 10 and p.step_s == 2.5
    windows = p.timeline
    assert windows[0].start_s == pytest.approx(truth["speech_start_s"], abs=0.1)
    assert windows[-1].end_s == pytest.approx(truth["speech_end_s"], abs=0.1)
    assert all(w.end_s - w.start_s == pytest.approx(10, abs=1e-3) for w in windows)
    fast, slow = sentences_span(truth, [2, 3, 4]), sentences_span(truth, [5, 6])
    in_fast = [w.words_per_minute for w in windows if fast[0] <= w.start_s and w.end_s <= fast[1]]
    in_slow = [w.words_per_minute for w in windows if slow[0] <= w.start_s and w.end_s <= slow[1] + 0.1]
    assert in_fast and in_slow and min(in_fast) > max(in_slow) + 40, (in_fast, in_slow)
    assert p.variability is not None and p.variability > 0.15


def test_fast_and_slow_stretches_named_at_the_right_times(answer):
    _, report, truth = answer
    fast, slow = sentences_span(truth, [2, 3, 4]), sentences_span(truth, [5, 6])
    by_kind = {s.kind: s for s in report.pacing.stretches}
    assert set(by_kind) == {"fast", "slow"}, report.pacing.stretches
    f, s = by_kind["fast"], by_kind["slow"]
    assert f.words_per_minute > 160 and s.words_per_minute < 130
    assert overlap((f.start_s, f.end_s), fast) >= 0.6 * (fast[1] - fast[0]), (f, fast)
    assert overlap((f.start_s, f.end_s), slow) < 0.25 * (slow[1] - slow[0]), (f, slow)
    assert overlap((s.start_s, s.end_s), slow) >= 0.6 * (slow[1] - slow[0]), (s, slow)
    assert f.end_s <= s.start_s


def test_pace_per_star_section(answer):
    _, report, truth = answer
    sections = {s.label: s for s in report.pacing.sections}
    assert {"action", "result"} <= set(sections)
    assert sections["action"].words_per_minute > 160 > 130 > sections["result"].words_per_minute
    for label, s in sections.items():
        star = next(x for x in report.star.sections if x.label == label)
        assert (s.start_s, s.end_s) == (star.start_s, star.end_s)
    # words per section add up to the whole answer's count
    assert sum(s.words for s in sections.values()) == pytest.approx(report.pacing.word_count, abs=2)


def test_per_minute_and_top_fillers(answer):
    _, report, truth = answer
    [minute] = report.per_minute  # under a minute and a half: one row
    assert minute.words_per_minute == pytest.approx(report.pacing.words_per_minute, rel=0.01)
    assert minute.fillers == len(report.fillers)
    counts = {f.text: f.count for f in report.top_fillers}
    assert sum(counts.values()) <= len(report.fillers)
    assert report.top_fillers == sorted(report.top_fillers, key=lambda f: -f.count)


def test_worst_stretch_in_terminal_report(answer):
    from rich.console import Console

    from rehearse.report.terminal import render

    _, report, truth = answer
    worst = report.worst_stretch
    assert worst is not None
    assert re.fullmatch(r"\d:\d\d–\d:\d\d: \d+ fillers?, \d+ wpm(, \d+ mid-clause pauses?)?", worst.summary)
    # the worst stretch is the fast middle or the slow, hesitant end, not the calm start
    assert worst.start_s >= truth["sentences"][2]["start_s"] - 5
    buf = io.StringIO()
    render(report, Console(file=buf, width=80, color_system=None))
    out = buf.getvalue()
    assert "Worst stretch" in out and worst.summary in out
    assert "fast 0:" in out and "slow 0:" in out
    assert "By section" in out and re.search(r"[12] mid-clause", out)


def test_json_has_every_delivery_field(answer):
    path, _, _ = answer
    run = rehearse("analyze", str(path), "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert {"start_s", "end_s"} <= set(data["pauses"][0])
    assert {"words_per_minute", "articulation_wpm", "timeline", "sections", "stretches", "variability"} <= set(data["pacing"])
    assert {"start_s", "end_s", "duration_s", "band", "position", "mid_clause"} <= set(data["all_pauses"][0])
    assert {"by_band", "mid_clause", "between_sentences", "within_sentence", "total_s"} <= set(data["pause_stats"])
    assert {"minute", "words_per_minute", "fillers_per_minute"} <= set(data["per_minute"][0])
    assert {"summary", "fillers", "words_per_minute", "start_s", "end_s"} <= set(data["worst_stretch"])
    assert data["filler_target_per_minute"] == 3.0
    for f in data["fillers"]:
        assert {"text", "kind", "start_s", "end_s"} <= set(f)
