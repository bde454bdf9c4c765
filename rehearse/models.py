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


PauseBand = Literal["brief", "medium", "long"]
PaceVerdict = Literal["slow", "in_band", "fast"]


class Pause(Span):
    duration_s: float
    position: Literal["between_sentences", "within_sentence"]
    band: PauseBand = Field(default="long", description="brief / medium / long by the rubric's [pauses] bands_s")
    mid_clause: bool = Field(default=False, description="within a sentence and not after a comma, colon or dash")
    after_word: str | None = Field(default=None, description="the word heard just before the pause")


class PauseStats(BaseModel):
    bands_s: tuple[float, float] = Field(description="brief below the first, long above the second")
    count: int
    total_s: float
    share_of_span: float = Field(description="pause time over the speaking span")
    per_minute: float
    by_band: dict[str, int]
    between_sentences: int
    within_sentence: int
    mid_clause: int = Field(description="mid-clause pauses of the medium or long band")
    longest_s: float
    note: str = Field(default="", description="what the pause figures can and cannot see")


class Filler(Span):
    text: str
    kind: FillerKind
    source: Literal["transcript", "audio", "both"] = Field(
        default="transcript",
        description="transcript: Whisper wrote it (time from Whisper); both: Whisper wrote it and the audio "
                    "placed it (time from the audio); audio: heard in the audio only (Whisper dropped it)")
    confidence: float | None = Field(default=None, description="0..1, how sure the detector is")
    sentence: int | None = None
    word_index: int | None = Field(default=None, description="index of its (first) word in `words`, if Whisper wrote one")


class Repetition(Span):
    text: str = Field(description='the words said twice, or the abandoned start ("we went")')
    kind: Literal["repetition", "false_start"]
    sentence: int | None = None


class PaceWindow(Span):
    words: float = Field(description="words (fillers excluded) in the window; a word cut by an edge counts in part")
    words_per_minute: float
    fillers: int
    verdict: PaceVerdict


class SectionPace(Span):
    label: SectionLabel
    words: float
    words_per_minute: float
    verdict: PaceVerdict


class PaceStretch(Span):
    kind: Literal["fast", "slow"]
    words_per_minute: float


class Pacing(BaseModel):
    words_per_minute: float = Field(description="words (fillers excluded) per minute, first to last word")
    articulation_wpm: float = Field(description="the same words per minute of speaking time, pauses excluded")
    word_count: int
    speaking_span_s: float
    pause_time_s: float
    target_wpm: tuple[float, float]
    verdict: PaceVerdict
    window_s: float = 10.0
    step_s: float = 2.5
    timeline: list[PaceWindow] = Field(default_factory=list, description="rolling window rates")
    variability: float | None = Field(default=None, description="coefficient of variation of the window rates")
    sections: list[SectionPace] = Field(default_factory=list, description="pace per STAR section")
    stretches: list[PaceStretch] = Field(default_factory=list, description="too-fast and too-slow stretches")


class MinuteRates(Span):
    minute: int = Field(description="1 for the first minute of speaking")
    words_per_minute: float
    fillers: int
    fillers_per_minute: float
    verdict: PaceVerdict


class FillerCount(BaseModel):
    text: str
    kind: FillerKind
    count: int
    per_minute: float


class WorstStretch(Span):
    words_per_minute: float
    fillers: int
    mid_clause_pauses: int
    verdict: PaceVerdict
    summary: str = Field(description='e.g. "0:42–0:52: 4 fillers, 185 wpm"')


class Delivery(BaseModel):
    pacing: Pacing
    pauses: list[Pause] = Field(description="pauses of at least min_pause_s")
    fillers: list[Filler]
    fillers_per_minute: float
    min_pause_s: float
    repetitions: list[Repetition] = Field(default_factory=list, description="repeated words and false starts")
    all_pauses: list[Pause] = Field(default_factory=list, description="every silent pause, with band and position")
    pause_stats: PauseStats | None = None
    per_minute: list[MinuteRates] = Field(default_factory=list)
    worst_stretch: WorstStretch | None = None
    top_fillers: list[FillerCount] = Field(default_factory=list)


class FeatureWeight(BaseModel):
    name: str
    weight: float


