"""Trends across stored sessions: direction in words, personal bests, time to target, per question.

Which metrics, their target bands and the wording thresholds are data: rubrics/progress.toml.
`progress_sessions(...)` is the list of session dicts the `--json` output (and the HTML view)
uses; `summarize(sessions)` computes what the terminal table and the charts show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rehearse import rubric
from rehearse.history import store as history
from rehearse.models import MetricTrend, Progress, QuestionAttempts, Session


def _lookup(reference: str) -> Any:
    """`rubric:dotted.path` -> the value in that rubric."""
    name, _, dotted = reference.partition(":")
    value: Any = rubric.load(name)
    for part in dotted.split("."):
        value = value[part]
    return value


def target_band(spec: dict[str, Any]) -> tuple[float | None, float | None] | None:
    """The metric's target band (low, high); None when it has no target."""
    if "target" in spec:
        low, high = spec["target"]
        return float(low), float(high)
    if "target_low" in spec or "target_high" in spec:
        return spec.get("target_low"), spec.get("target_high")
    if "target_from" not in spec:
        return None
    value = _lookup(spec["target_from"])
    if isinstance(value, list | tuple):
        return float(value[0]), float(value[1])
    if isinstance(value, dict) and "share" in value:
        share, tol = float(value["share"]), float(value.get("tolerance", 0))
        return round(share - tol, 4), round(share + tol, 4)
    if isinstance(value, dict) and "min_s" in value:
        return float(value["min_s"]), float(value["max_s"])
    if spec.get("better") == "higher":
        return float(value), None
    return None, float(value)


def metric_specs() -> list[dict[str, Any]]:
    """The metrics of rubrics/progress.toml, each with its resolved `band`."""
    specs = []
    for spec in rubric.load("progress")["metrics"]:
        spec = dict(spec)
        spec["band"] = target_band(spec)
        specs.append(spec)
    return specs


def fmt(spec: dict[str, Any], value: float | None, unit: bool = True) -> str:
    """A metric value as shown: `57 %`, `151 wpm`, `1.7/min`."""
    if value is None:
        return "—"
    decimals = int(spec.get("decimals", 1))
    if spec.get("percent"):
        return f"{value * 100:.{decimals}f} %" if unit else f"{value * 100:.{decimals}f}"
    text = f"{value:.{decimals}f}"
    if not unit or not spec.get("unit"):
        return text
    return text + ("" if spec["unit"].startswith("/") else " ") + spec["unit"]


def band_text(spec: dict[str, Any], unit: bool = True) -> str:
    """The target band as shown: `130–160 wpm`, `≤ 3.0/min` (without the unit when asked)."""
    band = spec.get("band")
    if not band:
        return ""
    low, high = band
    if low is not None and high is not None:
        return f"{fmt(spec, low, unit=False)}–{fmt(spec, high, unit)}"
    return f"≥ {fmt(spec, low, unit)}" if low is not None else f"≤ {fmt(spec, high, unit)}"


def distance(spec: dict[str, Any], value: float) -> float:
    """How far a value is outside the target band (0 inside); for lower/higher metrics without a band,
    the value itself (lower better) or its negative (higher better)."""
    band = spec.get("band")
    if band:
        low, high = band
        if low is not None and value < low:
            return low - value
        if high is not None and value > high:
            return value - high
        return 0.0
    return value if spec.get("better") == "lower" else -value


def in_band(spec: dict[str, Any], value: float | None) -> bool | None:
    if value is None or not spec.get("band"):
        return None
    return distance(spec, value) == 0.0


