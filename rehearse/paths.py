"""Where rehearse keeps what it stores: one data directory, overridable by REHEARSE_HOME."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from rehearse.errors import RehearseError

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


def new_session_folder(tag: str) -> Path:
    """A new folder under the sessions folder, named for the time and `tag` (a question id, an
    upload's kind); never one that exists already."""
    import time

    base = sessions_dir()
    stem = time.strftime("%Y%m%d-%H%M%S") + "-" + tag
    for n in range(1000):
        folder = base / (stem if n == 0 else f"{stem}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise RehearseError(str(folder), f"cannot create the session folder ({exc.strerror or exc})") from None
    raise RehearseError(str(base), "too many sessions started this second")