class StarSentence(Span):
    index: int
    text: str
    label: SectionLabel
    scores: dict[str, float]
    cues: list[str] = Field(description="named cues for the chosen label that fired in this sentence")
    cues_by_section: dict[str, list[str]] = Field(default_factory=dict, description="every cue that fired, by section")
    owned_end_s: float | None = Field(default=None, description="end of the time this sentence owns (next sentence's start)")
    order_note: str | None = Field(default=None, description="set when the order constraint overrode the best cue score")
    confidence: float | None = Field(default=None, description="posterior probability of the label (trained labeller)")
    runner_up: str | None = Field(default=None, description="the next most likely label (trained labeller)")
    features: list[FeatureWeight] = Field(default_factory=list, description="features that pushed the label over the runner-up most (negative: towards the runner-up), in log-odds")


class Evidence(Span):
    quote: str
    sentence: int | None = None


class Finding(BaseModel):
    id: str
    title: str
    detail: str = Field(description="what was measured, in numbers")
    suggestion: str
    severity: float
    evidence: list[Evidence] = Field(default_factory=list)


class PrincipleEvidence(BaseModel):
    name: str
    strength: float = Field(description="sum of the weights of the cues heard")
    shown: bool
    cues: list[str]
    evidence: list[Evidence] = Field(default_factory=list)


class AskedPrinciple(PrincipleEvidence):
    asked: str = Field(description="principle named with --lp, as typed")
    suggestion: str | None = None


class FollowUp(BaseModel):
    question: str
    because: str = Field(description="the gap in the answer that makes this question likely")


class ScorePart(BaseModel):
    name: str
    weight: float
    value: float = Field(description="0..1: how well this part is met")
    points: float = Field(description="this part's contribution to the 0-100 total")
    detail: str


class StructureScore(BaseModel):
    total: float
    parts: list[ScorePart]


class StarSection(BaseModel):
    label: SectionLabel
    present: bool
    start_s: float | None
    end_s: float | None
    duration_s: float
    share: float
    target_share: float
    sentences: list[int]


class ShareRange(BaseModel):
    low: float
    high: float


class StarConfidence(BaseModel):
    """How sure the verdict is: the range of the verdict section's share under the labeller's
    uncertainty, and whether that range (or a share close to the threshold) makes it borderline."""

    verdict: Literal["dominant", "not_dominant", "borderline"]
    borderline: bool
    share_low: float = Field(description="low end of the verdict section's share (the rubric's range_quantile of sampled label paths)")
    share_high: float = Field(description="high end of the verdict section's share")
    section_ranges: dict[str, ShareRange] = Field(default_factory=dict)
    low_confidence_sentences: list[int] = Field(default_factory=list, description="indices of sentences labelled with less than the rubric's `low_confidence`")
    method: Literal["trained", "rules"] = "rules"


class StarResult(BaseModel):
    rubric: str
    sections: list[StarSection]
    sentences: list[StarSentence]
    action_share: float
    action_dominant: bool
    dominance_threshold: float
    missing: list[SectionLabel]
    span_s: float = Field(default=0.0, description="first sentence start to last sentence end")
    confidence: StarConfidence | None = Field(default=None, description="borderline or not, and the share ranges")
    findings: list[Finding] = Field(default_factory=list)
    principles: list[PrincipleEvidence] = Field(default_factory=list)
    asked_principle: AskedPrinciple | None = None
    followups: list[FollowUp] = Field(default_factory=list)
    score: StructureScore | None = None


class Question(BaseModel):
    """The question an answer responds to, when known (practice, interview turns, --question)."""

    text: str
    id: str | None = Field(default=None, description="id in the question bank, when it came from there")
    principles: list[str] = Field(default_factory=list, description="Leadership Principles it probes")
    level: str | None = Field(default=None, description="intern | new grad | experienced")
    target_s: float | None = Field(default=None, description="suggested answer length in seconds")


