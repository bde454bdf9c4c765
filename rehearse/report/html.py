"""Self-contained HTML reports: one file with inline CSS, SVG and a little JS, no network request.

- `render_answer_page(report)`: one answer: timeline, transcript, findings, follow-ups.
- `render_interview_page(answers, summary)`: a mock interview: the summary, then one section per answer.
- `render_progress_page(sessions)`: trend charts over stored sessions, target bands shaded.
- `write_page(path, html)`: write it safely; `open_page(path)`: show it in the default browser.

The markup lives in `rehearse/report/templates/` (Jinja2, autoescaped); the geometry in `rehearse.report.timeline`.
"""

from __future__ import annotations

import sys
import webbrowser
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from rehearse import __version__, rubric
from rehearse.clock import clock
from rehearse.errors import RehearseError
from rehearse.models import Report
from rehearse.report.terminal import share_range
from rehearse.report.timeline import (
    answer_timeline,
    colour_slots,
    stamp,
    transcript,
    trend_chart,
)


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("rehearse.report", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["clock"] = lambda s: clock(s) if s is not None else "–"
    env.filters["stamp"] = stamp
    env.filters["pct"] = lambda v: f"{v:.0%}" if v is not None else "–"
    env.filters["pct_range"] = share_range
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    env.filters["num"] = lambda v, fmt="%.0f": fmt % v if isinstance(v, (int, float)) else "–"
    return env


def _asset(name: str) -> str:
    return _env().loader.get_source(_env(), name)[0]


def stylesheet() -> str:
    """The report's CSS (inlined in every page; `rehearse serve` also serves it to its own pages)."""
    return _asset("report.css")


def _page(template: str, title: str, frame: dict | None = None, **context: Any) -> str:
    """`frame` is given when `rehearse serve` shows the page: its navigation ("nav"), markup above the
    report ("top"), its stylesheet ("css") and scripts ("scripts"), its Content-Security-Policy
    ("csp"), the footer line ("footer") and, on the progress page, per-session actions ("actions")."""
    made = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    return _env().get_template(template).render(title=title, css=stylesheet(), js=_asset("player.js"),
                                                version=__version__, made=made, frame=frame, **context)


def _rubric_of(report: Report) -> dict[str, Any]:
    """The bundled rubric the answer was scored with (by its name, e.g. STAR, CAR); {} for a custom one."""
    name = report.star.rubric.lower()
    if name not in rubric.bundled_names():
        return {}
    found = rubric.load(name)
    return found if [s.label for s in report.star.sections] == list(found.get("sections", [])) else {}


def _answer_view(report: Report, audio_uri: str | None, anchor: str, heading: str | None,
                 question: str | None = None, asked: list[tuple[float, str]] = ()) -> dict[str, Any]:
    """Everything the `answer` macro draws for one report."""
    star = report.star
    rules = _rubric_of(report)
    main = next((s for s in star.sections if s.label == rules.get("verdict", {}).get("section")), None)
    tolerance = {k: v.get("tolerance") for k, v in rules.get("targets", {}).items() if isinstance(v, dict)}
    slots = colour_slots([s.label for s in star.sections])
    rows = []
    for s in star.sections:
        tol = tolerance.get(s.label)
        if not s.present:
            mark = "missing"
        elif tol is None:
            mark = ""
        elif s.share > s.target_share + tol:
            mark = "long"
        elif s.share < s.target_share - tol:
            mark = "short"
        else:
            mark = "on target"
        rows.append({"section": s, "index": slots[s.label], "mark": mark})
    return {
        "report": report,
        "tl": answer_timeline(report, asked),
        "asked": list(asked),
        "passages": transcript(report),
        "rows": rows,
        "slots": slots,
        "audio": audio_uri,
        "anchor": anchor,
        "heading": heading,
        "question": report.question.text if report.question else question,
        "main": main,
        "name": Path(report.file).name,
    }


def render_answer_page(report: Report, audio_uri: str | None = None, frame: dict | None = None) -> str:
    """One answer as a complete HTML page. `audio_uri` (see `rehearse.report.embed.audio_data_uri`, or the
    URL `rehearse serve` plays it from) gives the recording: clicking a word, marker, section or finding
    then plays from there. `frame`: see `_page`."""
    title = f"rehearse · {report.question.text if report.question else Path(report.file).name}"
    return _page("answer.html.j2", title, frame, a=_answer_view(report, audio_uri, "answer", None))


def _summary_rows(summary: dict) -> list[tuple[str, Any]]:
    """The interview summary as (label, value) rows; nested values are shown as short text."""
    rows = []
    for key, value in summary.items():
        if key == "answers":
            continue
        label = str(key)
        if label.endswith("_s") and isinstance(value, (int, float)) and not isinstance(value, bool):
            label, text = label[:-2], clock(value)
        elif isinstance(value, float):
            text = f"{value:.2f}".rstrip("0").rstrip(".")
        elif isinstance(value, dict):
            text = "; ".join(f"{str(k).replace('_', ' ')}: {v}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            text = "; ".join(", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item)
                             for item in value)
        else:
            text = str(value)
        rows.append((label.replace("_", " "), text))
    return rows


