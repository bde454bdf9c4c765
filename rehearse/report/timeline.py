"""Geometry for the HTML report: the answer's shared time axis, its transcript tokens and trend charts.

Everything here is plain data (numbers and strings) for the templates in `rehearse/report/templates/`;
nothing here writes HTML. All charts draw into an SVG viewBox WIDTH units wide.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from rehearse.clock import clock, clock_span
from rehearse.models import Report

WIDTH = 1000.0
LEFT = 78.0  # room for the row labels
RIGHT = 12.0

# Rows of the answer timeline, top to bottom (y, height) in SVG units.
STAR_ROW = (8.0, 40.0)
TARGET_ROW = (52.0, 16.0)
PACE_ROW = (84.0, 120.0)
FILLER_ROW = (214.0, 24.0)
PAUSE_ROW = (244.0, 24.0)
AXIS_Y = 280.0
HEIGHT = 300.0
# The voice lane (issue 9), drawn under the pauses when the report carries `voice`: pitch
# findings (monotone stretches, rising endings) on one row, level findings (trailing off,
# clipping) on the next; the axis moves down to make room.
VOICE_PITCH_ROW = (277.0, 24.0)
VOICE_LEVEL_ROW = (305.0, 24.0)
VOICE_AXIS_Y = 340.0
VOICE_HEIGHT = 360.0


# Colour slot (sec-N in report.css) of the sections every bundled rubric shares, so that Action is
# the same colour in STAR and CAR; other labels take the slot of their position in the rubric.
COLOUR_SLOTS = {"situation": 0, "challenge": 0, "task": 1, "action": 2, "result": 3}


def colour_slots(labels: list[str]) -> dict[str, int]:
    return {label: COLOUR_SLOTS.get(label, i) for i, label in enumerate(labels)}


def stamp(seconds: float) -> str:
    """m:ss.d, precise enough to find a word."""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


@dataclass
class Band:
    label: str
    index: int  # position of the section in the rubric: picks its colour and pattern
    x: float
    width: float
    share: float
    target_share: float
    start_s: float
    end_s: float
    text: str  # the label drawn in the band, shortened to fit


@dataclass
class Marker:
    kind: str  # filler | pause
    x: float
    width: float
    start_s: float
    end_s: float
    title: str
    label: str = ""  # short text drawn beside the mark when there is room (voice lane)
    label_left: bool = False  # the label sits before the mark (no room after it)

    @property
    def text(self) -> str:
        return self.title


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class VoiceLane:
    """Voice findings on the shared time axis: bars for monotone stretches, marks for the rest."""

    monotone: list[Marker]  # bar start..end, `label` drawn inside when it fits
    uptalk: list[Marker]  # a ramp rising to the sentence's end
    trailing_off: list[Marker]  # a wedge narrowing over the faded part
    clipping: list[Marker]  # a thin mark per clipped run
    pitch_row: tuple[float, float] = VOICE_PITCH_ROW
    level_row: tuple[float, float] = VOICE_LEVEL_ROW


@dataclass
class AnswerTimeline:
    duration_s: float
    bands: list[Band]
    targets: list[Band]
    pace_points: str  # SVG polyline points
    pace_dots: list[tuple[float, float, str, str]]  # x, y, verdict, title
    pace_band: tuple[float, float]  # y of the high and low target lines
    pace_ticks: list[tuple[float, str]]  # y, label
    target_wpm: tuple[float, float]
    fillers: list[Marker]
    pauses: list[Marker]
    ticks: list[Tick]
    stretches: list[Marker]  # too-fast and too-slow stretches of the pace, labelled
    worst: Marker | None  # the worst stretch (most fillers, off pace, mid-clause pauses)
    voice: VoiceLane | None = None  # None for reports made before voice was measured
    asked: list[Marker] = field(default_factory=list)  # follow-up questions asked inside the answer (interviews)
    left: float = LEFT
    right: float = WIDTH - RIGHT
    width: float = WIDTH
    height: float = HEIGHT
    rows: dict[str, tuple[float, float]] = field(default_factory=lambda: {
        "star": STAR_ROW, "target": TARGET_ROW, "pace": PACE_ROW, "filler": FILLER_ROW, "pause": PAUSE_ROW})
    axis_y: float = AXIS_Y


def _tick_step(duration_s: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration_s / step <= 12:
            return step
    return 1200


def _fit(label: str, share: float, width: float) -> str:
    """The band's text: full name and share, or less when the band is narrow (~7 units a character)."""
    for text in (f"{label.capitalize()} {share:.0%}", f"{label[0].upper()} {share:.0%}", label[0].upper()):
        if len(text) * 7.5 + 6 <= width:
            return text
    return ""


