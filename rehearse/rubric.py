"""Rubric loading: thresholds, cues and word lists live in `rubrics/*.toml`, not in code."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError


def rubrics_dir() -> Path:
    """The installed rubrics (package `rehearse.rubrics`), or `rubrics/` of a source checkout."""
    try:
        return Path(str(resources.files("rehearse.rubrics")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rubrics"


def named_file(name: str | None) -> Path | None:
    """A file a rubric names (a model's weights, "turn_model.json"): beside the rubrics unless the
    name is an absolute path; None when the rubric names none."""
    if not name:
        return None
    p = Path(name)
    return p if p.is_absolute() else rubrics_dir() / p


def _bundled(name: str) -> Path:
    return rubrics_dir() / name


def bundled_names(suffix: str = ".toml") -> list[str]:
    return sorted(p.stem for p in rubrics_dir().glob(f"*{suffix}"))


@cache
def load(name_or_path: str) -> dict[str, Any]:
    """Load a bundled rubric by name (`star`, `delivery`, ...) or a TOML file by path."""
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix == ".toml" else _bundled(f"{name_or_path}.toml")
    if not path.is_file():
        known = ", ".join(bundled_names())
        raise RehearseError(name_or_path, f"no such rubric (bundled: {known}; or give a .toml path)")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RehearseError(str(path), f"rubric is not valid TOML ({exc})") from None
