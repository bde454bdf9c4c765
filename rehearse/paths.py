"""Where rehearse keeps what it stores: one data directory, overridable by REHEARSE_HOME."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV = "REHEARSE_HOME"


def data_dir(create: bool = True) -> Path:
    """The data directory: $REHEARSE_HOME if set, else the platform's user data dir."""
    env = os.environ.get(ENV)
    path = Path(env).expanduser() if env else user_data_path("rehearse", appauthor=False)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def sessions_dir(create: bool = True) -> Path:
    """Folder holding one sub-folder per recorded practice session."""
    path = data_dir(create) / "sessions"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def history_db() -> Path:
    """The SQLite history database."""
    return data_dir() / "history.sqlite3"