class Report(BaseModel):
    rehearse_version: str
    file: str
    question: Question | None = None
    audio_path: str | None = Field(default=None, description="the saved recording (practice sessions)")
    duration_s: float
    speech_s: float
    transcript: str
    model: str
    words: list[Word]
    sentences: list[Sentence]
    pacing: Pacing
    pauses: list[Pause] = Field(description="pauses of at least min_pause_s")
    fillers: list[Filler]
    fillers_per_minute: float
    repetitions: list[Repetition] = Field(default_factory=list, description="repeated words and false starts")
    all_pauses: list[Pause] = Field(default_factory=list, description="every silent pause, with band and position")
    pause_stats: PauseStats | None = None
    per_minute: list[MinuteRates] = Field(default_factory=list, description="pace and fillers, minute by minute")
    worst_stretch: WorstStretch | None = None
    top_fillers: list[FillerCount] = Field(default_factory=list, description="the fillers used most")
    filler_target_per_minute: float | None = Field(default=None, description="the rubric's most fillers per minute")
    min_pause_s: float | None = Field(default=None, description="`pauses` lists the pauses at least this long")
    star: StarResult
    tips: list[str]
    timings_s: dict[str, float] = Field(default_factory=dict)
    voice: Voice | None = Field(default=None, description="pitch, loudness and repetitive wording")
    undecodable_s: float = Field(default=0.0, description="seconds of the file that could not be decoded (damaged); "
                                                          "the rest was analysed, the damaged stretches as silence")
    undecodable: list[Span] = Field(default_factory=list, description="where the damaged stretches are, when known")


# ---------------------------------------------------------------------------------------------
# History and progress (rehearse/history/store.py, rehearse/history/progress.py): one stored session per
# analysed answer, and the trends `rehearse progress` computes over them.
# ---------------------------------------------------------------------------------------------

SessionSource = Literal["analyze", "practice", "interview"]


class Session(BaseModel):
    """One analysed answer as stored in the history database (the full report is kept too)."""

    id: int
    created_at: str = Field(description="when it was saved, ISO 8601 in UTC")
    source: str = Field(description="analyze | practice | interview")
    file: str = Field(description="the analysed recording, as given")
    audio_path: str | None = Field(default=None, description="the saved recording, if rehearse kept one")
    question: str | None = Field(default=None, description="question text, when known")
    question_id: str | None = None
    question_key: str | None = Field(default=None, description="groups attempts of one question: its id, else its normalised text")
    attempt: int | None = Field(default=None, description="1 for the first attempt of this question, 2 for the retry, ...")
    principles: list[str] = Field(default_factory=list, description="principles the question probes or --lp asked")
    level: str | None = None
    target_s: float | None = None
    rubric: str | None = None
    duration_s: float
    span_s: float | None = Field(default=None, description="first word to last word")
    word_count: int | None = None
    words_per_minute: float
    articulation_wpm: float | None = None
    fillers_per_minute: float
    filled_pauses_per_minute: float | None = Field(default=None, description="um, uh, er... per minute")
    markers_per_minute: float | None = Field(default=None, description="discourse markers used as fillers per minute")
    long_pauses: int | None = Field(default=None, description="pauses of at least min_pause_s")
    long_pauses_per_minute: float | None = None
    action_share: float
    shares: dict[str, float] = Field(default_factory=dict, description="share of the time per STAR (or CAR) section")
    action_dominant: bool
    structure_score: float | None = None


class MetricTrend(BaseModel):
    """How one metric moved over the sessions shown, in numbers and in words."""

    metric: str
    label: str
    unit: str
    values: list[float | None] = Field(description="one per session, oldest first")
    first: float | None = Field(description="mean of the first sessions compared")
    last: float | None = Field(description="mean of the last sessions compared")
    compared: int = Field(description="how many sessions at each end were averaged")
    change: float | None = Field(description="last - first")
    relative_change: float | None = Field(description="(last - first) / first, when first is not 0")
    direction: Literal["up", "down", "steady", "too_few"]
    better: bool | None = Field(description="True when the move is towards the target, None when steady")
    words: str = Field(description='e.g. "fillers per minute down 45 % over your last 8 sessions"')
    target: tuple[float | None, float | None] | None = Field(default=None, description="target band: low, high (None = open)")
    best: float | None = None
    best_session: int | None = Field(default=None, description="id of the personal best session")
    best_at: str | None = None
    in_target: int | None = Field(default=None, description="sessions inside the target band")
    first_in_target: int | None = Field(default=None, description="sessions it took to reach the band (1 = first)")
    in_target_streak: int | None = Field(default=None, description="latest sessions in a row inside the band")


class QuestionAttempts(BaseModel):
    """Every attempt at one question, oldest first, and how the story changed over them."""

    key: str
    question: str
    question_id: str | None = None
    sessions: list[int]
    trends: list[MetricTrend]


