"""Interview mode: split a recorded mock interview into question turns and answers, report each.

The whole recording is transcribed once. The transcript is cut into units (sentences, and
silences of `[units] gap_s`); each unit gets question cues (wording from `rubrics/interview.toml`,
a question mark, rising pitch at its end). Speakers are told apart, in order of preference, by
the stereo channels (one speaker per channel), by voice (speaker embeddings in two clusters far
enough apart, `rehearse.interview.speakers`), or, with one voice, by wording and the silences at
turn changes. Then each interviewer turn is a main question, a follow-up, small talk or the
closing (`rehearse.interview.structure`). Each answer - the candidate's talk after a main
question, replies to follow-ups included, the follow-ups themselves cut out - is analysed from
its samples and the words already transcribed (`pipeline.analyze_transcribed`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rehearse import __version__, pipeline, rubric
from rehearse.audio import decode as audio
from rehearse.audio.vad import find_speech, sound_outside
from rehearse.clock import clock_hms
from rehearse.errors import RehearseError
from rehearse.interview.turns import (
    Exchange,
    Turns,
    Unit,
    asker_holes,
    detect_turns,
    sparse_asker_units,
    turns_from_splits,
    unheard_asker_passages,
)
from rehearse.interview.voices import channel_balance
from rehearse.models import (
    InterviewAnswer,
    InterviewFollowup,
    InterviewLine,
    InterviewPattern,
    InterviewReport,
    InterviewSummary,
    InterviewTurn,
    Question,
    Report,
    Span,
    Transcription,
    Word,
)
from rehearse.speech import model as whisper_model
from rehearse.speech.holes import fill_short_holes, hear_sparse, hear_unvoiced
from rehearse.speech.sentences import split_sentences
from rehearse.speech.transcript import slice_transcription, transcribe_speech

SR = audio.SAMPLE_RATE


class _Progress:
    """A rich progress bar on stderr with the time left, driven by transcription progress."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(stderr=True)
            if not (console.is_terminal and console.is_interactive):
                return  # piped or logged: no bar, so stderr holds only notes and errors
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                                TimeRemainingColumn(), console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("decoding", total=None)

    def stage(self, name: str, total: float | None = None) -> None:
        if self.bar:
            self.bar.update(self.task, description=name, total=total, completed=0)

    def update(self, done: float, total: float) -> None:
        if self.bar:
            self.bar.update(self.task, completed=min(done, total), total=total)

    def stop(self) -> None:
        if self.bar:
            self.bar.stop()