def trend(spec: dict[str, Any], sessions: list[Session], phrase: str | None = None) -> MetricTrend:
    """One metric over `sessions` (oldest first): direction in words, best, time to target."""
    cfg = rubric.load("progress")["trend"]
    label, key = spec["label"], spec["key"]
    values = [getattr(s, key) for s in sessions]
    known = [(s, v) for s, v in zip(sessions, values) if v is not None]
    n = len(known)
    phrase = phrase or f"over your last {n} sessions"
    band = spec.get("band")
    out: dict[str, Any] = {"metric": key, "label": label, "unit": spec.get("unit", ""), "values": values,
                           "target": band, "first": None, "last": None, "compared": 0, "change": None,
                           "relative_change": None, "better": None}
    if n == 0:
        return MetricTrend(**out, direction="too_few", words=f"{label}: no value recorded yet")

    # personal best, and time to target
    better = spec.get("better")
    if better in ("lower", "higher", "band"):
        def badness(value: float) -> float:
            if better == "band":
                return distance(spec, value)
            return value if better == "lower" else -value
        best_s, best_v = min(reversed(known), key=lambda sv: badness(sv[1]))  # ties: the most recent
        out.update(best=best_v, best_session=best_s.id, best_at=best_s.created_at)
    if band:
        hits = [in_band(spec, v) for _, v in known]
        streak = 0
        for hit in reversed(hits):
            if not hit:
                break
            streak += 1
        out.update(in_target=sum(hits), first_in_target=(hits.index(True) + 1) if any(hits) else None,
                   in_target_streak=streak)

    if n < int(cfg.get("min_sessions", 2)):
        only = known[0][1]
        return MetricTrend(**out, direction="too_few",
                           words=f"{label}: {fmt(spec, only)} (one session so far: record another to see a trend)")

    k = max(1, min(int(cfg.get("ends", 3)), n // 2))
    first = sum(v for _, v in known[:k]) / k
    last = sum(v for _, v in known[-k:]) / k
    change = last - first
    relative = change / first if first else None
    steady = abs(change) < float(spec.get("steady", 0))
    direction = "steady" if steady else ("up" if change > 0 else "down")
    if not steady and better in ("lower", "higher", "band"):
        if better == "band":
            gap_first, gap_last = distance(spec, first), distance(spec, last)
            out["better"] = None if gap_first == gap_last else gap_last < gap_first
        else:
            out["better"] = (change < 0) == (better == "lower")
    out.update(first=round(first, 4), last=round(last, 4), compared=k, change=round(change, 4),
               relative_change=None if relative is None else round(relative, 4))

    ends = f"first {k} vs last {k}" if k > 1 else ""
    if steady:
        words = f"{label} steady at about {fmt(spec, last)} {phrase}" + (f" ({ends})" if ends else "")
    elif spec.get("words") == "relative" and relative is not None:
        words = (f"{label} {direction} {abs(relative) * 100:.0f} % {phrase} "
                 f"({fmt(spec, first)} → {fmt(spec, last)}{', ' + ends if ends else ''})")
    else:
        words = f"{label} {direction} from {fmt(spec, first)} to {fmt(spec, last)} {phrase}" + (f" ({ends})" if ends else "")
    latest = known[-1][1]
    if band:
        if in_band(spec, latest):
            words += f"; latest {fmt(spec, latest)} is inside the target {band_text(spec)}"
        else:
            low, _ = band
            side = "below" if low is not None and latest < low else "above"
            words += f"; latest {fmt(spec, latest)} is {side} the target {band_text(spec)}"
    return MetricTrend(**out, direction=direction, words=words)


def group_by_question(sessions: list[Session]) -> list[QuestionAttempts]:
    """Questions answered more than once among `sessions`, with how each story moved over its attempts."""
    groups: dict[str, list[Session]] = {}
    for s in sessions:
        if s.question_key:
            groups.setdefault(s.question_key, []).append(s)
    wanted = rubric.load("progress").get("questions", {}).get("metrics", [])
    specs = {spec["key"]: spec for spec in metric_specs()}
    out = []
    for key, attempts in groups.items():
        if len(attempts) < 2:
            continue
        phrase = f"over {len(attempts)} attempts"
        trends = [trend(specs[m], attempts, phrase) for m in wanted if m in specs]
        latest = attempts[-1]
        out.append(QuestionAttempts(key=key, question=latest.question or latest.question_id or key,
                                    question_id=latest.question_id, sessions=[s.id for s in attempts], trends=trends))
    return out


def summarize(sessions: list[Session], filters: dict[str, Any] | None = None) -> Progress:
    """Trends of every metric and the per-question view for `sessions` (oldest first)."""
    filters = filters or {}
    n = len(sessions)
    phrase = f"over these {n} sessions" if filters.get("until") else f"over your last {n} sessions"
    trends = [trend(spec, sessions, phrase) for spec in metric_specs()] if sessions else []
    return Progress(sessions=sessions, trends=trends, questions=group_by_question(sessions),
                    filters={k: v for k, v in filters.items() if v is not None})


def select(last: int | None = None, since: str | None = None, until: str | None = None, principle: str | None = None,
           question: str | None = None, source: str | None = None, db=None,
           every: bool = False) -> tuple[list[Session], dict[str, Any]]:
    """Sessions chosen by the command-line filters (dates as typed: YYYY-MM-DD, ISO time, 7d, 2w);
    without --last or dates the last 20 (the rubric's `default_last`), or all of them with `every`."""
    if last is None and since is None and until is None and not every:
        last = int(rubric.load("progress")["trend"].get("default_last", 20))
    since_dt = history.parse_when(since) if since else None
    until_dt = history.parse_when(until, end_of_day=True) if until else None
    if since_dt and until_dt and _aware(since_dt) > _aware(until_dt):
        from rehearse.errors import RehearseError

        raise RehearseError(f"--since {since}", f"is after --until {until}")
    found = history.sessions(last=last, since=since_dt, until=until_dt, principle=principle, question=question,
                             source=source, db=db)
    filters = {"last": last, "since": since, "until": until, "principle": principle, "question": question, "source": source}
    return found, filters


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.astimezone()


def progress_sessions(last: int | None = None, since: str | None = None, until: str | None = None,
                      principle: str | None = None, question: str | None = None, source: str | None = None,
                      db=None) -> list[dict[str, Any]]:
    """The sessions `rehearse progress` would show, oldest first, as plain dicts (JSON-ready): at least
    id, created_at, duration_s, words_per_minute, fillers_per_minute, action_share, action_dominant."""
    found, _ = select(last, since, until, principle, question, source, db)
    return [s.model_dump(mode="json") for s in found]
