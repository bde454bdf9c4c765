"""Terminal views of the history: progress table with sparklines, session list, side-by-side compare."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rehearse.history.progress import band_text, distance, fmt, in_band, metric_specs
from rehearse.models import MetricTrend, Progress, Report, Session

SPARK = "▁▂▃▄▅▆▇█"


def when(created_at: str) -> str:
    """A stored UTC time in the user's local time."""
    return datetime.fromisoformat(created_at).astimezone().strftime("%Y-%m-%d %H:%M")


def short_when(created_at: str) -> str:
    """`17 Nov 07:25`, local time."""
    return datetime.fromisoformat(created_at).astimezone().strftime("%d %b %H:%M")


SPARK_WIDTH = 20


def _buckets(values: list[float | None], width: int) -> list[float | None]:
    """At most `width` values: consecutive sessions averaged together when there are more."""
    if len(values) <= width:
        return values
    out: list[float | None] = []
    for i in range(width):
        chunk = [v for v in values[i * len(values) // width:(i + 1) * len(values) // width] if v is not None]
        out.append(sum(chunk) / len(chunk) if chunk else None)
    return out


def sparkline(spec: dict, values: list[float | None], width: int = SPARK_WIDTH) -> Text:
    """One character per session (sessions averaged in groups beyond `width`), height by value;
    green inside the target band, yellow outside."""
    line = Text()
    values = _buckets(values, width)
    known = [v for v in values if v is not None]
    if not known:
        return line
    low, high = min(known), max(known)
    for v in values:
        if v is None:
            line.append(" ")
            continue
        flat = high - low <= 1e-9 * max(abs(high), 1.0)  # equal values (averaging leaves rounding noise)
        level = 0 if flat else round((v - low) / (high - low) * (len(SPARK) - 1))
        inside = in_band(spec, v)
        line.append(SPARK[level], style="cyan" if inside is None else ("green" if inside else "yellow"))
    return line


def _trend_style(t: MetricTrend) -> str:
    if t.direction in ("steady", "too_few") or t.better is None:
        return "dim" if t.direction == "steady" else ""
    return "green" if t.better else "red"


def empty_message(filtered: bool, commands: tuple[str, ...] = ()) -> str:
    if filtered:
        return "No sessions match these filters. `rehearse history` lists every saved session."
    ways = ["rehearse analyze answer.wav"]
    if "practice" in commands:
        ways.insert(0, "rehearse practice")
    return ("No sessions saved yet. Record an answer and analyse it to start your history: "
            + " or ".join(f"`{w}`" for w in ways)
            + ". Every analysed answer is saved here (unless --no-save); come back after two or three to see trends.")


def _table(title: str | None = None) -> Table:
    """A borderless table with one space between columns: fits 80 columns."""
    return Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold", title=title, title_justify="left")


def progress_table(progress: Progress) -> Table:
    specs = {s["key"]: s for s in metric_specs()}
    table = _table()
    for name, justify in (("metric", "left"), ("oldest → latest", "left"), ("first → last", "right"),
                          ("best", "right"), ("target", "right"), ("in", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    n = len(progress.sessions)
    for t in progress.trends:
        spec = specs[t.metric]
        moved = Text(f"{fmt(spec, t.first, unit=False)} → {fmt(spec, t.last, unit=False)}" if t.first is not None else "—",
                     style=_trend_style(t))
        best = f"{fmt(spec, t.best, unit=False)} #{t.best_session}" if t.best is not None else ""
        inside = f"{t.in_target}/{sum(v is not None for v in t.values)}" if t.in_target is not None else ""
        table.add_row(spec.get("short", t.label), sparkline(spec, t.values), moved, best, band_text(spec, unit=False), inside)
    table.caption = f"{n} session{'s' if n != 1 else ''} · first → last: means of the first and last few · in: inside target"
    return table


def target_lines(progress: Progress) -> list[Text]:
    """Time to target: how many sessions inside each band, when it was first reached, the current run."""
    lines = []
    specs = {s["key"]: s for s in metric_specs()}
    for t in progress.trends:
        if t.in_target is None:
            continue
        count = sum(v is not None for v in t.values)
        band = band_text(specs[t.metric])
        if t.first_in_target is None:
            lines.append(Text(f"{t.label}: not inside {band} yet in {count} session{'s' if count != 1 else ''}", style="yellow"))
            continue
        took = "from the first session" if t.first_in_target == 1 else f"first reached at session {t.first_in_target} of {count}"
        run = f"; the last {t.in_target_streak} in a row" if t.in_target_streak and t.in_target_streak > 1 else (
            "; the latest is inside" if t.in_target_streak else "; the latest is outside")
        lines.append(Text(f"{t.label}: inside {band} in {t.in_target} of {count} sessions, {took}{run}",
                          style="green" if t.in_target_streak else ""))
    return lines


def question_panel(progress: Progress) -> Panel | None:
    if not progress.questions:
        return None
    by_id = {s.id: s for s in progress.sessions}
    rows = []
    for q in progress.questions:
        head = Text(q.question if len(q.question) <= 90 else q.question[:89] + "…", style="bold")
        dates = ", ".join(f"#{i} {when(by_id[i].created_at)[:10]}" for i in q.sessions)
        rows.append(head)
        rows.append(Text(f"  {len(q.sessions)} attempts: {dates}", style="dim"))
        for t in q.trends:
            if t.direction != "too_few":
                rows.append(Text(f"  • {t.words}", style=_trend_style(t)))
    return Panel(Group(*rows), title="Per question: how each story changed over its retries", expand=False)


def render_progress(progress: Progress, console: Console | None = None) -> None:
    console = console or Console()
    sessions = progress.sessions
    span = f"{when(sessions[0].created_at)} → {when(sessions[-1].created_at)}"
    shown = ", ".join(f"{k} {v}" for k, v in progress.filters.items() if v is not None)
    title = f"rehearse progress · {len(sessions)} session{'s' if len(sessions) != 1 else ''} · {span}"
    words = [Text(f"• {t.words}", style=_trend_style(t)) for t in progress.trends if t.first is not None or t.direction == "too_few"]
    body = [progress_table(progress), Text(""), Text("Trends", style="bold"), *words]
    targets = target_lines(progress)
    if targets:
        body += [Text(""), Text("Time to target", style="bold"), *targets]
    console.print(Panel(Group(*body), title=title, subtitle=shown or None, expand=False))
    panel = question_panel(progress)
    if panel is not None:
        console.print(panel)


def _question_or_file(s: Session, width: int = 26) -> str:
    text = s.question or s.file.rsplit("/", 1)[-1]
    return text if len(text) <= width else text[: width - 1] + "…"


def history_table(sessions: list[Session], title: str | None = None) -> Table:
    table = _table(title)
    for name, justify in (("id", "right"), ("when", "left"), ("question / file", "left"), ("try", "right"),
                          ("length", "right"), ("wpm", "right"), ("fillers", "right"), ("action", "right"),
                          ("score", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    specs = {s["key"]: s for s in metric_specs()}
    for s in sessions:
        pace = Text(f"{s.words_per_minute:.0f}",
                    style="green" if in_band(specs["words_per_minute"], s.words_per_minute) else "yellow")
        action = Text(fmt(specs["action_share"], s.action_share).replace(" ", ""),
                      style="green" if s.action_dominant else "red")
        table.add_row(str(s.id), short_when(s.created_at), _question_or_file(s), str(s.attempt or ""),
                      f"{s.span_s if s.span_s is not None else s.duration_s:.0f} s", pace,
                      f"{s.fillers_per_minute:.1f}", action, fmt(specs["structure_score"], s.structure_score, unit=False))
    table.caption = "fillers: per minute · action: share of the time (green: dominated) · score: of 100"
    return table


def render_history(sessions: list[Session], by_question: bool = False, console: Console | None = None) -> None:
    console = console or Console()
    if not by_question:
        console.print(history_table(sessions))
        return
    groups: dict[str, list[Session]] = {}
    for s in sessions:
        groups.setdefault(s.question_key or "", []).append(s)
    for key, members in sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]))):
        title = "No question recorded" if not key else (members[-1].question or members[-1].question_id or key)
        count = f"{len(members)} attempt{'s' if len(members) != 1 else ''}" if key else f"{len(members)} session{'s' if len(members) != 1 else ''}"
        console.print(Text(f"{title} ({count})", style="bold"), soft_wrap=True)
        console.print(history_table(members))
        console.print()


COMPARED = ["span_s", "words_per_minute", "articulation_wpm", "fillers_per_minute", "filled_pauses_per_minute",
            "markers_per_minute", "long_pauses_per_minute", "action_share", "structure_score"]


def compare_rows(a: Session, b: Session) -> list[dict]:
    """Each compared metric: both values, the change and whether it moved towards the target."""
    specs = {s["key"]: s for s in metric_specs()}
    rows = []
    for key in COMPARED:
        spec = specs[key]
        va, vb = getattr(a, key), getattr(b, key)
        better = None
        if va is not None and vb is not None and spec.get("better") in ("lower", "higher", "band"):
            da, db = distance(spec, va), distance(spec, vb)
            better = None if abs(vb - va) < float(spec.get("steady", 0)) or da == db else db < da
        rows.append({"metric": key, "label": spec["label"], "a": va, "b": vb,
                     "change": None if va is None or vb is None else round(vb - va, 4), "better": better})
    for label in sorted(set(a.shares) | set(b.shares), key=lambda x: list(a.shares).index(x) if x in a.shares else 99):
        if label == "action":
            continue
        rows.append({"metric": f"shares.{label}", "label": f"{label.capitalize()} share", "a": a.shares.get(label),
                     "b": b.shares.get(label), "change": None, "better": None})
    return rows


def render_compare(a: Session, b: Session, ra: Report, rb: Report, console: Console | None = None) -> None:
    console = console or Console()
    specs = {s["key"]: s for s in metric_specs()}
    share_spec = {"percent": True, "decimals": 0}
    table = _table()
    table.add_column("")
    table.add_column(f"#{a.id}", justify="right", no_wrap=True)
    table.add_column(f"#{b.id}", justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("target", justify="right", no_wrap=True)
    table.add_row("when", short_when(a.created_at), short_when(b.created_at), "", "")
    for row in compare_rows(a, b):
        spec = specs.get(row["metric"], share_spec)
        change = ""
        if row["a"] is not None and row["b"] is not None:
            delta = row["b"] - row["a"]
            arrow = "↑" if delta > 0 else ("↓" if delta < 0 else "=")
            size = f"{abs(delta) * 100:.0f} pts" if spec.get("percent") else fmt(spec, abs(delta), unit=False)
            change = f"{arrow} {size}" if delta else "="
        style = "" if row["better"] is None else ("green" if row["better"] else "red")
        label = spec.get("short", row["label"]) if row["metric"] in specs else row["label"] + " %"
        table.add_row(label, fmt(spec, row["a"], unit=False), fmt(spec, row["b"], unit=False), Text(change, style=style),
                      band_text(spec, unit=False) if row["metric"] in specs else "")
    verdict = {True: Text("✔ yes", style="green"), False: Text("✘ no", style="red")}
    table.add_row("Action dominant", verdict[a.action_dominant], verdict[b.action_dominant], "", "")
    heads = [Text(f"#{s.id} {s.source}: {s.question or s.file}", overflow="ellipsis", no_wrap=True) for s in (a, b)]
    findings = _table("Findings")
    findings.add_column(f"#{a.id}", max_width=38)
    findings.add_column(f"#{b.id}", max_width=38)
    fa, fb = [f.title for f in ra.star.findings], [f.title for f in rb.star.findings]
    for i in range(max(len(fa), len(fb), 1)):
        left = fa[i] if i < len(fa) else ("none" if i == 0 else "")
        right = fb[i] if i < len(fb) else ("none" if i == 0 else "")
        findings.add_row(Text(left, style="green" if left and left not in fb and left != "none" else ""),
                         Text(right, style="yellow" if right and right not in fa and right != "none" else ""))
    note = Text("green: moved towards the target, red: away; a finding in green is gone in the later attempt, "
                "in yellow it is new", style="dim")
    console.print(Panel(Group(*heads, Text(""), table, Text(""), findings, Text(""), note),
                        title=f"rehearse compare #{a.id} #{b.id}", expand=False))
