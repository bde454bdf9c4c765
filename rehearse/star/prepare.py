"""Make the STAR stage ready before it is needed: compile the rubric's cue and feature patterns,
read the model's weights and compile the findings' and principles' patterns, once per process.

`rehearse analyze` starts this in a thread while Whisper transcribes (the transcription leaves
the interpreter free while it computes), so labelling the answer afterwards finds everything
compiled; `warm` called again waits for a warm-up in progress and returns at once after it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rehearse import rubric as rubric_mod

_lock = threading.Lock()
# Seconds the first warm-up of this process took (where it ran is the caller's business: the
# benchmark reports it beside the STAR stage's own time, since it is STAR work done earlier).
warm_s: float | None = None


def _patterns(config: Any) -> list[str]:
    """Every `…pattern` string of a rubric (findings' `metric_pattern`, principles' cue `pattern`)."""
    if isinstance(config, dict):
        found = [v for k, v in config.items() if k.endswith("pattern") and isinstance(v, str)]
        return found + [p for v in config.values() if isinstance(v, (dict, list)) for p in _patterns(v)]
    if isinstance(config, list):
        return [p for v in config for p in _patterns(v)]
    return []


def warm(rubric: dict[str, Any]) -> None:
    """Compile and read everything scoring an answer with `rubric` needs (cached per process)."""
    from rehearse.star import classifier, findings, trained
    from rehearse.star.label import compile_cues

    global warm_s
    with _lock:
        start = time.perf_counter()
        compile_cues(rubric)
        path = classifier.model_path(rubric)
        if path is not None:
            compile_cues(trained.feature_rubric(rubric))
            classifier.compile_features(trained.feature_rubric(rubric))
            classifier.load_model(str(path))
            import numpy.random  # noqa: F401  (the sampled label paths)
        for name in (rubric.get("findings", "findings"), rubric.get("principles", "principles")):
            for pattern in _patterns(rubric_mod.load(name)):
                findings._re(pattern)
        if warm_s is None:
            warm_s = time.perf_counter() - start


def warm_in_background(rubric: dict[str, Any]) -> threading.Thread:
    """Start `warm(rubric)` in a daemon thread; an error there is left for the STAR stage to report."""

    def run() -> None:
        try:
            warm(rubric)
        except Exception:  # noqa: BLE001 - the stage itself raises the same error with its context
            pass

    thread = threading.Thread(target=run, name="star-warm", daemon=True)
    thread.start()
    return thread
