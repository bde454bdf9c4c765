"""Files the user names: what may be read as an input and how an output is written.

Every input file goes through `check_input` before anything opens it: a FIFO, socket or device
is refused up front (opening a FIFO with no writer blocks forever; /dev/zero never ends), and
each OS error becomes a line that names the real problem (a symlink loop is not "no such file").
Every output the user names (`--html`, `--plot`, `export --csv`) is written by `write_atomic`:
the whole file goes to a temporary file beside the target, then is renamed over it, so a failed
write never leaves half a file; a symlink is followed (the link stays, its target is written);
a FIFO, device or socket at the path is refused, never replaced.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from rehearse.errors import RehearseError

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def display(path: str | os.PathLike) -> str:
    """The path as text that can always be printed and stored as UTF-8: bytes of a name that are
    not UTF-8 (kept by Python as lone surrogates) become \\xNN escapes."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def os_problem(exc: OSError) -> str:
    """An OS error in words, without repeating the path."""
    words = {
        errno.ENOENT: "no such file",
        errno.ELOOP: "a symlink loop (too many levels of symbolic links)",
        errno.ENAMETOOLONG: "file name too long for the file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.ENOSPC: "the disk is full (no space left on the device)",
        errno.EROFS: "read-only file system",
        errno.EISDIR: "is a folder",
        errno.ENXIO: "no such device or address",
        errno.EIO: "input/output error",
    }
    return words.get(exc.errno, exc.strerror or str(exc))


def kind(mode: int) -> str | None:
    """'a FIFO (named pipe)', 'a character device', ... for a file that is not regular (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_input(path: str | os.PathLike, what: str = "audio file") -> Path:
    """A regular, readable, non-empty file, or a one-line error naming the real problem."""
    text = os.fspath(path)
    if text in ("", b""):
        raise RehearseError(f"(empty {what} name)", "no file given: the name is empty")
    path = Path(text)
    try:
        st = os.stat(path)  # follows symlinks
    except OSError as exc:
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise RehearseError(display(path), "a symlink whose target does not exist") from None
        raise RehearseError(display(path), os_problem(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise RehearseError(display(path), f"is a folder, not an {what}")
    other = kind(st.st_mode)
    if other:
        raise RehearseError(display(path), f"is {other}, not a file: give a recording saved to disk"
                            if what == "audio file" else f"is {other}, not a file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        os.close(fd)
    except OSError as exc:
        raise RehearseError(display(path), f"cannot be read ({os_problem(exc)})") from None
    if st.st_size == 0:
        raise RehearseError(display(path), "file is empty (0 bytes)")
    return path


def output_target(path: str | os.PathLike, what: str = "file") -> Path:
    """Where writing `path` really goes: a symlink's target (the link is kept); a FIFO, device or
    socket is refused; the folder must exist and be writable. Checked before any slow work."""
    text = os.fspath(path)
    if text == "":
        raise RehearseError(f"(empty {what} name)", "no file given: the name is empty")
    target = Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise RehearseError(display(text), os_problem(exc)) from None
    if st is not None:
        other = kind(st.st_mode)
        if other:
            raise RehearseError(display(text), f"is {other}: give a path for a regular {what}")
    folder = target.parent
    if not folder.is_dir():
        raise RehearseError(display(text), f"folder {display(folder)} does not exist")
    if not os.access(folder, os.W_OK):
        raise RehearseError(display(text), f"folder {display(folder)} is not writable")
    if len(os.fsencode(target.name)) > _name_max(folder):
        raise RehearseError(display(text), os_problem(OSError(errno.ENAMETOOLONG, "")))
    return target


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def write_atomic(path: str | os.PathLike, data: str | bytes, what: str = "file") -> Path:
    """Write the whole of `data` to a temporary file beside the target, then rename it over the
    target: a failed write leaves the old file as it was. Returns the path as given."""
    target = output_target(path, what)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise RehearseError(display(path), f"cannot write the {what} ({os_problem(exc)})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RehearseError(display(path), f"cannot write the {what} ({os_problem(exc)}); "
                                           "nothing was changed at that path") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(os.fspath(path))