def render_interview_page(answers: list[tuple[str, Report]], summary: dict, audio_uris: list[str | None] | None = None,
                          followups: list[list[tuple[float, str]]] | None = None,
                          frame: dict | None = None) -> str:
    """A mock interview: the summary block, a table of the answers, then one section per answer
    (its question as heading). `summary` is shown key by key; `audio_uris`, one per answer, embeds recordings;
    `followups`, one list per answer of (time on the answer's timeline, question), marks the follow-up
    questions on each answer's timeline."""
    uris = audio_uris or [None] * len(answers)
    asked = followups or [[] for _ in answers]
    if len(uris) != len(answers) or len(asked) != len(answers):
        raise ValueError("audio_uris and followups need one entry per answer")
    views = []
    for n, ((question, report), uri, fus) in enumerate(zip(answers, uris, asked), 1):
        views.append(_answer_view(report, uri, f"answer-{n}", f"Answer {n}", question or None, fus))
    length = rubric.load("star").get("length", {})
    return _page("interview.html.j2", "rehearse · mock interview", frame, answers=views, questions=[q for q, _ in answers],
                 summary_rows=_summary_rows(summary), length=length)


PROGRESS_METRICS = (
    # key, title, unit, format
    ("words_per_minute", "Pace", " wpm", "{:.0f}"),
    ("fillers_per_minute", "Fillers per minute", "/min", "{:.1f}"),
    ("action_share", "Action share", "", "{:.0%}"),
    ("duration_s", "Length", " s", "{:.0f}"),
)


def _question_label(session: dict) -> str:
    """The question of a stored session, whether it is stored as text, as a Question dict or not at all."""
    question = session.get("question") or session.get("question_text") or ""
    if isinstance(question, dict):
        question = question.get("text") or question.get("id") or ""
    return str(question)


def render_progress_page(sessions: list[dict], frame: dict | None = None) -> str:
    """Trend charts (inline SVG) over sessions, oldest first, each with its target band from the rubrics,
    and a table of the sessions. Each dict has at least id, created_at (ISO), duration_s,
    words_per_minute, fillers_per_minute, action_share, action_dominant."""
    delivery, star = rubric.load("delivery"), rubric.load("star")
    low, high = delivery["pace"]["target_wpm"]
    bands = {
        "words_per_minute": ((low, high), f"target {low:g}–{high:g} wpm"),
        "fillers_per_minute": ((0.0, delivery["fillers"]["max_per_minute"]), f"target ≤ {delivery['fillers']['max_per_minute']:g}/min"),
        "action_share": ((star["verdict"]["min_share"], 1.0), f"action dominant ≥ {star['verdict']['min_share']:.0%}"),
        "duration_s": ((star["length"]["min_s"], star["length"]["max_s"]),
                       f"target {clock(star['length']['min_s'])}–{clock(star['length']['max_s'])}"),
    }
    ordered = [{**s, "created_at": str(s.get("created_at", "")), "question_label": _question_label(s)}
               for s in sorted(sessions, key=lambda s: str(s.get("created_at", "")))]
    charts = [trend_chart(key, title, unit, ordered, bands[key][0], fmt, bands[key][1]) for key, title, unit, fmt in PROGRESS_METRICS]
    if any(s.get("structure_score") is not None for s in ordered):
        charts.append(trend_chart("structure_score", "Structure score", "/100", ordered, None))
    return _page("progress.html.j2", "rehearse · progress", frame, charts=charts, sessions=ordered)


def check_writable(path: str | Path) -> Path:
    """Fail early, before a long analysis, when the HTML file cannot be written there (a folder,
    a FIFO or device, a missing or read-only folder); a symlink is followed, never replaced."""
    from rehearse.files import output_target

    if Path(path).is_dir():
        raise RehearseError(str(path), "is a directory; give a file name such as report.html")
    output_target(path, "page")
    return Path(path)


def write_page(path: str | Path, html: str) -> Path:
    """Write the page atomically: a failed write never leaves half a file over an older report."""
    from rehearse.files import write_atomic

    if Path(path).is_dir():
        raise RehearseError(str(path), "is a directory; give a file name such as report.html")
    return write_atomic(path, html, "page")


def check_page_options(html: str | None, open_it: bool, embed_audio: bool = False) -> None:
    """--open and --embed-audio need --html; the page's folder must be writable (checked before
    any slow work)."""
    if (open_it or embed_audio) and not html:
        raise RehearseError("--open" if open_it else "--embed-audio", "needs --html OUT.html")
    if html:
        check_writable(html)


def announce(page: Path, open_it: bool) -> None:
    """Say where the page went; open it in the default browser when asked (or say how to)."""
    print(f"rehearse: wrote {page}", file=sys.stderr)
    if open_it and not open_page(page):
        print(f"rehearse: could not start a browser; open {page.resolve().as_uri()} yourself", file=sys.stderr)


def open_page(path: str | Path) -> bool:
    """Open the page in the default browser ($BROWSER is honoured); False when none could be started."""
    return webbrowser.open(Path(path).resolve().as_uri())


def save_answer_page(report: Report, path: str | Path, audio: str | Path | None = None) -> Path:
    """Render and write one answer's page; `audio` (a recording file) is embedded when given.
    The one call `analyze --html`, `practice` (into its session folder) and `show ID --html` need."""
    audio_uri = None
    if audio is not None:
        from rehearse.report.embed import audio_data_uri

        audio_uri = audio_data_uri(audio)
    return write_page(path, render_answer_page(report, audio_uri))