def analyze_interview(
    path: str | Path,
    model: str | None = None,
    rubric_name: str = "star",
    min_pause_s: float | None = None,
    lp: str | None = None,
    splits: list[float] | None = None,
    progress: bool | object = False,
) -> InterviewReport:
    path = Path(path)
    file = str(path)
    cfg = rubric.load("interview")
    star_rubric = rubric.load(rubric_name)
    pipeline.check_lp(rubric_name, lp)
    spec = whisper_model.resolve_model(model)
    lap = pipeline.Laps()

    # progress: True for a bar on the terminal, or an object with stage(name, total), update(done, total)
    # and stop() (how `rehearse serve` follows an uploaded interview)
    bar = progress if hasattr(progress, "stage") else _Progress(bool(progress))
    try:
        decoded = audio.decode_file(path)
        samples = decoded.samples
        duration = len(samples) / SR
        if splits is not None and splits[-1] >= duration:
            raise RehearseError("--splits", f"{splits[-1]:.1f} s is past the end of {file} ({duration:.1f} s)")
        balance = channel_balance(path)
        lap("decode")
        bar.stage("finding speech")
        speech, speech_s = find_speech(samples, file, (cfg["speech"]["vad_threshold"], cfg["speech"]["vad_min_gain_s"]))
        bad = cfg["bad_input"]
        if speech_s < bad["min_speech_share"] * duration:
            raise RehearseError(file, f"mostly silence or music: speech in only {speech_s / duration:.0%} of "
                                      f"{clock_hms(duration)} ({speech_s:.0f} s); nothing to split into questions and answers")
        lap("vad")
        whisper = whisper_model.get_model(spec)
        lap("load_model")
        bar.stage("transcribing", duration)
        text = transcribe_speech(samples, speech, spec, whisper, progress=bar.update if progress else None,
                                 file=str(file))
        if len(text.words) < bad["min_words_per_speech_s"] * speech_s:
            raise RehearseError(file, f"mostly music or noise: {len(text.words)} words recognised in {speech_s:.0f} s "
                                      "of sound; nothing to split into questions and answers")
        lap("transcribe")
        bar.stage("finding turns")
        if splits is not None:
            turns = turns_from_splits(splits, text, duration)
        else:
            turns = detect_turns(samples, text, balance, cfg)
            if turns.voices is not None:  # short questions in the interviewer's voice Whisper left out
                scfg = cfg["speech"]
                kept, passages = unheard_asker_passages(
                    samples, turns, sound_outside(samples, text.speech, scfg["unheard_min_dbfs"], scfg["unheard_contrast_db"],
                                                  scfg["unheard_min_s"], scfg["unheard_join_s"]),
                    scfg["hole_voice_margin"], scfg["unheard_passage_join_s"], scfg["unheard_budget_share"] * duration)
                heard = hear_unvoiced(text, samples, spec, whisper, kept, passages, scfg["unheard_min_probability"])
                heard = fill_short_holes(heard, samples, spec, whisper, scfg["hole_min_s"], scfg["hole_min_probability"],
                                         asker_holes(samples, turns, scfg["hole_voice_margin"]))
                heard = hear_sparse(heard, samples, spec, whisper,
                                    sparse_asker_units(turns, scfg["sparse_min_s"], scfg["sparse_words_per_s"]),
                                    scfg["sparse_min_probability"])
                if len(heard.words) > len(text.words):
                    text = heard
                    turns = detect_turns(samples, text, balance, cfg)
        lap("turns")
        if turns.exchanges:
            plans = [plan_answer(q, ex, turns.units, cfg["answers"]["keep_s"], text.speech)
                     for q, ex in zip(turns.questions, turns.exchanges)]
        else:
            plans = [(q, start, end, [], []) for q, start, end in answer_spans(turns, text, duration)]
        bar.stage("analysing answers", len(plans))
        answers = []
        gap_s = rubric.load("delivery")["transcription"]["sentence_gap_s"]
        band = (float(star_rubric["length"]["min_s"]), float(star_rubric["length"]["max_s"]))
        for i, (q, start, end, cuts, followups) in enumerate(plans, 1):
            answers.append(_answer(i, q, start, end, samples, text, file, gap_s, band, rubric_name, min_pause_s, lp,
                                   (whisper, spec), cuts, followups))
            bar.update(i, len(plans))
        lap("answers")
    finally:
        bar.stop()
    notes = list(turns.notes)
    if turns.questions:
        before = [w for w in text.words if w.end_s <= turns.questions[0][0] and _speaker_of(w, turns.units) != "interviewer"]
        if before and before[-1].end_s - before[0].start_s >= 5:
            notes.append(f"{clock_hms(before[0].start_s)}-{clock_hms(before[-1].end_s)}: talk before the first question "
                         "is not analysed")
    if turns.detection == "none":
        notes.insert(0, "no interviewer question found: the whole recording is analysed as one answer")
    summary = summarise(answers, duration, speech_s, turns, star_rubric, cfg)
    unit_turns = [InterviewTurn(start_s=u.start_s, end_s=u.end_s, speaker=u.speaker, text=u.text, cues=u.cues,
                                role=u.role if turns.exchanges is not None else None, why=u.why)
                  for u in turns.units]
    apart = {role: [InterviewLine(start_s=u.start_s, end_s=u.end_s, speaker=u.speaker, text=u.text)
                    for u in turns.units if u.role in roles]
             for role, roles in (("smalltalk", ("smalltalk",)), ("closing", ("closing", "candidate_question")),
                                 ("candidate_questions", ("candidate_question",)))} if turns.exchanges is not None else {}
    return InterviewReport(rehearse_version=__version__, file=file, duration_s=round(duration, 3), model=text.model,
                           detection=turns.detection, voice_separation=turns.separation, notes=notes, turns=unit_turns,
                           answers=answers, **apart, summary=summary, timings_s=lap.timings,
                           undecodable_s=decoded.undecodable_s,
                           undecodable=[Span(start_s=a, end_s=b) for a, b in decoded.gaps])


def plan_answer(q: tuple, ex: Exchange, units: list[Unit], keep_s: float, speech: list | None = None) -> tuple:
    """(question, start, end, cuts, follow-ups) of one answer: from the candidate's first to last
    word after the main question (replies to follow-ups included), held inside the voice
    activity around those words (Whisper can stretch a last word over the silence after it);
    every stretch of someone else's talk inside it (a follow-up, a remark) is cut out, leaving
    `keep_s` of silence on each side, and each follow-up is (text, start, end, reply start, reply end)."""
    if not ex.answer:
        return q, q[1], q[1], [], []
    start, end = ex.answer[0].start_s, ex.answer[-1].end_s
    first, last = ex.answer[0].words[0], ex.answer[-1].words[-1]
    for r in speech or []:
        if r.start_s <= first.end_s and first.end_s <= r.end_s + 0.05 and r.start_s > start:
            start = min(r.start_s, first.end_s)
        if r.start_s <= last.start_s <= r.end_s and r.end_s < end:
            end = max(r.end_s, last.start_s)
    mine = {id(u) for u in ex.answer}
    cuts = []
    for u, v in zip(ex.answer, ex.answer[1:]):
        between = [w for w in units if u.end_s <= w.start_s and w.end_s <= v.start_s and id(w) not in mine]
        if between and v.start_s - u.end_s > 2 * keep_s:
            cuts.append((u.end_s + keep_s, v.start_s - keep_s))
    followups = []
    for fq, reply in ex.followups:
        if fq[0].start_s > end:  # asked after the last word of the answer, with no reply
            continue
        followups.append((" ".join(w.text for w in fq), fq[0].start_s, fq[-1].end_s,
                          reply[0].start_s if reply else None, reply[-1].end_s if reply else None))
    return q, start, end, cuts, followups


