"""Folder mode: `rehearse analyze DIR/` analyses every audio file in a folder, in parallel.

Results are cached in the data directory (`rehearse.paths.data_dir() / "analyses"`), one JSON
file per recording, keyed by the file's absolute path, size and modification time and the
analysis options, so nothing is written next to the user's recordings and a file that has
not changed is not analysed again (unless `--force`). Files are analysed in worker processes,
one per core (each worker's Whisper gets its share of the cores).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from rehearse import __version__, paths
from rehearse.errors import RehearseError
from rehearse.models import BatchItem
from rehearse.speech import model as whisper_model

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".mp4", ".wma", ".aiff",
                  ".aif"}


def audio_files(folder: Path) -> list[Path]:
    """The audio files directly inside `folder` (by name), sorted."""
    if not folder.is_dir():
        raise RehearseError(str(folder), "not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                   and not p.name.startswith("."))
    if not files:
        raise RehearseError(str(folder), f"no audio files in this folder ({', '.join(sorted(AUDIO_SUFFIXES))})")
    return files


def cache_dir() -> Path:
    path = paths.data_dir() / "analyses"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(file: Path, options: dict) -> Path:
    st = file.stat()
    key = json.dumps({"path": str(file.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                      "options": options, "version": __version__}, sort_keys=True)
    return cache_dir() / f"{hashlib.sha1(key.encode()).hexdigest()[:20]}.json"


def _init_worker(threads: int) -> None:
    from rehearse.speech import model

    model.THREADS = threads


def analyze_one(file: str, options: dict) -> BatchItem:
    """Analyse one file (in a worker) and cache the result; bad input, and any failure at all,
    becomes an error item: one file never takes the batch down."""
    from rehearse.files import display

    path = Path(file)
    name = display(file)
    try:
        if options.get("interview"):
            from rehearse.interview.answers import analyze_interview

            item = BatchItem(file=file, status="analysed",
                             interview=analyze_interview(path, model=options.get("model"),
                                                         rubric_name=options.get("rubric", "star"),
                                                         min_pause_s=options.get("min_pause"), lp=options.get("lp")))
        else:
            from rehearse.pipeline import analyze

            item = BatchItem(file=file, status="analysed",
                             report=analyze(path, model=options.get("model"), rubric_name=options.get("rubric", "star"),
                                            min_pause_s=options.get("min_pause"), prompt=options.get("prompt"),
                                            lp=options.get("lp")))
    except RehearseError as exc:
        return BatchItem(file=name, status="error", error=str(exc))
    except MemoryError:
        return BatchItem(file=name, status="error", error=f"{name}: not enough memory to analyse it")
    except Exception as exc:  # a bug: reported on this file's row, the others go on
        return BatchItem(file=name, status="error", error=f"{name}: internal error: {type(exc).__name__}: {exc}")
    item = item.model_copy(update={"file": name})
    try:
        target = cache_path(path, options)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(item.model_dump_json())
        os.replace(tmp, target)
    except OSError:
        pass  # the cache is an optimisation: a full disk only means this file is analysed again next time
    return item


def analyze_folder(folder: Path, options: dict, force: bool = False, jobs: int | None = None,
                   on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Every audio file in `folder`: cached results where the file is unchanged, the rest
    analysed in parallel. Results come back in file order."""
    files = audio_files(folder)
    results: dict[str, BatchItem] = {}
    todo = []
    for f in files:
        try:
            cached = cache_path(f, options)
        except OSError:  # gone or unreadable since the folder was listed: its row says why
            todo.append(str(f))
            continue
        if cached.is_file() and not force:
            try:
                item = BatchItem.model_validate_json(cached.read_text())
                results[str(f)] = item.model_copy(update={"status": "cached"})
                if on_done:
                    on_done(results[str(f)])
                continue
            except ValueError:
                pass  # an unreadable cache entry is analysed again
        todo.append(str(f))
    if todo:
        cores = whisper_model.cores()
        jobs = max(1, min(jobs or cores, len(todo)))
        threads = max(1, cores // jobs)

        def done(f: str, item: BatchItem) -> None:
            results[f] = item
            if on_done:
                on_done(item)

        if jobs == 1:
            _init_worker(threads)
            for f in todo:
                done(f, analyze_one(f, options))
        else:
            left = _in_pool(todo, options, jobs, threads, done)
            for f in left:  # a worker died under them (killed, out of memory): each again in a process of its own
                again = _in_pool([f], options, 1, cores, done)
                if again:
                    from rehearse.files import display

                    done(f, BatchItem(file=display(f), status="error",
                                      error=f"{display(f)}: the analysis process died (killed by a signal or out of "
                                            "memory); the other files were analysed"))
    return [results[str(f)] for f in files]


def _in_pool(todo: list[str], options: dict, jobs: int, threads: int,
             done: Callable[[str, BatchItem], None]) -> list[str]:
    """Analyse `todo` in a pool of worker processes; returns the files whose worker died (a worker
    killed by a signal breaks the whole pool: every file not finished by then is returned)."""
    from concurrent.futures.process import BrokenProcessPool

    left = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(analyze_one, f, options): f for f in todo}
        for future in as_completed(futures):
            try:
                item = future.result()
            except BrokenProcessPool:
                left.append(futures[future])
                continue
            done(futures[future], item)
    return sorted(left, key=todo.index)


def save_items(items: list[BatchItem]) -> list[int]:
    """Save every answer analysed now (not those shown from the cache: they were saved when
    analysed) to the history; returns the session ids."""
    from rehearse.history.store import save_quietly

    ids = []
    for item in items:
        if item.status != "analysed":
            continue
        reports = [item.report] if item.report is not None else \
            [a.report for a in (item.interview.answers if item.interview else []) if a.report is not None]
        for report in reports:
            saved = save_quietly(report, "interview" if item.interview is not None else "analyze")
            if saved is not None:
                ids.append(saved)
    return ids


def results_table(items: list[BatchItem]):
    from rich.table import Table
    from rich.text import Text

    from rehearse.clock import clock

    table = Table(title="rehearse: folder results", header_style="bold")
    for name, justify in (("file", "left"), ("length", "right"), ("answers", "right"), ("score", "right"),
                          ("wpm", "right"), ("fillers/min", "right"), ("action", "right"), ("status", "left")):
        table.add_column(name, justify=justify, overflow="fold" if name in ("file", "status") else "ellipsis")
    for item in items:
        name = Path(item.file).name
        status = Text(item.status, style={"analysed": "green", "cached": "cyan", "error": "red"}[item.status])
        if item.status == "error":
            problem = item.error.split(": ", 1)[-1] if item.error else ""
            table.add_row(name, "", "", "", "", "", "", Text(f"error: {problem}", style="red"))
            continue
        if item.interview is not None:
            iv = item.interview
            s = iv.summary
            table.add_row(name, clock(iv.duration_s), str(len(iv.answers)),
                          f"{s.average_score:.0f}" if s.average_score is not None else "–",
                          f"{s.average_words_per_minute:.0f}" if s.average_words_per_minute is not None else "–",
                          f"{s.average_fillers_per_minute:.1f}" if s.average_fillers_per_minute is not None else "–",
                          f"{s.average_action_share:.0%}" if s.average_action_share is not None else "–", status)
            continue
        r = item.report
        table.add_row(name, clock(r.duration_s), "1", f"{r.star.score.total:.0f}" if r.star.score else "–",
                      f"{r.pacing.words_per_minute:.0f}", f"{r.fillers_per_minute:.1f}", f"{r.star.action_share:.0%}",
                      status)
    return table
