"""What the candidate sees while preparing and speaking: a rich live view on the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from rehearse.clock import clock
from rehearse.models import Question
from rehearse.practice.recorder import LiveState


def _bar(fraction: float, width: int, full: str = "█", empty: str = "░") -> str:
    n = max(0, min(width, round(fraction * width)))
    return full * n + empty * (width - n)


def question_panel(question: Question) -> Panel:
    meta = []
    if question.principles:
        meta.append(" · ".join(question.principles))
    if question.target_s:
        meta.append(f"aim for about {clock(question.target_s)}")
    if question.id:
        meta.append(f"id {question.id}")
    body = Group(Text(question.text, style="bold"), Text("  ".join(meta), style="dim"))
    return Panel(body, title="Question", border_style="cyan")


class LiveView:
    """The recording screen: elapsed against the target, input level, silence warning, pace and fillers."""

    def __init__(self, question: Question, console: Console, meter_floor_dbfs: float = -60.0,
                 target_wpm: tuple[float, float] = (120, 160), filler_target: float | None = None):
        self.question = question
        self.console = console
        self.floor = meter_floor_dbfs
        self.target_wpm = target_wpm
        self._live: Live | None = None

    def render(self, state: LiveState) -> Group:
        target = self.question.target_s or 120
        over = state.elapsed_s > target
        line = Text()
        line.append("● REC ", style="bold red")
        line.append(f"{clock(state.elapsed_s)} / {clock(target)} ", style="bold yellow" if over else "bold")
        line.append(_bar(state.elapsed_s / target, 30), style="yellow" if over else "green")
        if over:
            line.append("  over the suggested length: wrap up with the result", style="yellow")
        level = Text("input ")
        fraction = (state.level_dbfs - self.floor) / -self.floor
        level.append(_bar(fraction, 30, "▮", "·"), style="red" if state.silent else "cyan")
        level.append(f" {state.level_dbfs:5.0f} dBFS" if state.level_dbfs > -120 else "  silent")
        rows = [line, level]  # the question is printed just above, once
        if state.silent:
            rows.append(Text("⚠ no sound is coming in: is the microphone muted, or the wrong one? "
                             "(--device; `rehearse devices`)", style="bold red"))
        talk = Text()
        if state.pace_wpm is not None:
            low, high = self.target_wpm
            style = "green" if low <= state.pace_wpm <= high else "yellow"
            talk.append(f"pace {state.pace_wpm:.0f} wpm", style=style)
            talk.append(f" (target {low:.0f}–{high:.0f})  ", style="dim")
        if state.words:
            talk.append(f"fillers {state.fillers}  words {state.words}")
        else:
            talk.append("transcript arrives as you finish each stretch of speech", style="dim")
        rows += [talk, Text("Enter or Ctrl-C to stop", style="dim")]
        return Group(*rows)

    def start(self, state: LiveState) -> None:
        self._live = Live(self.render(state), console=self.console, refresh_per_second=8, transient=False)
        self._live.start()

    def update(self, state: LiveState) -> None:
        if self._live is not None:
            self._live.update(self.render(state))

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
