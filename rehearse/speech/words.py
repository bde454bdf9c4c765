"""Word normalisation shared by the delivery and STAR stages."""

from __future__ import annotations

import re

from num2words import num2words

_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
_PIECES = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z']+|[%$€£]")


def norm(token: str) -> str:
    """Lower-case a word and strip surrounding punctuation ("Um," -> "um")."""
    return _STRIP.sub("", token.lower())


def _spelled(number: str) -> str:
    """A number as it is said ("2,100" -> "two thousand, one hundred"; "2019" as a year)."""
    value = number.replace(",", "")
    year = len(value) == 4 and value.isdigit() and 1900 <= int(value) < 2100
    try:
        return num2words(int(value), to="year") if year else num2words(float(value) if "." in value else int(value))
    except OverflowError:
        # a run of digits past any number's name (Whisper can write one for a noise): said digit by digit
        return " ".join(num2words(int(d)) if d.isdigit() else "point" for d in value)


def spoken_words(token: str) -> int:
    """How many words a written token stands for when spoken ("8%" -> 2, "900" -> 2)."""
    count = 0
    for piece in _PIECES.findall(token.replace("-", " ")):
        if piece[0].isdigit():
            count += len(_spelled(piece).replace("-", " ").replace(",", " ").split())
        else:
            count += 1
    return max(count, 1) if token.strip() else 0


def said_letters(token: str) -> int:
    """Letters of a word as it is said: a number counts the letters of its words ("68" is
    "sixty-eight": 10), anything else its own letters."""
    pieces = _PIECES.findall(token.replace("-", " "))
    count = sum(sum(c.isalpha() for c in _spelled(p)) if p[0].isdigit() else len(p) for p in pieces)
    return count or len(token)