def answer_timeline(report: Report, asked: list[tuple[float, str]] = ()) -> AnswerTimeline:
    """The answer's timeline; `asked`: (time on the answer's timeline, question) of each follow-up
    the interviewer asked inside it, drawn as a mark across the rows."""
    duration = max(report.duration_s, 1e-6)
    span = WIDTH - LEFT - RIGHT

    def x(t: float) -> float:
        return round(LEFT + span * min(max(t, 0.0), duration) / duration, 2)

    star = report.star
    order = colour_slots([s.label for s in star.sections])
    bands = []
    for s in star.sections:
        if not s.present or s.start_s is None or s.end_s is None:
            continue
        x0, x1 = x(s.start_s), x(s.end_s)
        bands.append(Band(s.label, order[s.label], x0, round(x1 - x0, 2), s.share, s.target_share, s.start_s, s.end_s,
                          _fit(s.label, s.share, x1 - x0)))
    # The target split, laid over the same speaking span as the answer's sections.
    present = [s for s in star.sections if s.present and s.start_s is not None]
    start = min((s.start_s for s in present), default=0.0)
    end = max((s.end_s for s in present if s.end_s is not None), default=duration)
    targets = []
    total = sum(s.target_share for s in star.sections) or 1.0
    t = start
    for s in star.sections:
        length = (end - start) * s.target_share / total
        x0, x1 = x(t), x(t + length)
        targets.append(Band(s.label, order[s.label], x0, round(x1 - x0, 2), s.share, s.target_share, t, t + length,
                            _fit(s.label, s.target_share, x1 - x0)))
        t += length

    # Rolling pace: one point per window, at its centre.
    pacing = report.pacing
    low, high = pacing.target_wpm
    rates = [w.words_per_minute for w in pacing.timeline]
    top = max([high * 1.25, *rates]) * 1.05
    bottom = 0.0
    py, ph = PACE_ROW

    def y(wpm: float) -> float:
        return round(py + ph * (1 - (wpm - bottom) / (top - bottom)), 2)

    dots = []
    for w in pacing.timeline:
        centre = (w.start_s + w.end_s) / 2
        dots.append((x(centre), y(w.words_per_minute), w.verdict,
                     f"{clock_span(w.start_s, w.end_s)}: {w.words_per_minute:.0f} wpm ({w.verdict.replace('_', ' ')})"))
    points = " ".join(f"{dx},{dy}" for dx, dy, _, _ in dots)
    step = 50 if top <= 300 else 100
    pace_ticks = [(y(v), f"{v:g}") for v in range(0, int(top) + 1, step)]

    fillers = []
    for f in report.fillers:
        where = {"audio": "heard in the audio only", "both": "written and heard", "transcript": "in the transcript"}[f.source]
        fillers.append(Marker("filler", x(f.start_s), max(x(f.end_s) - x(f.start_s), 0.0), f.start_s, f.end_s,
                              f"filler “{f.text}” at {stamp(f.start_s)} ({f.kind.replace('_', ' ')}, {where})"))
    pauses = []
    for p in report.pauses:
        place = "mid-clause" if p.mid_clause else p.position.replace("_", " ")
        pauses.append(Marker("pause", x(p.start_s), max(x(p.end_s) - x(p.start_s), 2.0), p.start_s, p.end_s,
                             f"pause {p.duration_s:.1f} s at {stamp(p.start_s)} ({place})"))

    stretches = []
    for st in pacing.stretches:
        x0, x1 = x(st.start_s), x(st.end_s)
        stretches.append(Marker(st.kind, x0, round(x1 - x0, 2), st.start_s, st.end_s,
                                f"{st.kind} {st.words_per_minute:.0f}" if x1 - x0 >= 60 else st.kind))

    worst = None
    if report.worst_stretch is not None:
        ws = report.worst_stretch
        worst = Marker("worst", x(ws.start_s), round(x(ws.end_s) - x(ws.start_s), 2), ws.start_s, ws.end_s,
                       f"worst stretch {ws.summary}")

    step_s = _tick_step(duration)
    ticks = []
    t = 0.0
    while t <= duration + 1e-6:
        ticks.append(Tick(x(t), clock(t)))
        t += step_s
    lane = _voice_lane(report, x)
    tl = AnswerTimeline(duration, bands, targets, points, dots, (y(high), y(low)), pace_ticks, (low, high),
                        fillers, pauses, ticks, stretches, worst, lane)
    tl.asked = [Marker("followup", x(at), 0.0, at, at, f"Follow-up at {clock(at)}: {question}", "follow-up")
                for at, question in asked]
    if lane is not None:
        tl.rows = {**tl.rows, "voice_pitch": VOICE_PITCH_ROW, "voice_level": VOICE_LEVEL_ROW}
        tl.axis_y, tl.height = VOICE_AXIS_Y, VOICE_HEIGHT
    return tl


