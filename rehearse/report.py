"""Terminal report: what a candidate reads in 20 seconds."""

from __future__ import annotations

from collections import Counter

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehearse.models import Report, StarSection
from rehearse.tips import clock

COLOURS = {"situation": "cyan", "task": "magenta", "action": "green", "result": "yellow"}
BAR_WIDTH = 50


def _bar(parts: list[tuple[str, float]]) -> Text:
    """A horizontal bar made of one block run per section, proportional to its share."""
    bar = Text()
    used = 0
    for i, (label, share) in enumerate(parts):
        width = BAR_WIDTH - used if i == len(parts) - 1 else round(share * BAR_WIDTH)
        width = max(0, min(width, BAR_WIDTH - used))
        used += width
        letter = label[0].upper()
        block = (letter + "█" * (width - 1)) if width else ""
        bar.append(block, style=COLOURS.get(label, "white"))
    return bar


def star_table(sections: list[StarSection]) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("section")
    table.add_column("time", justify="right")
    table.add_column("share", justify="right")
    table.add_column("target", justify="right")
    for s in sections:
        when = f"{clock(s.start_s)}–{clock(s.end_s)}" if s.present else "missing"
        style = COLOURS.get(s.label, "white") if s.present else "red"
        table.add_row(Text(s.label, style=style), when, f"{s.share:.0%}", f"{s.target_share:.0%}")
    return table


def delivery_panel(report: Report) -> Panel:
    """Length, pace, fillers and pauses."""
    p = report.pacing
    low, high = p.target_wpm
    pace_style = "green" if p.verdict == "in_band" else "yellow"
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Length", f"{clock(report.duration_s)} ({report.speech_s:.0f} s of speech)")
    head.add_row("Pace", Text(f"{p.words_per_minute:.0f} wpm (target {low:.0f}–{high:.0f}; {p.verdict.replace('_', ' ')}), "
                              f"articulation {p.articulation_wpm:.0f} wpm", style=pace_style))
    common = ", ".join(f"{w} ×{n}" for w, n in Counter(f.text for f in report.fillers).most_common(3)) or "none"
    head.add_row("Fillers", f"{report.fillers_per_minute:.1f} per minute ({len(report.fillers)}: {common})")
    long_pauses = ", ".join(f"{clock(x.start_s)} {x.duration_s:.1f} s" for x in report.pauses[:5]) or "none"
    head.add_row("Long pauses", f"{len(report.pauses)} ({long_pauses}{', …' if len(report.pauses) > 5 else ''})")
    return Panel(head, title=f"rehearse · {report.file}", subtitle=report.model, expand=False)


def star_panel(report: Report) -> Panel:
    """The STAR time bar against the target, the section table and the verdict."""
    star = report.star
    bars = Table.grid(padding=(0, 2))
    bars.add_column(style="bold")
    bars.add_column()
    bars.add_row("You", _bar([(s.label, s.share) for s in star.sections]))
    bars.add_row("Target", _bar([(s.label, s.target_share) for s in star.sections]))
    verdict = Text()
    if star.action_dominant:
        verdict.append(f"✔ Action dominated: {star.action_share:.0%} of the time (≥ {star.dominance_threshold:.0%}).", style="bold green")
    else:
        verdict.append(f"✘ Action did not dominate: {star.action_share:.0%} of the time (needs ≥ {star.dominance_threshold:.0%}).", style="bold red")
    return Panel(Group(bars, Text(""), star_table(star.sections), Text(""), verdict), title=f"{star.rubric} timing", expand=False)


def tips_panel(report: Report) -> Panel:
    tips = Text("\n".join(f"{i}. {tip}" for i, tip in enumerate(report.tips, 1)) or "—")
    return Panel(tips, title="Top tips", expand=False)


def render(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    for panel in (delivery_panel(report), star_panel(report), tips_panel(report)):
        console.print(panel)
