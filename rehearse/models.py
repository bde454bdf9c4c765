"""Pydantic models: the one contract between stages and the `--json` output.

Contract keys that scripts rely on (add freely, rename none): `duration_s`, `transcript`,
`pacing.words_per_minute`, `pacing.articulation_wpm`, `pauses[].start_s/end_s`,
`fillers[].text/kind/start_s/end_s`, `star.sections[].label/start_s/end_s/share`,
`star.action_dominant`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SectionLabel = str  # a rubric section name: situation|task|action|result for STAR
FillerKind = Literal["filled_pause", "discourse_marker"]


class Span(BaseModel):
    start_s: float
    end_s: float


class AudioInfo(BaseModel):
    path: str
    duration_s: float
    sample_rate: int = 16000


class Word(Span):
    text: str
    probability: float


class Sentence(Span):
    index: int
    text: str
    word_start: int = Field(description="index of the sentence's first word in transcript words")
    word_end: int = Field(description="index one past the sentence's last word")


class Transcription(BaseModel):
    text: str
    words: list[Word]
    sentences: list[Sentence]
    model: str
    prompt: str | None
    speech: list[Span] = Field(description="voice-activity regions of the audio")
    dropped_words: list[Word] = Field(
        default_factory=list, description="words outside any voice activity (hallucinations)"
    )


class Pause(Span):
    duration_s: float
    position: Literal["between_sentences", "within_sentence"]


class Filler(Span):
    text: str
    kind: FillerKind
    source: Literal["transcript", "audio"] = "transcript"
    sentence: int | None = None


class Pacing(BaseModel):
    words_per_minute: float = Field(description="words (fillers excluded) per minute, first to last word")
    articulation_wpm: float = Field(description="the same words per minute of speaking time, pauses excluded")
    word_count: int
    speaking_span_s: float
    pause_time_s: float
    target_wpm: tuple[float, float]
    verdict: Literal["slow", "in_band", "fast"]


class Delivery(BaseModel):
    pacing: Pacing
    pauses: list[Pause]
    fillers: list[Filler]
    fillers_per_minute: float
    min_pause_s: float


class StarSentence(Span):
    index: int
    text: str
    label: SectionLabel
    scores: dict[str, float]
    cues: list[str]


class StarSection(BaseModel):
    label: SectionLabel
    present: bool
    start_s: float | None
    end_s: float | None
    duration_s: float
    share: float
    target_share: float
    sentences: list[int]


class StarResult(BaseModel):
    rubric: str
    sections: list[StarSection]
    sentences: list[StarSentence]
    action_share: float
    action_dominant: bool
    dominance_threshold: float
    missing: list[SectionLabel]


class Report(BaseModel):
    rehearse_version: str
    file: str
    duration_s: float
    speech_s: float
    transcript: str
    model: str
    words: list[Word]
    sentences: list[Sentence]
    pacing: Pacing
    pauses: list[Pause]
    fillers: list[Filler]
    fillers_per_minute: float
    star: StarResult
    tips: list[str]
    timings_s: dict[str, float] = Field(default_factory=dict)