CHAR_W = 6.2  # width of a character of the 11-unit lane text, roughly


def _place_labels(marks: list[Marker], labels: list[tuple[str, ...]], others: list[Marker] = ()) -> None:
    """Give each mark the longest of its labels that fits after it, before the next mark of its
    row, or else before it, after the previous mark and its label (`others`: marks of the row that
    keep their own text, such as the monotone bars)."""
    row = [*marks, *others]
    texts = {id(m): t for m, t in zip(marks, labels)}
    taken = LEFT  # the row is used up to here by earlier marks and their labels
    for m in sorted(row, key=lambda o: o.x):
        if id(m) in texts:
            after = m.x + m.width + 3
            limit = min([o.x - 4 for o in row if o.x > m.x], default=WIDTH - RIGHT)
            for t in texts[id(m)]:
                if after + len(t) * CHAR_W <= limit:
                    m.label = t
                    break
                if m.x - 3 - len(t) * CHAR_W >= taken + 4:
                    m.label, m.label_left = t, True
                    break
        end = m.x + m.width + (3 + len(m.label) * CHAR_W if m.label and not m.label_left and id(m) in texts else 0)
        taken = max(taken, end)


def _voice_lane(report: Report, x) -> VoiceLane | None:
    v = report.voice
    if v is None:
        return None
    monotone = []
    for m in v.monotone:
        x0, x1 = x(m.start_s), x(m.end_s)
        width = round(x1 - x0, 2)
        label = next((t for t in (f"monotone {m.range_semitones:.1f} st", "monotone", "mono")
                      if len(t) * CHAR_W + 8 <= width), "")
        monotone.append(Marker("monotone", x0, width, m.start_s, m.end_s,
                               f"monotone stretch {stamp(m.start_s)}–{stamp(m.end_s)}: pitch moved only "
                               f"{m.range_semitones:.1f} semitones for {m.end_s - m.start_s:.0f} s", label))
    uptalk = [Marker("uptalk", x(u.start_s), max(round(x(u.end_s) - x(u.start_s), 2), 8.0), u.start_s, u.end_s,
                     f"rising ending at {stamp(u.end_s)}: +{u.rise_semitones:.1f} semitones on “{u.text}”")
              for u in v.uptalk]
    fading = [Marker("trailing_off", x(t.start_s), max(round(x(t.end_s) - x(t.start_s), 2), 8.0), t.start_s, t.end_s,
                     f"trailing off at {stamp(t.start_s)}: {t.drop_db:.0f} dB quieter on “{t.text}”")
              for t in v.trailing_off]
    clipping = [Marker("clipping", x(c.start_s), max(round(x(c.end_s) - x(c.start_s), 2), 2.0), c.start_s, c.end_s,
                       f"clipping at {stamp(c.start_s)}: {c.samples} samples at full scale")
                for c in v.clipping]
    # Short texts beside the marks, where the next mark leaves room (the bars hold their own text).
    _place_labels(uptalk, [(f"rise +{u.rise_semitones:.0f} st", "rise") for u in v.uptalk], monotone)
    _place_labels(fading + clipping, [(f"fade −{t.drop_db:.0f} dB", "fade") for t in v.trailing_off]
                  + [("clipping", "clip")] * len(clipping))
    return VoiceLane(monotone, uptalk, fading, clipping)


