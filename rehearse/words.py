"""Word normalisation shared by the delivery and STAR stages."""

from __future__ import annotations

import re

from num2words import num2words

_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
_PIECES = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z']+|[%$€£]")


def norm(token: str) -> str:
    """Lower-case a word and strip surrounding punctuation ("Um," -> "um")."""
    return _STRIP.sub("", token.lower())


def spoken_words(token: str) -> int:
    """How many words a written token stands for when spoken ("8%" -> 2, "900" -> 2)."""
    count = 0
    for piece in _PIECES.findall(token.replace("-", " ")):
        if piece[0].isdigit():
            value = piece.replace(",", "")
            year = len(value) == 4 and value.isdigit() and 1900 <= int(value) < 2100
            spelled = num2words(int(value), to="year") if year else num2words(float(value) if "." in value else int(value))
            count += len(spelled.replace("-", " ").replace(",", " ").split())
        else:
            count += 1
    return max(count, 1) if token.strip() else 0