class Progress(BaseModel):
    """What `rehearse progress --json` prints: the sessions and what they show."""

    sessions: list[Session]
    trends: list[MetricTrend] = Field(default_factory=list)
    questions: list[QuestionAttempts] = Field(default_factory=list)
    filters: dict[str, str | int | None] = Field(default_factory=dict)


# ---------------------------------------------------------------- voice delivery (issue 9)
# Pitch variation, loudness and repetitive wording. Stable keys: `voice.pitch_range_semitones`,
# `voice.monotone[].start_s/end_s`, `voice.trailing_off[].start_s/end_s`, `voice.repeated[].text/count`.


class MonotoneStretch(Span):
    range_semitones: float = Field(description="pitch range (5th-95th percentile) inside the stretch")
    suggestion: str


class Uptalk(Span):
    sentence: int | None = None
    text: str = Field(description="the sentence's last words")
    rise_semitones: float
    suggestion: str


class TrailingOff(Span):
    sentence: int | None = None
    text: str = Field(description="the sentence's last words")
    drop_db: float = Field(description="how much quieter the sentence's last part is than its body")
    suggestion: str


class SectionVoice(Span):
    label: SectionLabel
    pitch_range_semitones: float | None = None
    pitch_sd_semitones: float | None = None
    level_dbfs: float | None = Field(default=None, description="median level of its voiced speech")


class Clipping(Span):
    samples: int = Field(description="samples in the clipped run")


class LevelAdvice(BaseModel):
    verdict: Literal["ok", "quiet", "loud", "clipping", "noisy"]
    text: str = Field(description="what was measured")
    suggestion: str


class Repeated(Span):
    """A word or phrase said far more often than normal; start_s/end_s: first to last use."""

    text: str
    count: int
    kind: Literal["habit", "phrase"]
    per_100_words: float
    times: list[Span] = Field(default_factory=list, description="every use")
    suggestion: str


class Opener(Span):
    """The same sentence opener on most sentences; start_s/end_s: first to last use."""

    text: str
    count: int
    share: float = Field(description="share of the sentences that start with it")
    sentences: list[int]
    suggestion: str


class Voice(BaseModel):
    median_f0_hz: float | None = Field(description="the speaker's median pitch; semitones are relative to it")
    voiced_s: float = Field(description="seconds of voiced speech the pitch was measured on")
    pitch_range_semitones: float | None = Field(description="5th-95th percentile of the pitch over the answer")
    pitch_sd_semitones: float | None = None
    flat: bool = Field(default=False, description="range over the whole answer below the rubric's flat_answer_range_st")
    monotone: list[MonotoneStretch] = Field(default_factory=list)
    uptalk: list[Uptalk] = Field(default_factory=list)
    sections: list[SectionVoice] = Field(default_factory=list, description="pitch and level per STAR section")
    level_dbfs: float | None = Field(description="median RMS level of voiced speech, dBFS")
    level_range_db: float | None = Field(default=None, description="5th-95th percentile of the voiced speech level")
    noise_floor_dbfs: float | None = None
    snr_db: float | None = None
    too_quiet: bool = False
    trailing_off: list[TrailingOff] = Field(default_factory=list)
    clipping: list[Clipping] = Field(default_factory=list, description="clipped runs of samples")
    level_advice: LevelAdvice
    repeated: list[Repeated] = Field(default_factory=list)
    openers: list[Opener] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="every voice finding, with times and a suggestion")


Report.model_rebuild()




# ---------------------------------------------------------------------------------------------
# Interview mode (issue 6): `rehearse analyze FILE --interview` splits a recorded mock interview
# into the interviewer's question turns and the candidate's answers; each answer has the same
# Report a single answer gets (its times counted from the answer's start_s), and the interview
# has a summary. `rehearse analyze DIR/` gives one BatchItem per file.


InterviewRole = Literal["smalltalk", "lead", "question", "followup", "answer", "reply", "remark", "closing",
                        "candidate_question"]


class InterviewTurn(Span):
    speaker: Literal["interviewer", "candidate"]
    text: str
    cues: list[str] = Field(default_factory=list, description="question cues heard in the turn")
    role: InterviewRole | None = Field(default=None, description="what the stretch is: small talk, a main question "
                                       "(and its lead-in), a follow-up, an answer, a reply to a follow-up, a remark, "
                                       "the closing, a question the candidate asks")
    why: list[str] = Field(default_factory=list, description="how the speaker and the role were decided")


