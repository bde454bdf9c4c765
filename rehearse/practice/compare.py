"""A new attempt at a question against the previous one: time per section, pace, fillers."""

from __future__ import annotations

from rich.table import Table

from rehearse.clock import clock
from rehearse.models import Report


def _seconds(report: Report) -> dict[str, float]:
    return {s.label: s.duration_s for s in report.star.sections}


def rows(previous: Report, new: Report) -> list[tuple[str, str, str, str]]:
    """(measure, previous, this attempt, change) for each STAR section, length, pace and fillers."""
    out = []
    before, after = _seconds(previous), _seconds(new)
    for label in [s.label for s in new.star.sections]:
        a, b = before.get(label, 0.0), after.get(label, 0.0)
        out.append((f"{label.capitalize()} time", f"{a:.0f} s", f"{b:.0f} s", f"{b - a:+.0f} s"))
    out.append(("Length", clock(previous.duration_s), clock(new.duration_s), f"{new.duration_s - previous.duration_s:+.0f} s"))
    a, b = previous.pacing.words_per_minute, new.pacing.words_per_minute
    out.append(("Pace", f"{a:.0f} wpm", f"{b:.0f} wpm", f"{b - a:+.0f} wpm"))
    a, b = len(previous.fillers), len(new.fillers)
    out.append(("Fillers", str(a), str(b), f"{b - a:+d}"))
    a, b = previous.fillers_per_minute, new.fillers_per_minute
    out.append(("Fillers per minute", f"{a:.1f}", f"{b:.1f}", f"{b - a:+.1f}"))
    a, b = previous.star.action_share, new.star.action_share
    out.append(("Action share", f"{a:.0%}", f"{b:.0%}", f"{(b - a) * 100:+.0f} pts"))
    return out


def table(previous: Report, new: Report) -> Table:
    t = Table(title="This attempt against the previous one")
    for name in ("", "previous", "this attempt", "change"):
        t.add_column(name, justify="left" if not name else "right")
    for row in rows(previous, new):
        t.add_row(*row)
    return t