# --- transcript -------------------------------------------------------------------------------

@dataclass
class Token:
    kind: str  # word | filler | pause | heard (a filler heard in the audio only, not written)
    text: str
    start_s: float
    end_s: float
    title: str = ""
    words: list[Token] = field(default_factory=list)  # the words of a filler


@dataclass
class Passage:
    """Consecutive sentences of one section."""

    label: str
    index: int
    start_s: float
    end_s: float
    sentences: list[list[Token]]


def transcript(report: Report) -> list[Passage]:
    """The transcript as passages by section, each a list of sentences of tokens, with fillers
    wrapped around their words and long pauses and audio-only fillers placed at their time."""
    words = report.words
    sections = [s for s in report.star.sections if s.present and s.start_s is not None]
    order = colour_slots([s.label for s in report.star.sections])
    starts = [s.start_s for s in sections]

    def section_at(t: float):
        i = bisect.bisect_right(starts, t + 1e-6) - 1
        return sections[max(i, 0)] if sections else None

    filler_at: dict[int, tuple[int, object]] = {}  # first word index -> (word count, filler)
    extras: list[Token] = []  # tokens placed by time between words
    for f in report.fillers:
        if f.word_index is not None and 0 <= f.word_index < len(words):
            filler_at[f.word_index] = (max(1, len(f.text.split())), f)
        else:
            extras.append(Token("heard", f"({f.text})", f.start_s, f.end_s,
                                f"“{f.text}” at {stamp(f.start_s)}: heard in the audio, not written by Whisper"))
    for p in report.pauses:
        extras.append(Token("pause", f"{p.duration_s:.1f} s", p.start_s, p.end_s,
                            f"pause of {p.duration_s:.1f} s at {stamp(p.start_s)}" + (" (mid-clause)" if p.mid_clause else "")))
    extras.sort(key=lambda tok: tok.start_s)
    word_starts = [w.start_s for w in words]
    # Each extra goes before the first word that starts at or after it.
    before: dict[int, list[Token]] = {}
    for tok in extras:
        before.setdefault(bisect.bisect_left(word_starts, tok.start_s - 1e-3), []).append(tok)

    passages: list[Passage] = []
    for sentence in report.sentences:
        tokens: list[Token] = []
        i = sentence.word_start
        while i < sentence.word_end:
            tokens.extend(before.pop(i, []))
            if i in filler_at:
                count, f = filler_at[i]
                count = min(count, sentence.word_end - i)
                inner = [Token("word", w.text.strip(), w.start_s, w.end_s) for w in words[i:i + count]]
                where = {"audio": "heard in the audio only", "both": "written and heard", "transcript": "in the transcript"}[f.source]
                tokens.append(Token("filler", f.text, f.start_s, f.end_s,
                                    f"filler “{f.text}” at {stamp(f.start_s)} ({f.kind.replace('_', ' ')}, {where})", inner))
                i += count
            else:
                w = words[i]
                tokens.append(Token("word", w.text.strip(), w.start_s, w.end_s))
                i += 1
        section = section_at(sentence.start_s)
        label = section.label if section else "answer"
        if passages and passages[-1].label == label:
            passages[-1].sentences.append(tokens)
            passages[-1].end_s = sentence.end_s
        else:
            passages.append(Passage(label, order.get(label, 0), sentence.start_s, sentence.end_s, [tokens]))
    leftover = [tok for i in sorted(before) for tok in before[i]]  # after the last word
    if leftover and passages:
        passages[-1].sentences[-1].extend(leftover)
    return passages


