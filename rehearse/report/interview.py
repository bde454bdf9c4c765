"""Terminal view of an analysed interview: each answer's report, then the interview summary."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from rehearse.clock import clock, clock_span
from rehearse.models import InterviewReport
from rehearse.report.terminal import damage_line, render

LENGTH_STYLES = {"in_band": "green", "short": "yellow", "long": "yellow"}


def render_interview(report: InterviewReport, console: Console | None = None, answers: bool = True) -> None:
    console = console or Console()
    if report.undecodable_s:
        console.print(damage_line(report), style="bold yellow", highlight=False)
    n = len(report.answers)
    if answers:
        for a in report.answers:
            question = a.question or "(no question found)"
            console.print(Rule(f"Answer {a.index} of {n}  {clock_span(a.start_s, a.end_s)}"))
            console.print(Text(f"Q: {question}", style="bold"))
            for f in a.followups:
                console.print(Text(f"   follow-up at {clock(f.start_s)} (answer time {clock(f.at_s)}): {f.question}",
                                   style="italic"))
            if a.report is not None:
                render(a.report, console)
            else:
                console.print(Text(f"not analysed: {a.error}", style="red"))
    console.print(summary_panel(report))


def answers_table(report: InterviewReport) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", expand=True)
    for name, justify in (("#", "right"), ("question", "left"), ("answer", "right"), ("length", "right"),
                          ("score", "right"), ("wpm", "right"), ("fillers/min", "right"), ("action", "right")):
        table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",
                         ratio=1 if name == "question" else None)
    s = report.summary
    for a in report.answers:
        r = a.report
        mark = " ▲" if a.index == s.strongest else " ▼" if a.index == s.weakest else ""
        length = Text(f"{a.length_s:.0f}s", style=LENGTH_STYLES[a.length_verdict])
        length.append(f" ({a.target_s[0]:.0f}–{a.target_s[1]:.0f})", style="dim")
        score = f"{r.star.score.total:.0f}{mark}" if r and r.star.score else "–"
        table.add_row(str(a.index), a.question or "(none)", clock_span(a.start_s, a.end_s), length,
                      score, f"{r.pacing.words_per_minute:.0f}" if r else "–",
                      f"{r.fillers_per_minute:.1f}" if r else "–", f"{r.star.action_share:.0%}" if r else "–")
    return table


def summary_panel(report: InterviewReport) -> Panel:
    s = report.summary
    lines = Text()
    lines.append(f"{clock(s.total_s)} recorded, {s.questions} question(s), {clock(s.answer_time_s)} answering, "
                 f"turns found by {report.detection}\n")
    avg = []
    if s.average_length_s is not None:
        avg.append(f"length {s.average_length_s:.0f}s")
    if s.average_score is not None:
        avg.append(f"score {s.average_score:.0f}")
    if s.average_words_per_minute is not None:
        avg.append(f"{s.average_words_per_minute:.0f} wpm")
    if s.average_fillers_per_minute is not None:
        avg.append(f"{s.average_fillers_per_minute:.1f} fillers/min")
    if s.average_action_share is not None:
        avg.append(f"action {s.average_action_share:.0%}")
    if avg:
        lines.append("Averages: " + ", ".join(avg) + "\n")
    if s.strongest is not None:
        lines.append(f"Strongest: answer {s.strongest}   Weakest: answer {s.weakest}\n")
    if s.patterns:
        lines.append("Repeated across answers:\n", style="bold")
        for p in s.patterns:
            lines.append(f"  • {p.text}\n")
    asked = sum(len(a.followups) for a in report.answers)
    if asked:
        lines.append(f"{asked} follow-up question(s) inside answers; the replies count in their answers\n")
    if report.smalltalk:
        lines.append(f"Small talk: {len(report.smalltalk)} line(s), not analysed\n", style="dim")
    for q in report.candidate_questions:
        lines.append(f"You asked at {clock(q.start_s)}: {q.text}\n")
    for note in report.notes:
        lines.append(f"Note: {note}\n", style="yellow")
    from rich.console import Group

    return Panel(Group(answers_table(report), lines), title="Interview summary", title_align="left")


def render_turns(report: InterviewReport, console: Console | None = None) -> None:
    """`--explain` for an interview: every stretch of talk, who said it, what it is and why."""
    console = console or Console()
    table = Table(title=f"Turns (speakers by {report.detection})", box=None, header_style="bold", expand=True)
    for name, justify in (("time", "right"), ("speaker", "left"), ("role", "left"), ("text", "left"), ("why", "left")):
        table.add_column(name, justify=justify, ratio=2 if name in ("text", "why") else None,
                         no_wrap=name in ("time", "speaker", "role"))
    for t in report.turns:
        table.add_row(clock_span(t.start_s, t.end_s), t.speaker, t.role or "", t.text, "; ".join(t.why))
    console.print(table)
