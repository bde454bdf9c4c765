"""Times as a candidate reads them: "1:05", "0:42–0:55"."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """Minutes and seconds, "1:05" (negative times show as 0:00)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def clock_span(start_s: float, end_s: float) -> str:
    """ "0:42–0:55", or "2:29" for a span that starts and ends within the same second."""
    a, b = clock(start_s), clock(end_s)
    return a if a == b else f"{a}–{b}"


def clock_hms(seconds: float) -> str:
    """Rounded to the second, with hours when there are any: "1:02:05", "4:07"."""
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"