# --- trend charts ---------------------------------------------------------------------------------

CHART_HEIGHT = 180.0
CHART_TOP = 14.0
CHART_BOTTOM = 150.0


@dataclass
class TrendPoint:
    x: float
    y: float
    value: float
    label: str
    title: str
    in_band: bool | None


@dataclass
class TrendChart:
    key: str
    title: str
    unit: str
    points: list[TrendPoint]
    polyline: str
    band: tuple[float, float] | None  # y of the top and bottom of the target band
    band_label: str
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    summary: str
    left: float = LEFT
    right: float = WIDTH - RIGHT
    width: float = WIDTH
    height: float = CHART_HEIGHT
    bottom: float = CHART_BOTTOM


def _date(value: str) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%d %b")
    except ValueError:
        return str(value)[:10]


def trend_chart(key: str, title: str, unit: str, sessions: list[dict], band: tuple[float | None, float | None] | None,
                fmt: str = "{:.0f}", band_label: str = "") -> TrendChart:
    """One metric over the sessions (in the order given), with its target band shaded."""
    values = [float(s[key]) if s.get(key) is not None else None for s in sessions]
    known = [v for v in values if v is not None]
    lo_b, hi_b = band if band else (None, None)
    top = max([*known, *(b for b in (lo_b, hi_b) if b is not None), 1e-6]) * 1.15
    bottom = 0.0
    span = WIDTH - LEFT - RIGHT
    n = len(sessions)

    def x(i: int) -> float:
        return round(LEFT + (span * (i + 0.5) / n if n else 0), 2)

    def y(v: float) -> float:
        return round(CHART_BOTTOM - (CHART_BOTTOM - CHART_TOP) * (v - bottom) / (top - bottom), 2)

    points = []
    for i, (s, v) in enumerate(zip(sessions, values)):
        if v is None:
            continue
        inside = None
        if band:
            inside = (lo_b is None or v >= lo_b) and (hi_b is None or v <= hi_b)
        text = fmt.format(v)
        points.append(TrendPoint(x(i), y(v), v, text, f"session {s.get('id')} ({_date(s.get('created_at', ''))}): {text}{unit}"
                                 + ("" if inside is None else " (on target)" if inside else " (off target)"), inside))
    band_y = None
    if band:
        band_y = (y(hi_b if hi_b is not None else top), y(lo_b if lo_b is not None else bottom))
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 0.1 if raw >= 0.1 else 0.01
    step = max(round(raw / magnitude), 1) * magnitude
    y_ticks = []
    v = 0.0
    while v <= top:
        y_ticks.append((y(v), fmt.format(v)))
        v += step
    every = max(1, n // 10)
    x_labels = [(x(i), _date(s.get("created_at", ""))) for i, s in enumerate(sessions) if i % every == 0 or i == n - 1]
    summary = ""
    if len(known) >= 2:
        first, last = known[0], known[-1]
        direction = "up" if last > first else "down" if last < first else "level"
        summary = f"{title}: {fmt.format(first)}{unit} → {fmt.format(last)}{unit} ({direction}) over {len(known)} sessions"
    elif known:
        summary = f"{title}: {fmt.format(known[0])}{unit} (one session)"
    return TrendChart(key, title, unit, points, " ".join(f"{p.x},{p.y}" for p in points), band_y, band_label,
                      y_ticks, x_labels, summary)
