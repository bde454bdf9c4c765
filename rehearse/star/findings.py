"""Findings an interviewer would make about the story, each with evidence and one suggestion.

Thresholds and cue patterns live in rubrics/findings.toml; the format rubric's [roles] say which
sections are context, action and result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rehearse.clock import clock
from rehearse.models import Evidence, Finding, StarResult, StarSentence

QUOTE_WORDS = 16


@lru_cache(maxsize=256)
def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def quote(text: str, words: int = QUOTE_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def evidence(s: StarSentence, match: re.Match | None = None) -> Evidence:
    """A sentence as evidence; with a match, the quote is centred on it."""
    text = s.text
    if match is not None and len(text.split()) > QUOTE_WORDS:
        before = text[: match.start()].split()
        start = max(0, len(before) - 5)
        words = text.split()
        text = ("… " if start else "") + " ".join(words[start : start + QUOTE_WORDS]) + (" …" if start + QUOTE_WORDS < len(words) else "")
        return Evidence(quote=text, start_s=s.start_s, end_s=s.end_s, sentence=s.index)
    return Evidence(quote=quote(text), start_s=s.start_s, end_s=s.end_s, sentence=s.index)


def roles(rubric: dict[str, Any]) -> dict[str, Any]:
    """Which sections are context, action and result (defaults fit STAR-like rubrics)."""
    sections = rubric["sections"]
    r = rubric.get("roles", {})
    return {
        "context": list(r.get("context", sections[:-2])),
        "action": r.get("action", rubric.get("verdict", {}).get("section", sections[-2])),
        "result": r.get("result", sections[-1]),
    }


class Context:
    """What every detector needs: the scored answer, its rubrics and helpers."""

    def __init__(self, star: StarResult, rubric: dict[str, Any], config: dict[str, Any]):
        self.star, self.rubric, self.config = star, rubric, config
        self.roles = roles(rubric)
        self.sentences = star.sentences
        self.sections = {s.label: s for s in star.sections}
        self.minutes = max(star.span_s, 1e-6) / 60

    def cfg(self, finding: str) -> dict[str, Any]:
        return self.config.get("findings", {}).get(finding, {})

    def in_section(self, label: str) -> list[StarSentence]:
        return [s for s in self.sentences if s.label == label]

    def make(self, fid: str, detail: str, ev: list[Evidence], weight: float = 1.0) -> Finding:
        c = self.cfg(fid)
        return Finding(id=fid, title=c.get("title", fid), detail=detail, suggestion=c.get("suggestion", ""),
                       severity=round(float(c.get("severity", 1.0)) * weight, 2), evidence=ev)


def context_too_long(cx: Context) -> Finding | None:
    c = cx.cfg("context_too_long")
    parts = [cx.sections[s] for s in cx.roles["context"] if s in cx.sections]
    share = sum(p.share for p in parts)
    if not parts or share <= c["max_share"]:
        return None
    target = sum(p.target_share for p in parts)
    present = [p for p in parts if p.present]
    names = " + ".join(p.label.capitalize() for p in parts)
    seconds = sum(p.duration_s for p in parts)
    sents = [s for s in cx.sentences if s.label in cx.roles["context"]]
    ev = [Evidence(quote=quote(sents[0].text), start_s=present[0].start_s, end_s=max(p.end_s for p in present),
                   sentence=sents[0].index)]
    return cx.make("context_too_long", f"{names} took {seconds:.0f} s, {share:.0%} of the answer (target {target:.0%}).",
                   ev, 1 + (share - c["max_share"]) * 3)


def action_told_as_we(cx: Context) -> Finding | None:
    c = cx.cfg("action_told_as_we")
    action = cx.in_section(cx.roles["action"])
    i_re, we_re = _re(c["i_pattern"]), _re(c["we_pattern"])
    n_i = sum(len(i_re.findall(s.text.lower())) for s in action)
    n_we = sum(len(we_re.findall(s.text.lower())) for s in action)
    if n_we < c["min_we"] or n_we / max(n_i + n_we, 1) < c["max_we_share"]:
        return None
    ev = [evidence(s, we_re.search(s.text.lower())) for s in action if we_re.search(s.text.lower())][:2]
    return cx.make("action_told_as_we", f"In the {cx.roles['action']} you said \"we\" {n_we} times and \"I\" {n_i} times.", ev,
                   n_we / max(n_i + n_we, 1) + 0.5)


def _result_or_tail(cx: Context) -> list[StarSentence]:
    result = cx.in_section(cx.roles["result"])
    if result:
        return result
    c = cx.cfg("no_measurable_result")
    end = cx.sentences[-1].end_s
    cut = end - c.get("tail_share", 0.2) * cx.star.span_s
    return [s for s in cx.sentences if s.end_s >= cut] or cx.sentences[-1:]


def no_measurable_result(cx: Context) -> Finding | None:
    c = cx.cfg("no_measurable_result")
    metric = _re(c["metric_pattern"])
    where = _result_or_tail(cx)
    if any(metric.search(s.text.lower()) for s in where):
        return None
    label = cx.roles["result"]
    if cx.in_section(label):
        detail = f"The {label} has no number: no metric, percentage, time or money."
    else:
        detail = f"No {label} was heard, and the close has no number."
    return cx.make("no_measurable_result", detail, [evidence(s) for s in where[:1]])


def no_lesson(cx: Context) -> Finding | None:
    c = cx.cfg("no_lesson")
    lesson = _re(c["lesson_pattern"])
    if any(lesson.search(s.text.lower()) for s in cx.sentences):
        return None
    last = cx.sentences[-1]
    return cx.make("no_lesson", "Nothing about what you learned or would do differently.", [evidence(last)])


def heroics_without_mechanisms(cx: Context) -> Finding | None:
    c = cx.cfg("heroics_without_mechanisms")
    hero, mech, me = _re(c["heroics_pattern"]), _re(c["mechanism_pattern"]), _re(c["first_person_pattern"])
    heroic = [(s, m) for s in cx.sentences for m in [hero.search(s.text.lower())] if m and me.search(s.text.lower())]
    mechanisms = sum(len(mech.findall(s.text.lower())) for s in cx.sentences)
    if len(heroic) < c["min_heroics"] or mechanisms > c["max_mechanisms"]:
        return None
    return cx.make("heroics_without_mechanisms",
                   f"{len(heroic)} sentence(s) of personal effort and no alert, runbook, test, canary or flag named.",
                   [evidence(s, m) for s, m in heroic[:2]], 1 + 0.1 * len(heroic))


def no_tradeoff(cx: Context) -> Finding | None:
    c = cx.cfg("no_tradeoff")
    trade = _re(c["tradeoff_pattern"])
    if any(trade.search(s.text.lower()) for s in cx.sentences):
        return None
    action = cx.in_section(cx.roles["action"]) or cx.sentences
    ev = [Evidence(quote=quote(action[0].text), start_s=action[0].start_s, end_s=action[-1].end_s, sentence=action[0].index)]
    return cx.make("no_tradeoff", "No option weighed, alternative rejected or first idea that proved wrong.", ev)


def late_framing(cx: Context) -> Finding | None:
    c = cx.cfg("late_framing")
    start = cx.sentences[0].start_s
    early = [s for s in cx.sentences if s.start_s < start + c["window_s"]]
    problem, impact = _re(c["problem_pattern"]), _re(c["impact_pattern"])
    has_problem = any(problem.search(s.text.lower()) for s in early)
    has_impact = any(impact.search(s.text.lower()) for s in early)
    if has_problem and has_impact:
        return None
    missing = "the problem and its impact" if not (has_problem or has_impact) else ("the problem" if not has_problem else "its impact")
    window_end = min(start + c["window_s"], cx.sentences[-1].end_s)
    ev = [Evidence(quote=quote(early[0].text), start_s=early[0].start_s, end_s=round(max(s.end_s for s in early), 3), sentence=early[0].index)]
    return cx.make("late_framing", f"The first {window_end - start:.0f} s do not state {missing}.", ev,
                   1.0 if not (has_problem or has_impact) else 0.8)


def length(cx: Context) -> Finding | None:
    band = cx.rubric.get("length")
    if not band:
        return None
    span, first, last = cx.star.span_s, cx.sentences[0], cx.sentences[-1]
    ev = [Evidence(quote=quote(last.text, 10), start_s=first.start_s, end_s=last.end_s, sentence=last.index)]
    if span < band["min_s"]:
        return cx.make("too_short", f"The answer lasted {clock(span)}; aim for {clock(band['min_s'])}–{clock(band['max_s'])}.", ev,
                       1 + (band["min_s"] - span) / band["min_s"])
    if span > band["max_s"]:
        return cx.make("too_long", f"The answer lasted {clock(span)}; aim for {clock(band['min_s'])}–{clock(band['max_s'])}.", ev,
                       1 + (span - band["max_s"]) / band["max_s"])
    return None


def generic_values(cx: Context) -> Finding | None:
    c = cx.cfg("generic_values")
    generic, event = _re(c["generic_pattern"]), _re(c["event_pattern"])
    habitual = [(s, m) for s in cx.sentences for m in [generic.search(s.text.lower())] if m]
    events = [s for s in cx.sentences if event.search(s.text.lower()) and not generic.search(s.text.lower())]
    if len(habitual) < c["min_generic"] or len(habitual) / (len(habitual) + len(events)) < c["min_ratio"]:
        return None
    return cx.make("generic_values",
                   f"{len(habitual)} sentence(s) describe what you usually do; {len(events)} tell a specific past event.",
                   [evidence(s, m) for s, m in habitual[:2]])


def hedging(cx: Context) -> Finding | None:
    c = cx.cfg("hedging")
    hedge = _re(c["hedge_pattern"])
    hits = [(s, m) for s in cx.sentences for m in hedge.finditer(s.text.lower())]
    per_minute = len(hits) / cx.minutes
    if len(hits) < c["min_count"] or per_minute < c["min_per_minute"]:
        return None
    words = sorted({m.group(0) for _, m in hits}, key=lambda w: -sum(m.group(0) == w for _, m in hits))
    ev, seen = [], set()
    for s, m in hits:
        if s.index not in seen:
            ev.append(evidence(s, m))
            seen.add(s.index)
        if len(ev) == 2:
            break
    return cx.make("hedging", f"{len(hits)} hedges ({per_minute:.1f} per minute): " + ", ".join(f'"{w}"' for w in words[:3]) + ".",
                   ev, min(2.0, 0.6 + per_minute / 5))


DETECTORS: list[Callable[[Context], Finding | None]] = [
    generic_values, context_too_long, no_measurable_result, action_told_as_we, heroics_without_mechanisms,
    late_framing, length, hedging, no_lesson, no_tradeoff,
]


def find(star: StarResult, rubric: dict[str, Any], config: dict[str, Any]) -> list[Finding]:
    """Every finding that applies, most severe first."""
    cx = Context(star, rubric, config)
    found = [f for detect in DETECTORS if (f := detect(cx)) is not None]
    return sorted(found, key=lambda f: -f.severity)
