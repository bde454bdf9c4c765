"""`--explain`: every sentence with its label, its time and the cues that decided it."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from rehearse.clock import clock_span
from rehearse.models import Report, StarSentence
from rehearse.report.terminal import COLOURS


def _weight(name: str, weight: float) -> str:
    return f"{name} {weight:+.1f}"


def why(s: StarSentence) -> str:
    """The features (trained labeller) or cues (rules) behind the label, then the runner-up
    section and how sure the label is, in plain words."""
    if s.features:
        runner = s.runner_up or "the next label"
        pro = [f for f in s.features if f.weight > 0]
        con = [f for f in s.features if f.weight < 0]
        parts = [f"{s.confidence:.0%} sure" if s.confidence is not None else ""]
        if pro:
            parts.append(f"{s.label} over {runner}: " + ", ".join(_weight(f.name, f.weight) for f in pro))
        if con:
            parts.append(f"for {runner}: " + ", ".join(_weight(f.name, -f.weight) for f in con))
        if s.cues:
            parts.append("cues: " + ", ".join(s.cues))
        if s.order_note:
            parts.append(s.order_note)
        return "; ".join(p for p in parts if p)
    parts = [", ".join(s.cues) if s.cues else "no cue: position in the answer and its neighbours"]
    others = sorted(((v, k) for k, v in s.scores.items() if k != s.label), reverse=True)
    if others:
        score, runner = others[0]
        parts.append(f"score {round(s.scores[s.label], 1) + 0.0:+.1f} vs {runner} {round(score, 1) + 0.0:+.1f}")
    if s.order_note:
        parts.append(s.order_note)
    return "; ".join(parts)


def explain_text(report: Report) -> Text:
    """One block per sentence: number, time it owns, label and text, then why."""
    out = Text()
    out.append(f"Why each sentence got its {report.star.rubric} label\n", style="bold")
    for s in report.star.sentences:
        end = s.owned_end_s if s.owned_end_s is not None else s.end_s
        out.append(f"{s.index + 1:>2} {clock_span(s.start_s, end)} ")
        out.append(f"{s.label:<9}", style=COLOURS.get(s.label, "white"))
        out.append(f" {s.text}\n")
        out.append(f"   ↳ {why(s)}\n", style="dim")
    return out


def render_explain(report: Report, console: Console | None = None) -> None:
    (console or Console()).print(explain_text(report))