def answer_spans(turns: Turns, text: Transcription, duration: float) -> list[tuple[tuple | None, float, float]]:
    """(question, start, end) of every answer: the words after each question turn up to the next."""
    if not turns.questions:
        return [(None, text.words[0].start_s, text.words[-1].end_s)] if text.words else []
    out = []
    for k, q in enumerate(turns.questions):
        nxt = turns.questions[k + 1][0] if k + 1 < len(turns.questions) else duration + 1
        words = [w for w in text.words if w.start_s >= q[1] - 0.01 and w.end_s <= nxt + 0.01 and w.start_s < nxt]
        if turns.detection != "splits":
            words = [w for w in words if _speaker_of(w, turns.units) != "interviewer"]
        if words:
            out.append((q, words[0].start_s, words[-1].end_s))
        else:
            out.append((q, q[1], q[1]))
    return out


def _speaker_of(word: Word, units: list[Unit]) -> str:
    for u in units:
        if u.start_s <= word.start_s and word.end_s <= u.end_s:
            return u.speaker
    return "candidate"


def _answer(index, q, start, end, samples, text, file, gap_s, band, rubric_name, min_pause_s, lp,
            listener=None, cuts=(), followups=()) -> InterviewAnswer:
    cut_s = sum(b - a for a, b in cuts)
    length = round(end - start - cut_s, 3)
    verdict = "short" if length < band[0] else "long" if length > band[1] else "in_band"
    qtext = q[2] if q else ""
    answer = InterviewAnswer(index=index, question=qtext, question_start_s=q[0] if q else None,
                             question_end_s=q[1] if q else None, start_s=start, end_s=end, length_s=length,
                             target_s=band, length_verdict=verdict, cuts_s=[(round(x, 3), round(y, 3)) for x, y in cuts],
                             followups=[InterviewFollowup(question=t, start_s=fa, end_s=fb, reply_start_s=ra,
                                                          reply_end_s=rb, at_s=round(_on_answer(fa, _padded(start, end, samples)[0], cuts), 3))
                                        for t, fa, fb, ra, rb in followups])
    if length <= 0:
        answer.error = "no answer was heard after this question"
        return answer
    a, b = _padded(start, end, samples)
    piece_samples, piece = cut_out(samples, text, a, b, cuts, gap_s)
    question = Question(text=qtext, target_s=round(sum(band) / 2, 1)) if qtext else None
    try:
        answer.report = pipeline.analyze_transcribed(piece_samples, piece,
                                                     f"{file} [answer {index}, {clock_hms(start)}-{clock_hms(end)}]",
                                                     rubric_name=rubric_name, min_pause_s=min_pause_s, lp=lp,
                                                     question=question, listener=listener)
    except RehearseError as exc:
        answer.error = exc.problem
    return answer


PAD_S = 0.3  # a little silence either side of an answer, as a recording of the answer alone would have


def _padded(start: float, end: float, samples: np.ndarray) -> tuple[float, float]:
    return max(0.0, start - PAD_S), min(len(samples) / SR, end + PAD_S)


def answer_samples(samples: np.ndarray, answer: InterviewAnswer) -> np.ndarray:
    """The samples an answer's report was made from (padded, with its cuts removed)."""
    a, b = _padded(answer.start_s, answer.end_s, samples)
    return cut_out(samples, None, a, b, answer.cuts_s, 0.0)[0]


def _on_answer(t: float, start: float, cuts) -> float:
    """Recording time `t` on the answer's own timeline, which starts at `start` (cut stretches before
    `t` removed)."""
    before = sum(min(b, t) - a for a, b in cuts if a < t)
    return max(0.0, t - start - before)