class InterviewFollowup(BaseModel):
    question: str = Field(description="the follow-up question, as transcribed")
    start_s: float = Field(description="the follow-up's first word, seconds into the recording")
    end_s: float = Field(description="the follow-up's last word")
    reply_start_s: float | None = Field(default=None, description="the candidate's reply: first word")
    reply_end_s: float | None = None
    at_s: float = Field(description="where it was asked on the answer's own timeline (the answer's report is made "
                                    "from the candidate's speech with the follow-up cut out)")


class InterviewLine(Span):
    speaker: Literal["interviewer", "candidate"]
    text: str


class InterviewAnswer(BaseModel):
    index: int = Field(description="1 for the first answer")
    question: str = Field(description="the question asked, as transcribed ('' when none was found)")
    question_start_s: float | None = None
    question_end_s: float | None = None
    start_s: float = Field(description="the answer's first word, seconds into the recording")
    end_s: float = Field(description="the answer's last word, seconds into the recording")
    length_s: float
    target_s: tuple[float, float] = Field(description="comfortable answer length band (format rubric [length])")
    length_verdict: Literal["short", "in_band", "long"]
    report: Report | None = Field(default=None, description="the single-answer report; times from start_s, with "
                                  "the follow-ups cut out (see followups[].at_s)")
    error: str | None = Field(default=None, description="why this answer could not be analysed")
    followups: list[InterviewFollowup] = Field(default_factory=list, description="follow-up questions asked inside "
                                               "this answer; the replies are part of the answer and its report")
    cuts_s: list[tuple[float, float]] = Field(default_factory=list, description="stretches of the recording inside "
                                              "the answer that are someone else's talk (follow-ups, remarks), cut out "
                                              "of its report")


class InterviewPattern(BaseModel):
    id: str
    text: str
    answers: list[int] = Field(description="indexes of the answers that show it")


class InterviewSummary(BaseModel):
    total_s: float = Field(description="length of the recording")
    speech_s: float
    questions: int
    answer_time_s: float
    question_time_s: float
    average_length_s: float | None = None
    average_score: float | None = None
    average_words_per_minute: float | None = None
    average_fillers_per_minute: float | None = None
    average_action_share: float | None = None
    strongest: int | None = Field(default=None, description="index of the answer with the best structure score")
    weakest: int | None = None
    patterns: list[InterviewPattern] = Field(default_factory=list, description="what repeats across answers")


class InterviewReport(BaseModel):
    rehearse_version: str
    file: str
    duration_s: float
    model: str
    detection: Literal["voices", "channels", "wording", "splits", "none"] = Field(
        description="what told the turns apart: two voices, stereo channels, question wording and "
                    "pauses, --splits, or nothing (no question found: one answer)")
    voice_separation: float | None = Field(default=None, description="how far apart the two voice clusters are "
                                           "(speaker embeddings: distance between the centres over the spread "
                                           "inside them; rubric [speakers] min_separation decides)")
    notes: list[str] = Field(default_factory=list)
    turns: list[InterviewTurn] = Field(default_factory=list)
    answers: list[InterviewAnswer]
    smalltalk: list[InterviewLine] = Field(default_factory=list, description="small talk: before the first question "
                                           "and between questions; not analysed as answers")
    closing: list[InterviewLine] = Field(default_factory=list, description="the closing (from 'do you have any "
                                         "questions for me?' on); not analysed")
    candidate_questions: list[InterviewLine] = Field(default_factory=list, description="questions the candidate asked "
                                                     "in the closing")
    summary: InterviewSummary
    undecodable_s: float = Field(default=0.0, description="seconds of the file that could not be decoded (damaged); "
                                                          "the rest was analysed, the damaged stretches as silence")
    undecodable: list[Span] = Field(default_factory=list, description="where the damaged stretches are, when known")
    timings_s: dict[str, float] = Field(default_factory=dict)


class BatchItem(BaseModel):
    file: str
    status: Literal["analysed", "cached", "error"]
    error: str | None = None
    report: Report | None = None
    interview: InterviewReport | None = None
