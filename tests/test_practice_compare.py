"""The new attempt against the previous one: the rows `rehearse practice` shows after a retry
(the retry itself, on a real terminal and microphone, is in test_practice_mic.py)."""

from __future__ import annotations

from rehearse.practice.compare import rows


def test_comparison_rows_give_section_times_pace_and_fillers(analyzed):
    before, after = analyzed("filler_heavy"), analyzed("strong_answer")
    table = {name: (a, b, change) for name, a, b, change in rows(before, after)}
    action = next(s for s in after.star.sections if s.label == "action").duration_s
    assert table["Action time"][1] == f"{action:.0f} s"
    assert table["Pace"][0] == f"{before.pacing.words_per_minute:.0f} wpm"
    assert table["Fillers"] == (str(len(before.fillers)), str(len(after.fillers)),
                                f"{len(after.fillers) - len(before.fillers):+d}")
    assert {f"{label.capitalize()} time" for label in ("situation", "task", "action", "result")} <= set(table)