def cut_out(samples: np.ndarray, text: Transcription | None, a: float, b: float, cuts, gap_s: float):
    """The samples and the transcription between `a` and `b` with the `cuts` removed, re-timed
    from `a` as if the kept stretches had been said one after the other (`text` None: samples only)."""
    kept, lo = [], a
    for ca, cb in cuts:
        kept.append((lo, ca))
        lo = cb
    kept.append((lo, b))
    if text is None:
        return np.concatenate([samples[int(lo * SR): int(hi * SR)] for lo, hi in kept]), None
    if len(kept) == 1:
        return samples[int(a * SR): int(b * SR)], slice_transcription(text, a, b, gap_s)
    parts, words, speech, dropped, offset = [], [], [], [], 0.0
    for lo, hi in kept:
        parts.append(samples[int(lo * SR): int(hi * SR)])
        piece = slice_transcription(text, lo, hi, gap_s)

        def shift(span):
            return span.model_copy(update={"start_s": round(span.start_s + offset, 3),
                                           "end_s": round(span.end_s + offset, 3)})

        words += [shift(w) for w in piece.words]
        speech += [shift(r) for r in piece.speech]
        dropped += [shift(w) for w in piece.dropped_words]
        offset += len(parts[-1]) / SR
    return np.concatenate(parts), Transcription(text=" ".join(w.text for w in words), words=words,
                                                sentences=split_sentences(words, gap_s), model=text.model,
                                                prompt=text.prompt, speech=speech, dropped_words=dropped)


# ---------------------------------------------------------------- summary


def summarise(answers: list[InterviewAnswer], duration: float, speech_s: float, turns: Turns, star_rubric: dict,
              cfg: dict) -> InterviewSummary:
    done = [a for a in answers if a.report is not None]
    reports: list[Report] = [a.report for a in done]

    def mean(values):
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    scores = [(r.star.score.total if r.star.score else None) for r in reports]
    strongest = weakest = None
    scored = [(s, a.index) for s, a in zip(scores, done) if s is not None]
    if len(scored) >= 2:
        strongest = max(scored)[1]
        weakest = min(scored)[1]
    return InterviewSummary(
        total_s=round(duration, 3), speech_s=round(speech_s, 3), questions=len(turns.questions),
        answer_time_s=round(sum(a.length_s for a in answers), 3),
        question_time_s=round(sum(q[1] - q[0] for q in turns.questions), 3),
        average_length_s=mean([a.length_s for a in answers]),
        average_score=mean(scores),
        average_words_per_minute=mean([r.pacing.words_per_minute for r in reports]),
        average_fillers_per_minute=mean([r.fillers_per_minute for r in reports]),
        average_action_share=mean([r.star.action_share for r in reports]),
        strongest=strongest, weakest=weakest,
        patterns=patterns(done, star_rubric, cfg["summary"]["pattern_share"]),
    )


def patterns(done: list[InterviewAnswer], star_rubric: dict, share: float) -> list[InterviewPattern]:
    """What shows in most answers: a section always long or short, the same finding, pace, length."""
    n = len(done)
    if n < 2:
        return []
    need = max(2, int(np.ceil(share * n)))
    found: list[InterviewPattern] = []

    def add(pid: str, text: str, which: list[int]) -> None:
        if len(which) >= need:
            found.append(InterviewPattern(id=pid, text=f"{text} in {len(which)} of {n} answers", answers=which))

    targets = star_rubric.get("targets", {})
    for label, target in targets.items():
        shares = {a.index: next((s.share for s in a.report.star.sections if s.label == label), None) for a in done}
        long = [i for i, s in shares.items() if s is not None and s > target["share"] + target["tolerance"]]
        short = [i for i, s in shares.items() if s is not None and s < target["share"] - target["tolerance"]]
        name = label.capitalize()
        add(f"{label}_long", f"{name} too long (over {target['share'] + target['tolerance']:.0%} of the answer)", long)
        add(f"{label}_short", f"{name} too short (under {max(0, target['share'] - target['tolerance']):.0%})", short)
    add("action_not_dominant", "Action did not dominate", [a.index for a in done if not a.report.star.action_dominant])
    titles: dict[str, tuple[str, list[int]]] = {}
    for a in done:
        for f in a.report.star.findings:
            titles.setdefault(f.id, (f.title, []))[1].append(a.index)
    for fid, (title, which) in titles.items():
        if fid in ("too_short", "too_long"):  # the length patterns below say it
            continue
        add(f"finding_{fid}", title, sorted(set(which)))
    for verdict in ("fast", "slow"):
        add(f"pace_{verdict}", f"Pace {verdict}",
            [a.index for a in done if a.report.pacing.verdict == verdict])
    add("fillers_high", "More fillers than the target",
        [a.index for a in done if a.report.filler_target_per_minute is not None
         and a.report.fillers_per_minute > a.report.filler_target_per_minute])
    for verdict in ("short", "long"):
        add(f"length_{verdict}", f"Answer too {verdict}", [a.index for a in done if a.length_verdict == verdict])
    return found
