"""Terminal report: what a candidate reads in 20 seconds."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehearse.clock import clock, clock_span
from rehearse.models import Report, StarSection

COLOURS = {"situation": "cyan", "task": "magenta", "action": "green", "result": "yellow", "challenge": "cyan"}
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
        when = clock_span(s.start_s, s.end_s) if s.present else "missing"
        style = COLOURS.get(s.label, "white") if s.present else "red"
        table.add_row(Text(s.label, style=style), when, f"{s.share:.0%}", f"{s.target_share:.0%}")
    return table


PACE_STYLES = {"in_band": "green", "fast": "yellow", "slow": "cyan"}
SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 16


def _spark(report: Report) -> Text:
    """The rolling pace in at most SPARK_WIDTH characters, coloured slow / in band / fast."""
    windows = report.pacing.timeline
    line = Text()
    if not windows:
        return line
    low, high = report.pacing.target_wpm
    if len(windows) > SPARK_WIDTH:  # pick evenly spaced windows
        windows = [windows[round(i * (len(windows) - 1) / (SPARK_WIDTH - 1))] for i in range(SPARK_WIDTH)]
    top = max(max(w.words_per_minute for w in windows), high * 1.3)
    bottom = min(min(w.words_per_minute for w in windows), low * 0.7)
    for w in windows:
        level = round((w.words_per_minute - bottom) / max(top - bottom, 1e-6) * (len(SPARK) - 1))
        line.append(SPARK[max(0, min(level, len(SPARK) - 1))], style=PACE_STYLES[w.verdict])
    return line


def delivery_panel(report: Report) -> Panel:
    """Length, pace (overall, per minute, over time, per section), fillers, pauses, worst stretch."""
    p = report.pacing
    low, high = p.target_wpm
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    head.add_row("Length", f"{clock(report.duration_s)} ({report.speech_s:.0f} s of speech)")
    head.add_row("Pace", Text(f"{p.words_per_minute:.0f} wpm (target {low:.0f}–{high:.0f}): {p.verdict.replace('_', ' ')}"
                              f" · articulation {p.articulation_wpm:.0f}", style=PACE_STYLES[p.verdict]))
    if len(report.per_minute) > 1:
        rates = ", ".join(f"{m.words_per_minute:.0f}" for m in report.per_minute)
        fillers = ", ".join(f"{m.fillers_per_minute:.0f}" for m in report.per_minute)
        head.add_row("Per minute", f"{rates} wpm; {fillers} fillers/min")
    if p.timeline:
        line = _spark(report)
        if p.variability is not None:
            line.append(f" ±{p.variability:.0%}", style="dim")
        off = [f"{s.kind} {clock_span(s.start_s, s.end_s)}" for s in p.stretches[:2]]
        line.append(": " + (", ".join(off) + (", …" if len(p.stretches) > 2 else "") if off else "no off-pace stretch"),
                    style="yellow" if off else "dim")
        head.add_row("Over time", line)
    if p.sections:
        head.add_row("By section", " · ".join(f"{s.label[0].upper()} {s.words_per_minute:.0f}" for s in p.sections) + " wpm")
    limit = report.filler_target_per_minute
    over = limit is not None and report.fillers_per_minute > limit
    top = ", ".join(f"{f.text} ×{f.count}" for f in report.top_fillers) or "none"
    head.add_row("Fillers", Text(f"{report.fillers_per_minute:.1f}/min" + (f" (target ≤ {limit:g})" if limit is not None else "")
                                 + f"; most: {top}", style="yellow" if over else ""))
    if report.fillers:
        when = ", ".join(f"{clock(f.start_s)} {f.text}" for f in report.fillers[:6])
        head.add_row("  heard at", f"{when}{', …' if len(report.fillers) > 6 else ''}")
    if report.repetitions:
        reps = ", ".join(f"{clock(r.start_s)} “{r.text}”" + (" (restart)" if r.kind == "false_start" else " (repeated)")
                         for r in report.repetitions[:3])
        head.add_row("Repetitions", f"{len(report.repetitions)}: {reps}{', …' if len(report.repetitions) > 3 else ''}")
    stats = report.pause_stats
    pauses = Text()
    if stats is not None:
        pauses.append(", ".join(f"{n} {b}" for b, n in stats.by_band.items()) + f"; {stats.mid_clause} mid-clause")
    if report.pauses:
        shown = ", ".join(f"{clock(x.start_s)} {x.duration_s:.1f} s" for x in report.pauses[:2])
        at_least = f"≥ {report.min_pause_s:g} s" if report.min_pause_s is not None else "long"
        pauses.append(f"; {at_least}: {shown}{', …' if len(report.pauses) > 2 else ''}")
    head.add_row("Pauses", pauses)
    if report.worst_stretch is not None:
        head.add_row("Worst stretch", Text(report.worst_stretch.summary, style="bold red"))
    voice_rows(report, head)
    return Panel(head, title=f"rehearse · {report.file}", subtitle=report.model, expand=False)


def share_range(low: float, high: float) -> str:
    """'44–53 %', or '49 %' when both ends round alike."""
    a, b = round(low * 100), round(high * 100)
    return f"{a} %" if a == b else f"{a}–{b} %"


def star_panel(report: Report) -> Panel:
    """The STAR time bar against the target, the section table and the verdict."""
    star = report.star
    bars = Table.grid(padding=(0, 2))
    bars.add_column(style="bold")
    bars.add_column()
    bars.add_row("You", _bar([(s.label, s.share) for s in star.sections]))
    bars.add_row("Target", _bar([(s.label, s.target_share) for s in star.sections]))
    verdict = Text()
    if star.confidence is not None and star.confidence.borderline:
        verdict.append(f"≈ Action {share_range(star.confidence.share_low, star.confidence.share_high)}: borderline "
                       f"(measured {star.action_share:.0%}, needs ≥ {star.dominance_threshold:.0%}; some sentences "
                       "could be told either way).", style="bold yellow")
    elif star.action_dominant:
        verdict.append(f"✔ Action dominated: {star.action_share:.0%} of the time (≥ {star.dominance_threshold:.0%}).", style="bold green")
    else:
        verdict.append(f"✘ Action did not dominate: {star.action_share:.0%} of the time (needs ≥ {star.dominance_threshold:.0%}).", style="bold red")
    parts = [bars, Text(""), star_table(star.sections), verdict]
    if star.score is not None:
        parts.append(score_line(star))
    return Panel(Group(*parts), title=f"{star.rubric} timing", expand=False)


def score_line(star) -> Text:
    """The structure score and its parts (points / points possible)."""
    line = Text()
    line.append(f"Structure score {star.score.total:.0f}/100", style="bold")
    total = sum(p.weight for p in star.score.parts) or 1.0
    line.append(": " + " · ".join(f"{p.name} {p.points:.0f}/{100 * p.weight / total:.0f}" for p in star.score.parts))
    return line


FINDINGS_SHOWN = 3


def coaching_panel(report: Report) -> Panel:
    """Findings with their evidence time, Leadership Principles and likely follow-ups, one line each."""
    star = report.star
    found = Table.grid()
    found.add_column(no_wrap=True, overflow="ellipsis", max_width=76)
    for f in star.findings[:FINDINGS_SHOWN]:
        where = f" {clock_span(f.evidence[0].start_s, f.evidence[0].end_s)}" if f.evidence else ""
        found.add_row(Text.assemble((f"• {f.title}", "bold yellow"), (where, "dim"), f" {f.detail}"))
    if len(star.findings) > FINDINGS_SHOWN:
        found.add_row(Text("  also: " + ", ".join(f.title.lower() for f in star.findings[FINDINGS_SHOWN:]), style="dim"))
    if not star.findings:
        found.add_row(Text("• No structural problem found.", style="bold green"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="ellipsis", max_width=62)
    grid.add_row("Principles", ", ".join(p.name for p in star.principles[:4]) or "none clearly shown")
    if star.asked_principle is not None:
        a = star.asked_principle
        verdict = Text(f"shown ({', '.join(a.cues)})", style="green") if a.shown else Text(f"not shown. {a.suggestion}", style="red")
        grid.add_row(f"Asked: {a.name}", verdict)
    for i, q in enumerate(star.followups):
        grid.add_row("Follow-ups" if i == 0 else "", f"? {q.question}")
    body = Group(found, grid)
    return Panel(body, title="Interviewer's view", expand=False)


def tips_panel(report: Report) -> Panel:
    tips = Text("\n".join(f"{i}. {tip}" for i, tip in enumerate(report.tips, 1)) or "—")
    return Panel(tips, title="Top tips", expand=False)


LEVEL_STYLES = {"ok": "green", "quiet": "yellow", "loud": "yellow", "clipping": "bold red", "noisy": "yellow"}


def _times(spans, limit: int = 3) -> str:
    shown = ", ".join(clock_span(x.start_s, x.end_s) for x in spans[:limit])
    return shown + (", …" if len(spans) > limit else "")


def voice_rows(report: Report, grid: Table) -> None:
    """Voice and wording in two rows of the delivery panel (the JSON has every detail): pitch
    range, level and each finding with its first times."""
    v = report.voice
    if v is None:
        return
    line = Text()
    if v.pitch_range_semitones is None:
        line.append("pitch not measured", style="dim")
    else:
        line.append(f"pitch range {v.pitch_range_semitones:.1f} st" + (" (flat)" if v.flat else ""),
                    style="yellow" if v.flat else "green")
    a = v.level_advice
    line.append(" · ")
    line.append(f"{a.text}: {a.suggestion}" if a.verdict != "ok" else f"{v.level_dbfs:.0f} dBFS",
                style=LEVEL_STYLES[a.verdict])
    issues = []
    if v.monotone:
        issues.append(f"monotone {_times(v.monotone, 2)}")
    if v.uptalk:
        issues.append(f"{len(v.uptalk)} rising ending{'s' if len(v.uptalk) != 1 else ''} {_times(v.uptalk, 1)}")
    if v.trailing_off:
        issues.append(f"trailing off {len(v.trailing_off)}× {_times(v.trailing_off, 1)}")
    if issues:
        line.append(" · " + " · ".join(issues), style="yellow")
    grid.add_row("Voice", line)
    words = [f"“{r.text}” ×{r.count}" for r in v.repeated[:3]]
    words += [f"“{o.text.capitalize()}…” opens {o.count} sentences" for o in v.openers[:1]]
    if words:
        grid.add_row("Wording", Text(", ".join(words), style="yellow"))


def render(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    if report.undecodable_s:
        console.print(damage_line(report), style="bold yellow", highlight=False)
    for panel in (delivery_panel(report), star_panel(report), coaching_panel(report), tips_panel(report)):
        if panel is not None:
            console.print(panel)


def damage_line(report: Report) -> str:
    """The warning for a damaged file: how much could not be decoded, and where when known."""
    where = ", ".join(f"{g.start_s:.1f}–{g.end_s:.1f} s" for g in report.undecodable[:3])
    return (f"Damaged file: {report.undecodable_s:.1f} s of {report.duration_s:.0f} s could not be decoded"
            f"{f' (at {where})' if where else ''}; the rest is analysed, the damaged part as silence.")
