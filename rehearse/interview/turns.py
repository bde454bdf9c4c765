"""The turns of a mock interview: the transcript cut into units, each with its question cues; who
speaks each unit, by stereo channels, by voice (speaker embeddings, `speakers`) or, with one
voice, by wording and pauses; then what each turn is (`structure`: main questions, follow-ups,
small talk, closing); or the turns given by hand (`--splits`)."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE as SR
from rehearse.errors import RehearseError
from rehearse.interview import speakers, voice_changes
from rehearse.interview.voices import ChannelLevels, channel_changes, pitch_rise
from rehearse.models import Transcription, Word
from rehearse.speech.holes import longest_within
from rehearse.speech.sentences import ends_sentence


@dataclass
class Unit:
    words: list[Word]
    cues: list[str] = field(default_factory=list)
    cue_score: float = 0.0
    speaker: str = "candidate"
    balance_db: float | None = None  # left minus right channel level
    role: str = "answer"  # smalltalk, lead, question, followup, answer, reply, remark, closing, candidate_question
    why: list[str] = field(default_factory=list)  # how the speaker and the role were decided
    cut: bool = False  # cut out of a longer unit where the voice changed (its cues not yet found)
    guessed: bool = False  # one voice: the interviewer's by the speaker wording model alone

    @property
    def start_s(self) -> float:
        return self.words[0].start_s

    @property
    def end_s(self) -> float:
        return self.words[-1].end_s

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def asks(self, min_score: float) -> bool:
        """Worded as a question (cues of at least `min_score`) or written with a question mark."""
        return self.cue_score >= min_score or self.text.rstrip().endswith("?")


@dataclass
class Exchange:
    """One main question and its answer: the candidate's units (replies to follow-ups included)
    and the follow-ups asked inside it, each (question units, reply units)."""

    question: list[Unit]
    answer: list[Unit] = field(default_factory=list)
    followups: list[tuple[list[Unit], list[Unit]]] = field(default_factory=list)


@dataclass
class Turns:
    """Question turns (start, end, text, cues) and how they were found."""

    questions: list[tuple[float, float, str, list[str]]]
    detection: str
    units: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    separation: float | None = None
    exchanges: list[Exchange] | None = None  # None: answers are the words between questions (--splits)
    voices: dict[str, np.ndarray] | None = None  # the candidate's and the interviewer's voice (centres), when told by voice


def make_units(words: list[Word], gap_s: float, speech: list | None = None, reach_s: float = 1.0) -> list[Unit]:
    """Cut the words at sentence ends, at gaps of `gap_s` between words, and at silences of
    `gap_s` in the voice activity (Whisper's word times can run across a turn change's silence;
    the cut goes to the word boundary nearest the silence, within `reach_s`)."""
    cuts: set[int] = set()
    for left, right in zip(speech or [], (speech or [])[1:]):
        if right.start_s - left.end_s >= gap_s:
            i = _boundary_near(words, (left.end_s + right.start_s) / 2, reach_s)
            if i is not None:
                cuts.add(i)
    units, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        last = i == len(words) - 1
        if last or i in cuts or ends_sentence(word.text) or words[i + 1].start_s - word.end_s >= gap_s:
            units.append(Unit(current))
            current = []
    return units


def _boundary_near(words: list[Word], t: float, reach_s: float) -> int | None:
    """The word boundary (index of the word before it) nearest time `t`, when one is within
    `reach_s`."""
    mids = [(a.end_s + b.start_s) / 2 for a, b in itertools.pairwise(words)]
    if not mids:
        return None
    i = int(np.argmin([abs(m - t) for m in mids]))
    return i if abs(mids[i] - t) <= reach_s else None


def _openings(text: str, cfg: dict) -> list[tuple[str, dict, re.Match]]:
    """Request wording ("Tell me about"; the turn model reads "wording:" cues) and question grammar
    ("Did the office push back", "Why take it on") a lower-cased text opens with: the first pattern
    of each list that matches, its label and its match."""
    found = []
    for label, lead, patterns in (("wording", cfg["lead_in"], cfg["openings"]),
                                  ("question form", cfg["form_lead_in"], cfg["forms"])):
        for p in patterns:
            m = re.search(f"{lead}(?:{p['pattern']})", text)  # the lead-in holds for every alternative
            if m:
                found.append((label, p, m))
                break
    return found


def _opening_cue(label: str, hit: dict) -> str:
    """The cue a unit's opening wording is recorded as (`question_cues`; taken back by
    `_no_openings_mid_sentence`)."""
    return f"{label}: {hit['pattern']}"


def question_cues(unit: Unit, cfg: dict) -> None:
    text = unit.text.lower().replace("\u2019", "'")
    for label, hit, _ in _openings(text, cfg):
        unit.cues.append(_opening_cue(label, hit))
        unit.cue_score += hit["weight"]
    if unit.text.rstrip().endswith("?"):
        unit.cues.append("question mark")
        unit.cue_score += cfg["question_mark"]
    elif len(unit.words) <= cfg["addressed_max_words"] and re.search(cfg["addressed"], text) \
            and not re.search(cfg["first_person"], text):
        # a short sentence to "you" with no "I" or "we" in it, opening like a follow-up ("Wait, you
        # changed production directly."): a question said as a statement (Whisper wrote no "?")
        unit.cues.append("a short sentence addressed to the listener")
        unit.cue_score += cfg["addressed_weight"]


def _no_openings_mid_sentence(units: list[Unit], cfg: dict, listener: str, max_gap_s: float) -> None:
    """A piece that opens in lower case within `max_gap_s` of the words of a unit that asked
    nothing (no question mark), ends with no question mark and says nothing to "you" is that
    unit's sentence going on: its first words open no question ("... so" / "I" / "was the senior
    ice technician on call," is no "Was the ...?"), so its opening cues are taken back. After a
    longer gap a piece in lower case may be the other speaker's question that lost its capital
    ("... 10 off," / "was the understudy ready for ...", 0.7 s, blind38 iwn_05), and so may a piece
    to "you" after none ("... without scanning it since" / "was anything said about it in your
    appraisal.", blind30 iwf_09)."""
    for before, unit in itertools.pairwise(units):
        text = unit.text.strip()
        lower = text.lower().replace("\u2019", "'")
        if not text[:1].islower() or before.text.rstrip().endswith(("?", "!")) or text.endswith("?") \
                or re.search(listener, lower) or unit.start_s - before.end_s > max_gap_s:
            continue
        for label, hit, _ in _openings(lower, cfg):
            cue = _opening_cue(label, hit)
            if cue in unit.cues:
                unit.cues.remove(cue)
                unit.cue_score -= hit["weight"]


def _cue(unit: Unit, samples: np.ndarray, balance: ChannelLevels | None, cfg: dict) -> None:
    """A unit's question cues: wording, question mark, rising pitch; its channel balance."""
    ccfg = cfg["cues"]
    question_cues(unit, ccfg)
    rise = pitch_rise(samples[int(unit.start_s * SR): int(unit.end_s * SR) + 1], cfg["voice"])
    if rise >= ccfg["rising_semitones"]:
        unit.cues.append(f"rising pitch (+{rise:.1f} semitones)")
        unit.cue_score += ccfg["rising_weight"]
    if balance is not None:
        unit.balance_db = balance(unit.start_s, unit.end_s)
    unit.cut = False


def detect_turns(samples: np.ndarray, text: Transcription, balance: ChannelLevels | None,
                 cfg: dict) -> Turns:
    """Find who speaks each unit, then the interviewer's main questions, follow-ups, small talk
    and closing in a transcribed recording."""
    from rehearse.interview.structure import echoes, structure

    units = make_units(text.words, cfg["units"]["gap_s"], text.speech, cfg["units"]["reach_s"])
    ccfg = cfg["cues"]
    for unit in units:
        _cue(unit, samples, balance, cfg)
    units = _cut_at_short_silences(units, samples, text.speech, balance, cfg)
    _no_openings_mid_sentence(units, ccfg, cfg["structure"]["listener"], cfg["units"]["short_gap_s"])
    min_score = ccfg["min_question_score"]
    voices: dict = {}
    stories = [p["pattern"] for p in cfg["structure"]["new_story"]]
    notes: list[str] = []
    separation = None

    detection = "wording"
    if balance is not None:
        units[:] = _cut_at_channel_changes(units, samples, balance, cfg)
        lopsided = [u for u in units if abs(u.balance_db) >= cfg["channels"]["min_db"]]
        if units and len(lopsided) >= cfg["channels"]["min_share"] * len(units):
            asker_left = _asker_left(units, cfg["channels"])
            for u in units:
                u.speaker = "interviewer" if (u.balance_db > 0) == asker_left else "candidate"
                u.why.append(f"speaker: {'left' if u.balance_db > 0 else 'right'} channel ({u.balance_db:+.0f} dB)")
            _level_units_to_neighbours(units, balance, asker_left, cfg["channels"]["min_db"])
            detection = "channels"
        else:
            notes.append("stereo, but the channels do not hold one speaker each: channels not used")
    if detection == "wording":
        sp = cfg["speakers"]
        emb = unit_embeddings(samples, units, sp, text.speech) if units else None
        closing = cfg["structure"]["closing"]
        separation = by_voice(samples, units, sp, min_score, text.speech, voices, stories=stories, emb=emb,
                              closing=closing)

        def shorter(unit_s: float, min_separation: float) -> float | None:
            """by_voice again with shorter units clustered, each cluster of them held to the short
            units' size rule."""
            return by_voice(samples, units, {**sp, "min_unit_s": unit_s, "min_separation": min_separation,
                                             "min_cluster_units": sp["short_min_units"],
                                             "small_cluster_separation": sp["short_small_separation"]},
                            min_score, text.speech, voices, stories=stories, emb=emb, closing=closing)

        if separation is not None and separation < sp["min_separation"]:
            # a terse interviewer may never speak for `min_unit_s` ("Union." "Fatigue." "Ever
            # stood a driver down."): try again with the shorter units clustered too, also when
            # the long units split off only a few that sound alike (a negative separation)
            short = shorter(sp["short_unit_s"], sp["min_separation"])
            if short is not None and (short >= sp["min_separation"] or (separation >= 0 and abs(short) > separation)):
                separation = short
            if separation < sp["min_separation"]:
                # still none: an interviewer heard only in units under `short_unit_s` ("Lesson."
                # "Questions." and "A missed deadline." cut in two) is clustered from the shortest
                # units, trusted only far apart (`shortest_min_separation`)
                shortest = shorter(sp["shortest_unit_s"], sp["shortest_min_separation"])
                if shortest is not None and shortest >= sp["shortest_min_separation"]:
                    separation = shortest
        for unit in units:
            if unit.cut:
                _cue(unit, samples, balance, cfg)
        if separation is not None and separation >= sp["min_separation"]:
            detection = "voices"
        elif separation is not None and separation < 0:
            separation = -separation
            notes.append(f"one voice heard (two clusters {separation:.2f} apart, but neither holds the questions): "
                         "turns found from question wording")
        elif separation is not None:
            notes.append(f"one voice heard (voice separation {separation:.2f} < {sp['min_separation']:g}): "
                         "turns found from question wording")
    if detection == "wording":
        units[:] = _cut_at_closing_wording(units, samples, balance, cfg)
        _turns_by_wording(units, min_score, cfg["structure"], ccfg["first_person"])
        for u in units:
            if not any(w.startswith("speaker:") for w in u.why):
                u.why.append("speaker: " + ("worded as a question, or leading into one" if u.speaker == "interviewer"
                                            else "not worded as a question"))
    runs = _runs(units)
    for r, run in enumerate(runs):  # a short interjection without question cues ("mm-hm", "okay") is no turn;
        # a short question ("Why?", "How long?"), a short turn that asks for a story ("Now a failure.") or
        # that echoes the candidate's last words ("Twenty thousand?" heard as "20,000.") is one
        n_words = sum(len(u.words) for u in run)
        text = " ".join(u.text for u in run).lower().replace("\u2019", "'")
        if run[0].speaker == "interviewer" and n_words < cfg["turns"]["min_question_words"] \
                and re.search(cfg["structure"]["backchannel"], text.strip()) \
                and not any(u.asks(min_score) for u in run) \
                and not any(re.search(p, text) for p in stories) \
                and not (r and echoes(run, runs[r - 1], cfg["structure"])):
            for u in run:
                u.speaker = "candidate"
                u.why.append("speaker: a short interjection, kept with the talk around it")
    if detection != "wording":
        _first_words_run_on(units, cfg["turns"])
    exchanges = structure(units, cfg["structure"], min_score)
    questions = [(ex.question[0].start_s, ex.question[-1].end_s, _asked(ex.question, min_score, cfg["structure"]),
                  [c for u in ex.question for c in u.cues]) for ex in exchanges]
    return Turns(questions, detection if questions else "none", units, notes,
                 round(separation, 2) if separation is not None else None, exchanges,
                 voices if detection == "voices" else None)


def _asker_left(units: list[Unit], cfg: dict) -> bool:
    """Stereo with one speaker per channel: whether the interviewer is on the left. The side that
    talks at least `candidate_talks` times as much as the other (in words) is the candidate's,
    however many of its sentences Whisper heard as questions (as with voices: blind44 iwt_09's
    candidate side held more question-cue score over 432 words than the interviewer's over 158);
    otherwise the side whose sentences are worded more as questions is the interviewer's."""
    scores = {side: sum(u.cue_score for u in units if (u.balance_db > 0) == side) for side in (True, False)}
    talk = {side: sum(len(u.words) for u in units if (u.balance_db > 0) == side) for side in (True, False)}
    if max(talk.values()) >= cfg["candidate_talks"] * max(min(talk.values()), 1):
        return talk[True] < talk[False]
    return scores[True] >= scores[False]


def _first_words_run_on(units: list[Unit], cfg: dict) -> None:
    """Whisper can drop a listener's "mm-hm" and time the candidate's first words over it ("Most" /
    "of them were swifts ...", "We" / "had two people on ropes ..."): an interviewer's unit of at
    most `run_on_words` words that leaves its sentence open, followed within `run_on_gap_s` by a
    candidate's unit that opens in lower case, is the start of the candidate's sentence."""
    for i in range(len(units) - 1):
        u, after = units[i], units[i + 1]
        if (u.speaker == "interviewer" and after.speaker == "candidate" and (i == 0 or units[i - 1].speaker == "candidate")
                and len(u.words) <= cfg["run_on_words"] and not ends_sentence(u.text)
                and after.start_s - u.end_s <= cfg["run_on_gap_s"] and after.text.strip()[:1].islower()):
            u.speaker = "candidate"
            u.why.append("speaker: the candidate's: the first words of the sentence that runs on after it")


def _asked(run: list[Unit], min_score: float, cfg: dict) -> str:
    """The question's text: from its first unit worded as a question (a move to it, "Okay, shall we
    begin?", left out), with the scenario set up just before it ("Picture the busiest Saturday
    you've run. What happened?", `setup`), as long as no acknowledgement, move to the question or
    chat ("Great, let's crack on.") comes between and it starts at most `setup_reach_s` before."""
    texts = [u.text.lower().replace("\u2019", "'") for u in run]
    leads = [_leads_in(t, cfg) for t in texts]
    asked = [i for i, u in enumerate(run) if u.role == "question"]
    worded = [i for i in asked if run[i].cue_score >= min_score]
    first = next((i for i in worded if not leads[i]),  # "Okay, shall we begin?" is not the question
                 next((i for i in asked if run[i].asks(min_score) and not leads[i]),
                      (worded or asked or [0])[0]))
    start = first
    for j in range(first - 1, -1, -1):
        if leads[j] or texts[j].rstrip().endswith("?") or run[first].start_s - run[j].start_s > cfg["setup_reach_s"]:
            break
        if re.search(cfg["setup"], texts[j]):
            start = j
    return " ".join(u.text for u in run[start:] if u.role != "remark")


def _leads_in(text: str, cfg: dict) -> bool:
    """Lead-in wording (lower-case text): a move to a question or chat ("Great, let's crack on.",
    "Next one.") or an acknowledgement ("Thanks, that's vivid.")."""
    return bool(re.search(cfg["transition"], text) or re.search(cfg["chat"], text) or re.search(cfg["ack"], text))


def voiced(samples: np.ndarray, start_s: float, end_s: float, speech: list | None) -> np.ndarray:
    """The samples of a stretch where the voice activity says someone speaks (Whisper's word times
    can run over the silence before a turn: a unit "Great." timed 47.0-48.6 s was spoken at 48.2 s);
    the whole stretch when the voice activity holds none of it."""
    whole = samples[int(start_s * SR): int(end_s * SR) + 1]
    parts = [samples[int(max(r.start_s, start_s) * SR): int(min(r.end_s, end_s) * SR) + 1]
             for r in speech or [] if r.end_s > start_s and r.start_s < end_s]
    kept = np.concatenate(parts) if parts else whole
    return kept if len(kept) >= SR // 4 else whole


def unit_embeddings(samples: np.ndarray, units: list[Unit], cfg: dict, speech: list | None = None) -> np.ndarray:
    """A speaker embedding per unit, from its voiced part. A short unit's words are often timed
    late or early (a terse "Lesson?" spoken at 79.4-80.1 s, timed 79.7-80.4 s), which leaves a few
    tenths of a second of its voice: it takes the whole of the voice activity it falls in, up to
    its neighbours' words."""
    spans = []
    for i, u in enumerate(units):
        start, end = u.start_s, u.end_s
        if end - start < cfg["min_unit_s"] and speech:
            around = [r for r in speech if r.end_s > start and r.start_s < end]
            if around:
                before = units[i - 1].end_s if i else 0.0
                after = units[i + 1].start_s if i + 1 < len(units) else float("inf")
                start, end = max(min(start, around[0].start_s), before), min(max(end, around[-1].end_s), after)
        spans.append((start, end))
    return speakers.encoder().embed([voiced(samples, a, b, speech) for a, b in spans], cfg["max_windows"])


def _asking(units: list[Unit], worded: list[bool], nearest: np.ndarray, asker: int, closing: str | None) -> list[bool]:
    """The units worded as questions, but for the other voice's after the asking voice has said the
    closing's wording ("Questions?"): those are the candidate's own questions. A terse interviewer
    who asks for its stories with statements ("A blend that went wrong.", "Next, disagreement with
    a buyer.") says two questions, the candidate four at the end (blind44 iwt_10)."""
    end = next((i for i, (u, k) in enumerate(zip(units, nearest))
                if closing and k == asker and re.search(closing, u.text.lower().replace("\u2019", "'"))), len(units))
    return [q and not (i > end and k != asker) for i, (q, k) in enumerate(zip(worded, nearest))]


def by_voice(samples: np.ndarray, units: list[Unit], cfg: dict, min_score: float,
             speech: list | None = None, voices: dict | None = None, stories: list[str] = (),
             emb: np.ndarray | None = None, closing: str | None = None) -> float | None:
    """Label units interviewer or candidate by voice: speaker embeddings of the units of at least
    `min_unit_s`, two clusters; shorter units join the nearer cluster. The interviewer's cluster
    is the one with more units worded as questions (or, with none, the one that talks less).
    Returns the separation of the clusters (None: too few units to tell), and labels the units
    only when it reaches `min_separation` and, below `sure_separation`, when the asking cluster
    holds at least `min_questions_held` of the units worded as questions and talks for at most
    `max_asker_share` of the time (one voice can split into two clusters by something else: a
    greeting, the closing chat, the stories' sentences against the rest), and at any separation
    when the asking cluster talks under `min_asker_talk_s` and holds few of the questions (two
    fragments of one voice); such a split is returned as a negative separation. `voices`, when given, receives the two voices' centres;
    `stories`: new-story wording ("Now, failure."), which a short unit the voice cannot place is
    the asker's; `emb`: the units' embeddings, when already computed (`unit_embeddings`);
    `closing`: the closing's wording ("Any questions for me?"), after which the other voice's
    questions are the candidate's own and do not count against the asking voice."""
    long = [u for u in units if u.end_s - u.start_s >= cfg["min_unit_s"]]
    if len(long) < 4:
        return None
    if emb is None:
        emb = unit_embeddings(samples, units, cfg, speech)
    is_long = np.array([u.end_s - u.start_s >= cfg["min_unit_s"] for u in units])
    weights = np.array([u.end_s - u.start_s for u in long])
    seed = np.array([u.cue_score >= min_score for u in long])
    labels, separation = speakers.two_voices(emb[is_long], weights, seed)
    if separation < cfg["min_separation"]:
        return separation
    if min(np.bincount(labels, minlength=2)) < cfg["min_cluster_units"] and separation < cfg["small_cluster_separation"]:
        return -separation  # a handful of units that sound alike, not a second speaker
    centres = np.stack([emb[is_long][labels == k].mean(axis=0) for k in (0, 1)])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    sims = emb @ centres.T
    nearest = np.argmax(sims, axis=1)
    nearest[is_long] = labels
    margin = np.abs(sims[:, 0] - sims[:, 1])
    unsure = ((sims.max(axis=1) < cfg["min_cosine"]) | (margin < cfg["tie_margin"])) & (margin < cfg["min_margin"]) & ~is_long
    sure = np.flatnonzero(~unsure)
    for i in np.flatnonzero(unsure):  # too little voice to tell ("Okay." timed 0 s): the nearer neighbour's
        nearest[i] = nearest[_nearest(units, sure, units[i])]
    worded = [u.asks(min_score) for u in units]
    # how often each voice asks, leaving out its questions after the other's closing wording
    asked = [np.mean([q for q, k in zip(_asking(units, worded, nearest, 1 - c, closing), nearest) if k == c] or [0.0])
             for c in (0, 1)]
    def spoken() -> list[float]:  # how long each voice talks
        return [sum(u.end_s - u.start_s for u, k in zip(units, nearest) if k == c) for c in (0, 1)]

    talk = spoken()
    asker = int(np.argmin(talk)) if asked[0] == asked[1] else int(np.argmax(asked))
    if separation >= cfg["sure_separation"] and talk[asker] > cfg["max_asker_share"] * sum(talk):
        # two voices for sure, and the one that talks most cannot be the one asking, whatever
        # Whisper heard as questions: a terse interviewer's "Lesson." lost its question mark and a
        # short "Why?" leaned to the candidate's voice
        asker = 1 - asker
    for i in np.flatnonzero(unsure):  # a short question ("Why?") leaning to the asking voice is the asker's,
        # and so is one that asks for a story ("Now, failure.") that the voice cannot place at all
        text = units[i].text.lower().replace("\u2019", "'")
        tie = margin[i] < cfg["tie_margin"] and any(re.search(p, text) for p in stories)
        if (worded[i] and int(np.argmax(sims[i])) == asker) or tie:
            nearest[i], unsure[i] = asker, False
    counted = _asking(units, worded, nearest, asker, closing)
    held = sum(q for q, k in zip(counted, nearest) if k == asker) / max(1, sum(counted))
    talk = spoken()  # again: the short questions above may have moved
    share = talk[asker] / max(sum(talk), 1e-9)
    if separation < cfg["sure_separation"] and (held < cfg["min_questions_held"] or asked[asker] <= asked[1 - asker]
                                                or share > cfg["max_asker_share"]):
        return -separation  # two clusters, but neither is the one asking: one voice split by something else
    if talk[asker] < cfg["min_asker_talk_s"] and held < cfg["min_questions_held"]:
        # however far apart: a second or two of talk that holds few of the questions is no
        # interviewer (one espeak voice reading both parts split off two half-second fragments,
        # 13.8 apart, blind27 iwc_03), while a terse interviewer's few words hold its questions
        return -separation
    if held == 0 and not any(re.search(p, u.text.lower().replace("\u2019", "'")) for p in stories
                             for u, k in zip(units, nearest) if k == asker):
        # nor is a voice that neither holds a question nor asks for a story, however long it talks
        # (one Kokoro voice split off "I think", "The moment I" and "I'm good.", 3.9 s, 6.6 apart:
        # blind35 iwk_01), while a terse interviewer asks for its stories ("The time you had to
        # work fast.", "Next, the time you fell out with a colleague.": blind35 iwk_10)
        return -separation
    # (once the split is trusted)
    for i in np.flatnonzero(~is_long & ~unsure & (margin < cfg["min_margin"])):
        # a short question that leans only a little to the other voice ("Why?", 0.61 vs 0.53) is
        # the asker's too: a second of voice says less than its wording
        if worded[i] and nearest[i] != asker:
            nearest[i] = asker
    if voices is not None:  # the two voices' centres, for whoever hears more of the recording
        voices["candidate"], voices["interviewer"] = centres[1 - asker], centres[asker]
    if "cut_margin" in cfg:
        units[:], nearest, sims, unsure = _cut_at_voice_changes(samples, units, nearest, sims, unsure, centres, cfg, speech)
    for u, k, sim, doubt in zip(units, nearest, sims, unsure):
        u.speaker = "interviewer" if k == asker else "candidate"
        u.why.append(f"speaker: voice {'A' if k == asker else 'B'} (cosine {sim[k]:.2f} vs {sim[1 - k]:.2f}"
                     + (", too little voice: as the nearest unit in time)" if doubt else ")"))
    return separation


def asker_holes(samples: np.ndarray, turns: Turns, margin: float) -> Callable[[list], list]:
    """A `holes` screen: the stretches of speech no word covers, inside the candidate's talk (the
    candidate speaks the words either side), that sound like the interviewer by at least `margin`
    (cosine to the interviewer's voice minus to the candidate's): a "Why?" Whisper left out."""
    def inside(a: float, b: float) -> bool:
        before = max((u for u in turns.units if u.end_s <= a + 0.05), key=lambda u: u.end_s, default=None)
        after = min((u for u in turns.units if u.start_s >= b - 0.05), key=lambda u: u.start_s, default=None)
        return all(u is not None and u.speaker == "candidate" for u in (before, after))

    def screen(holes: list) -> list:
        holes = [h for h in holes if inside(h[0], h[1])]
        return [h for h, yes in zip(holes, sounds_like_asker(samples, turns, [h[:2] for h in holes], margin)) if yes]
    return screen


def sounds_like_asker(samples: np.ndarray, turns: Turns, spans: list, margin: float) -> list[bool]:
    """Whether each stretch (start, end) sounds like the interviewer: cosine to the interviewer's
    voice minus cosine to the candidate's at least `margin` (no voices: none does)."""
    if not spans or not turns.voices:
        return [False] * len(spans)
    emb = speakers.encoder().embed([samples[int(a * SR): int(b * SR) + 1] for a, b in spans], 4)
    return [bool(e @ turns.voices["interviewer"] - e @ turns.voices["candidate"] >= margin) for e in emb]


def unheard_asker_passages(samples: np.ndarray, turns: Turns, stretches: list[tuple[float, float]], margin: float,
                           join_s: float, budget_s: float = float("inf")
                           ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The loud stretches voice activity missed (`stretches`) that sound like the interviewer, and
    the passages to hear again: those stretches, with the interviewer's units they touch, joined
    while no more than `join_s` apart and no unit of the candidate's between them (a phone-line
    question that Silero heard only as "a lot of people." between two silences); the longest
    passages first, `budget_s` of them at most (each is a Whisper pass of its own: an hour of a
    noisy line must not cost an hour more)."""
    kept = [s for s, yes in zip(stretches, sounds_like_asker(samples, turns, stretches, margin)) if yes]
    passages: list[list[float]] = []
    for a, b in kept:
        for u in turns.units:  # the interviewer's words the stretch goes on from or into
            if u.speaker == "interviewer" and u.start_s <= b + join_s and u.end_s >= a - join_s:
                a, b = min(a, u.start_s), max(b, u.end_s)
        if passages and a - passages[-1][1] <= join_s and not any(
                u.speaker == "candidate" and u.end_s > passages[-1][1] and u.start_s < a for u in turns.units):
            passages[-1][1] = max(passages[-1][1], b)
        else:
            passages.append([a, b])
    lengths = [b - a for a, b in passages]
    chosen = longest_within(lengths, lengths, budget_s)
    heard = [(a, b) for i, (a, b) in enumerate(passages) if i in chosen]
    return [s for s in kept if any(a <= s[0] and s[1] <= b for a, b in heard)], heard


def sparse_asker_units(turns: Turns, min_s: float, max_words_per_s: float) -> list[tuple[float, float]]:
    """The interviewer's units (told by voice) of at least `min_s` in which Whisper wrote fewer
    than `max_words_per_s` words a second: a question it lost when a window derailed (blind20
    ivv_06: a five-second "Describe a situation ..." written as the one word "monitoring")."""
    return [(u.start_s, u.end_s) for u in turns.units
            if u.speaker == "interviewer" and u.end_s - u.start_s >= min_s
            and len(u.words) < max_words_per_s * (u.end_s - u.start_s)]


def _nearest(units: list[Unit], among, u: Unit) -> int:
    """The index (one of `among`) of the unit nearest in time to `u`."""
    return min(among, key=lambda k: max(units[k].start_s - u.end_s, u.start_s - units[k].end_s, 0.0))


def _level_units_to_neighbours(units: list[Unit], balance: ChannelLevels, asker_left: bool, min_db: float) -> None:
    """A unit on neither channel as a whole: Whisper timed a short turn ("Thanks.") over the end
    of the other speaker's words, or into the silence between turns. It belongs to the channel
    that leans in most of its frames; with no frame leaning, to the unit nearest it in time that
    is on one channel."""
    sided = [i for i, u in enumerate(units) if abs(u.balance_db) >= min_db]
    for u in units:
        if abs(u.balance_db) >= min_db:
            continue
        lean = balance.majority(u.start_s, u.end_s, min_db)
        if lean:
            u.speaker = "interviewer" if (lean > 0) == asker_left else "candidate"
            u.why.append(f"speaker: on both channels, but most of its time on the {'left' if lean > 0 else 'right'}")
        elif sided:
            j = _nearest(units, sided, u)
            u.speaker = units[j].speaker
            u.why.append(f"speaker: on neither channel, so the nearest unit's ({units[j].start_s:.1f} s)")


def _cut_at_channel_changes(units: list[Unit], samples: np.ndarray, balance: ChannelLevels,
                            cfg: dict) -> list[Unit]:
    """Units cut where the stereo channel changes inside them (`voices.channel_changes`)."""
    out = []
    for u in units:
        cuts = channel_changes(u.words, balance, cfg["channels"]["min_db"], cfg["channels"]["cut_min_s"])
        if not cuts:
            out.append(u)
            continue
        for a, b in itertools.pairwise([0, *cuts, len(u.words)]):
            piece = Unit(u.words[a:b])
            _cue(piece, samples, balance, cfg)
            if a:
                piece.why.append("speaker: cut from the unit before where the channel changes")
            out.append(piece)
    return out


def _cut_at_short_silences(units: list[Unit], samples: np.ndarray, speech: list | None,
                           balance: ChannelLevels | None, cfg: dict) -> list[Unit]:
    """Units cut at a silence shorter than `[units] gap_s` (at least `short_gap_s`) in the voice
    activity where a question and a story meet inside one unit: Whisper can write the end of a
    question and the first words of its answer as one sentence ("... an incident on the gym floor
    that you handled about a month into my first manager job, a member collapsed ...") or an
    answer's last words and the next question ("... to fetch What's something you've changed
    ..."). The cut is made when one side opens with question wording (or ends with "?", asks the
    listener for a story: "Any time you've gone past ...", or holds the closing: "... who noticed |
    brilliant, right, is there anything you'd like to ask me") and has no first-person word after it,
    and the other side tells in the first person or sets a scene in time (before the closing, states
    anything) and does not open as a question; a story's own pauses ("How did we fix it? ... we
    rolled back") are never cut."""
    from rehearse.interview.structure import _score, _text

    ucfg, ccfg, scfg = cfg["units"], cfg["cues"], cfg["structure"]
    first = re.compile(ccfg["first_person"])

    def asking(piece: Unit) -> bool:
        text = _text([piece])
        opens = _openings(text, ccfg)
        end = opens[0][2].end() if opens else None
        if end is None and (piece.text.rstrip().endswith("?") or (
                _score(text, scfg["new_story"])[0] >= scfg["min_main"] and re.search(scfg["listener"], text))):
            end = 0  # a question mark, or a request for a story to the listener ("Any time you've ...")
        return closes(piece) if end is None else not first.search(text[end:])

    def closes(piece: Unit) -> bool:
        """The closing, with or without a word before it ("Brilliant, right. Is there anything
        you'd like to ask me?"): no "I" or "we" after it but the listener's "me" or "us"."""
        text = _text([piece])
        closing = re.search(scfg["closing"], text)
        return bool(closing) and not first.search(re.sub(r"\b(?:me|us)\b", "", text[closing.end():]))

    def telling(piece: Unit, before_closing: bool = False) -> bool:
        """A statement in the first person, or one that sets the story's scene in time saying
        nothing to "you" ("Talk me through how you handle a piece you've broken yourself | for
        about four years ago."); before the closing any statement ("And since then any change to
        the ration has a quality check written into it, | that's all from me.")."""
        text = _text([piece])
        return not _openings(text, ccfg) and (before_closing or bool(first.search(text)) or sets_scene(piece, scfg))

    silences = [(a.end_s, b.start_s) for a, b in zip(speech or [], (speech or [])[1:])
                if ucfg["short_gap_s"] <= b.start_s - a.end_s < ucfg["gap_s"]]
    starts = [a for a, _ in silences]
    out: list[Unit] = []
    for u in units:
        pieces = [u]
        at = bisect.bisect_right(starts, u.start_s)
        inside = itertools.takewhile(lambda s: s[0] < u.end_s, (silences[j] for j in range(at, len(silences))))
        # the longest silence first: a question and its answer are further apart than two words of
        # the question ("Talk me through an incident | on the gym floor that you handled || about a
        # month into my first ...")
        for a, b in sorted(inside, key=lambda s: s[0] - s[1]):
            k = next((j for j, p in enumerate(pieces) if p.start_s < a and b < p.end_s), None)
            if k is None:
                continue
            whole = pieces[k]  # the piece the silence falls in
            i = _boundary_near(whole.words, (a + b) / 2, ucfg["reach_s"])
            if i is None:
                continue
            left, right = Unit(whole.words[: i + 1]), Unit(whole.words[i + 1:])
            if min(len(left.words), len(right.words)) < ucfg["short_cut_min_words"]:
                continue
            # below `short_gap_run_on_s` of silence, the story's words run on into the next question
            # only where Whisper starts that question with a capital ("... to fetch What's something
            # ..."): a piece that goes on in lower case after so short a pause goes on with the
            # sentence ("What I took from it | is that the quiet ...", 0.2 s). The closing's wording
            # does not go on with a story's sentence ("... written into it, | that's all from me.",
            # 0.29 s), when it starts in the right piece and the statement before it does not leave
            # its sentence open ("That's everything from | me, anything you'd like to ask."; "Then
            # thank you for coming and | we'll be in touch by Friday.")
            whole_closing = re.search(scfg["closing"], _text([whole]))
            closing = closes(right) and whole_closing is not None and whole_closing.start() > len(left.text) \
                and not re.search(ucfg["open_end"], left.text.lower())
            run_on = b - a >= ucfg["short_gap_run_on_s"] or right.words[0].text.lstrip("\"'(")[:1].isupper() or closing
            if (asking(left) and telling(right)) or (telling(left, before_closing=closing) and asking(right) and run_on):
                pieces[k:k + 1] = [left, right]
        if len(pieces) == 1:
            out.append(u)
            continue
        for n, piece in enumerate(pieces):
            _cue(piece, samples, balance, cfg)
            if n:
                piece.why.append("speaker: cut from the unit before at a short silence between a question and a story")
            out.append(piece)
    return out


def _cut_at_closing_wording(units: list[Unit], samples: np.ndarray, balance: ChannelLevels | None,
                            cfg: dict) -> list[Unit]:
    """One voice: a unit in which the closing's wording follows a statement with no silence the
    voice activity hears ("... when it was admin that's all from me.") is cut where that wording
    starts, so the answer ends with the statement; and so is one in which a question of chat follows
    a statement ("... went from one in twenty to one in 50, sorry, could I grab some water?"), cut
    where the chat's clause starts, an apology opening it included. The statement must hold at
    least `[units] closing_cut_min_words` words, not leave its sentence open, nor ask anything
    itself."""
    from rehearse.interview.structure import _text

    ucfg, scfg = cfg["units"], cfg["structure"]
    out: list[Unit] = []
    for u in units:
        text = _text([u])
        at, what = _closing_or_chat_starts(text, scfg)
        said = text[:at] if at is not None else ""  # the statement before the closing's or chat's wording
        k = len(said.split())  # the word that wording starts in ("that's" of "... admin that's all from me")
        if k < ucfg["closing_cut_min_words"] or "?" in said or re.search(ucfg["open_end"], said.rstrip()) \
                or _openings(said, cfg["cues"]):
            out.append(u)
            continue
        left, right = Unit(u.words[:k]), Unit(u.words[k:])
        for piece in (left, right):
            _cue(piece, samples, balance, cfg)
        right.why.append(f"speaker: cut from the statement before it where the {what} starts")
        out += [left, right]
    return out


def _closing_or_chat_starts(text: str, scfg: dict) -> tuple[int | None, str]:
    """Where the closing's wording starts in a unit's text, or else the clause of a question of
    chat ("could I grab some water?") with the apology or cry opening it ("sorry, "); None when
    neither."""
    closing = re.search(scfg["closing"], text)
    if closing:
        return closing.start(), "closing's wording"
    chat = re.search(scfg["chat"], text)
    if not chat or "?" not in text[chat.start():]:
        return None, ""
    clauses = [0] + [b.end() for b in re.finditer(r"[,.;!?]\s+", text[:chat.start()])]
    i = len(clauses) - 1
    while i > 0 and re.fullmatch(scfg["one_voice_chat_lead"], text[clauses[i - 1]:clauses[i]]):
        i -= 1
    return clauses[i], "chat"


def sets_scene(piece: Unit, scfg: dict) -> bool:
    """A piece that sets a story's scene in time ("About four years ago.", the STAR rubric's cue)
    and says nothing to "you": the story starting, not a question going on ("... in the last year
    when you disagreed")."""
    from rehearse.interview import turn_model
    from rehearse.interview.structure import _text

    return bool(turn_model.scene_in_time([piece], scfg["scene_cue"])) and not re.search(scfg["listener"], _text([piece]))


def _cut_at_voice_changes(samples: np.ndarray, units: list[Unit], nearest: np.ndarray, sims: np.ndarray,
                          unsure: np.ndarray, centres: np.ndarray, cfg: dict, speech: list | None):
    """Units cut where the voice changes inside them (`voice_changes`), each piece labelled by
    the voice nearest its own embedding."""
    out: list[tuple[Unit, int, np.ndarray, bool]] = []
    for u, k, sim, doubt in zip(units, nearest, sims, unsure):
        cuts = voice_changes.cut_points(samples, u.words, centres, cfg, speech)
        if not cuts:
            out.append((u, k, sim, doubt))
            continue
        edges = [0] + [c for c, _ in cuts] + [len(u.words)]
        pieces = [Unit(u.words[a:b], cut=True) for a, b in itertools.pairwise(edges)]
        emb = speakers.encoder().embed([voiced(samples, p.start_s, p.end_s, speech) for p in pieces], cfg["max_windows"])
        for piece, e, (_, margin) in zip(pieces, emb, [(0, 0.0)] + cuts):
            piece_sims = centres @ e
            if margin:
                piece.why.append(f"speaker: cut from the unit before where the voice changes (margin {margin:.2f})")
            out.append((piece, int(np.argmax(piece_sims)), piece_sims, False))
    return [o[0] for o in out], np.array([o[1] for o in out]), np.stack([o[2] for o in out]), np.array([o[3] for o in out])


def _to_listener(text: str, scfg: dict) -> bool:
    """Whether a lower-cased text speaks to "you" once generic "you" ("if you", "you know") is set
    aside."""
    return bool(re.search(scfg["listener"], re.sub(scfg["one_voice_generic_you"], "", text)))


def _turns_by_wording(units: list[Unit], min_score: float, scfg: dict, first_person: str) -> None:
    """One voice: the interviewer's units are those worded as questions (opening wording or a
    question mark), with closing or new-story wording, and the acknowledgements, transitions and
    chat just before them ("Great, thanks. Next one."), short requests to the listener and echoes
    of the candidate's words; everything else is the candidate's. In the closing, the candidate
    asks and the interviewer answers."""
    from rehearse.interview.structure import _score, echoes

    texts = [u.text.lower().replace("\u2019", "'") for u in units]
    story_words = [_score(t, scfg["new_story"])[0] for t in texts]
    closing = [bool(re.search(scfg["closing"], t)) for t in texts]
    # a request for a story said as a statement, to the listener ("So last one, describe a
    # situation where you had to explain something technical.", "I'd like to hear about a time you
    # failed."): the interviewer's too; the candidate's own story does not ask "you" for one, nor
    # does what someone in it said ("She said a notice you have to withdraw is better than one
    # when you have to defend in court.")
    asking_story = [w >= scfg["one_voice_story"] for w in story_words]
    story = [a and bool(re.search(scfg["listener"], t)) and not re.match(first_person, t)
             and not re.match(scfg["own_reported_speech"], t) for a, t in zip(asking_story, texts)]
    # a short request to the listener with no "I" or "we" ("The worst night you've had on shift.",
    # "Give me the story of a store you turned around."), or in the first person asking to hear
    # about the listener ("I'm curious how you deal with ...") or about the story told, with no "I"
    # or "we" in what it asks ("I'm curious what the grumblers said about it afterwards."): the
    # interviewer's
    def addressed(i: int) -> bool:
        t, n_words = texts[i], len(units[i].words)
        request = re.match(scfg["one_voice_request"], t)
        if request and (asking_story[i] or re.search(scfg["listener"], t)):
            return True
        asked = t[request.end():] if request else ""
        if request and re.match(scfg["one_voice_request_asks"], asked) and not re.search(first_person, asked):
            return True
        if re.match(scfg["one_voice_opens_request"], t) and not re.search(first_person, re.sub(scfg["one_voice_imperative"], "", t)):
            return True
        if re.match(scfg["one_voice_asks_for_a_story"], t):
            return True  # "Talk to me about a shift where ...", whatever Whisper heard after the "where"
        end = re.search(scfg["one_voice_ends_request"], t)
        if end and not re.search(first_person, t[:end.start()]):
            return True
        clause = re.search(scfg["one_voice_clause_request"], t)
        asked = t[clause.start():] if clause else ""
        if (clause and _score(asked, scfg["new_story"])[0] >= scfg["one_voice_story"] and re.search(scfg["listener"], asked)
                and not re.search(first_person, re.sub(scfg["one_voice_imperative"], "", asked))):
            return True  # "We lose seeds if the drying goes wrong, so walk me through a time you caught ..."
        tag = re.search(scfg["one_voice_tag"], t)
        if tag and re.search(scfg["listener"], t[:tag.start()]) and not re.search(first_person, t[:tag.start()]) \
                and i + 1 < len(units) and re.match(scfg["direct_answer"], texts[i + 1]):
            return True  # "You'd want to rule out your own kit first, I suppose." - "Exactly."
        reflection = re.match(scfg["reflects"], t)
        if reflection and n_words <= scfg["one_voice_addressed_words"] and not re.search(first_person, t[reflection.end():]):
            return True  # a reflection on the story told ("That must have been a tricky call to make.")
        if not re.search(scfg["listener"], t) or re.search(scfg["one_voice_generic_you"], t):
            return False
        # "You ..." is generic in a story, but right after a request for a story it is the
        # request going on where Whisper cut it ("Can you tell me about a time?" - "Your team ...")
        if re.search(scfg["one_voice_opens_you"], t) and not (i > 0 and asking_story[i - 1]):
            return False
        return n_words <= scfg["one_voice_addressed_words"] and not re.search(first_person, re.sub(scfg["one_voice_imperative"], "", t))

    # ... and chat that opens a sentence with no "I" or "we", asking nothing ("Listen to that, it's
    # hammering on the roof now."; "How's your week been?" may be the candidate's)
    # ... and so is a sentence to "you" that gives the candidate's words just before it back to them
    # ("You told them it was your mistake, just like that." after "... told them straight that it
    # was my mistake"), however many of its words are "you" and "your"
    request = [addressed(i) or (i > 0 and (len(u.words) <= scfg["one_voice_echo_words"] or (
                                    _to_listener(t, scfg)
                                    and len(u.words) <= scfg["one_voice_addressed_words"]))
                                and not re.search(first_person, texts[i]) and echoes([u], [units[i - 1]], scfg))
               or (re.match(scfg["chat"], re.sub(scfg["one_voice_chat_lead"], "", t)) is not None and "?" not in t
                   and not re.search(first_person, t))
               for i, (u, t) in enumerate(zip(units, texts))]
    told = [bool(re.search(scfg["one_voice_told_question"], t)) for t in texts]
    # what someone said, quoted in the story after Whisper cut it from "I said," ("When the chef
    # rang up shouting, I said," / "that's my mistake." / "Give me an hour."): the candidate's,
    # however it is worded, when it starts within `one_voice_quote_reach_s` of the reporting clause
    quoted = [False] * len(units)
    for i in range(1, len(units)):
        if re.search(scfg["one_voice_reporting_clause"], texts[i - 1].strip()) and not re.search(scfg["listener"], texts[i - 1]):
            j = i
            while j < len(units) and units[j].start_s - units[i - 1].end_s <= scfg["one_voice_quote_reach_s"]:
                quoted[j] = True
                j += 1
        # the quote to "you" going on after a sentence that opens by reporting it ("Well, I said when
        # you switch the light off, ..." / "It's the same at the eyepiece, your eye can see ...")
        elif (re.match(scfg["one_voice_quote_opens"], texts[i - 1]) and re.search(scfg["listener"], texts[i - 1])
              and not units[i].asks(min_score) and "?" not in texts[i]
              and not re.match(scfg["reflects"], texts[i])
              and units[i].start_s - units[i - 1].end_s <= scfg["one_voice_quote_reach_s"]):
            quoted[i] = True
    asks = [((u.asks(min_score) and not told[i]) or closing[i] or story[i] or request[i]) and not quoted[i]
            for i, u in enumerate(units)]
    # a short question checking what a request for a story meant ("Do you mean on the day
    # itself?") is the candidate's first words, not the interviewer's
    # (after any question of the interviewer's: "What about giving someone difficult feedback?" -
    # "Do you mean someone who reported to me?"), and so is a second question that goes on checking
    # ("When you say a process, do you mean the floor?" - "Or more the office side?")
    clarifying = [False] * len(units)
    for i in range(1, len(units)):
        if (asks[i] and ((asks[i - 1] and not closing[i - 1]) or clarifying[i - 1]) and not asking_story[i] and not closing[i]
                and len(units[i].words) <= scfg["one_voice_clarify_words"] and re.search(scfg["one_voice_clarify"], texts[i])):
            asks[i], clarifying[i] = False, True
    # Whisper cuts a question where the speaker pauses ("In the past, can you tell me about a time"
    # / "you had to deal with a guest" / "who was really unhappy."): a piece that opens in lower
    # case after the interviewer's piece, with no "I" or "we" in it (the listener's "me" may be:
    # "Sorry, just explain the bedroom." / "comparison to me the way you put it to them."), goes on
    # with the question, even after a full stop Whisper put at the pause ("I'd like to hear about a
    # time you did." / "and get on with someone on a job.", blind30 iwf_05), though not after a
    # question mark nor as a direct answer after a full stop ("I'd like to know how long that really
    # took." / "about nine hours in total, ...", blind37 iwm_05). So does a piece that opens with a
    # word joining it to the question, even after a question mark (`one_voice_question_goes_on`:
    # "Have you ever lost animals?" / "Because something went wrong with the system."), unless the
    # question asked why, and so does a short rest of a request Whisper ended on its head noun or
    # before an -ing phrase ("Tell me about a time." / "A placement went badly wrong.", "How did you
    # handle a candidate?" / "Pulling out after they'd accepted."). A piece that sets the story's
    # scene in time is the story ("... broken yourself" / "for about four years ago.").
    for i in range(1, len(units)):
        # lower case from its first word on, a filler's too ("um, and get on with ..."; "Um, it was"
        # and the script's "um It was" open a sentence)
        raw = units[i].text.strip()
        lower = raw[:1].islower() and re.sub(scfg["one_voice_filler"], "", raw, flags=re.IGNORECASE)[:1].islower()
        direct = re.match(scfg["direct_answer"], texts[i])
        opened = not ends_sentence(units[i - 1].text) or (units[i - 1].text.rstrip().endswith(".") and not direct)
        fewest, most = scfg["one_voice_cut_rest_words"]
        rest = (fewest <= len(units[i].words) <= most and "," not in texts[i] and not direct
                and (re.search(scfg["one_voice_cut_head"], texts[i - 1].strip()) or re.match(scfg["one_voice_cut_rest"], texts[i])))
        joined = (lower and opened) or ((
            re.match(scfg["one_voice_question_goes_on"], texts[i]) or rest) and "?" not in texts[i]
            and not re.search(scfg["one_voice_why"], texts[i - 1]))
        if asks[i - 1] and not asks[i] and joined and not re.search(scfg["story_first_person"], texts[i]) \
                and not sets_scene(units[i], scfg):
            asks[i] = True
            how = "lower case" if lower and opened else "the rest of a request cut short" if rest else "a joining word"
            units[i].why.append(f"speaker: goes on with the question before it ({how})")
    moving = [bool(re.search(scfg["transition"], t) or re.search(scfg["chat"], t)) for t in texts]
    lead = [_leads_in(t, scfg) for t in texts]
    for i, u in enumerate(units):
        u.speaker = "interviewer" if asks[i] else "candidate"
    for i in range(len(units)):
        if asks[i]:
            k = i - 1
            first, j, plain = None, i - 1, True
            while j >= 0 and not asks[j]:
                # further back than `lead_reach_s` only while no one says "I" or "we": the
                # interviewer setting up the question after a move to it ("Last one. Operators here
                # work in pairs, so you'll ...")
                reach = units[i].start_s - units[j].start_s
                plain = plain and not re.search(scfg["story_first_person"], texts[j])
                if reach > scfg["lead_reach_s"] and not (plain and reach <= scfg["lead_reach_plain_s"]):
                    break
                first = j if moving[j] else first
                j -= 1
            if first is not None:  # a move to the question and the short replies to it: the lead
                for j in range(first, i):
                    units[j].speaker = "interviewer"
                k = first - 1
            if (first is None and k > 0 and not asks[k] and not lead[k] and lead[k - 1]
                    and not texts[k - 1].rstrip().endswith("?")
                    and len(units[k].words) <= scfg["one_voice_topic_words"] and not re.search(first_person, texts[k])):
                # the topic named between an acknowledgement and the question ("Thank you.
                # Difficult clients. I'd love to hear about one you turned around."); after a
                # question ("Shall we start?") the few words are the reply ("Yes, go ahead.")
                units[k].speaker = "interviewer"
                k -= 1
            while k >= 0 and lead[k] and not asks[k]:
                units[k].speaker = "interviewer"
                k -= 1
    # the closing: from the last closing wording with no request for a story after it, the
    # candidate asks (any question that is not itself closing wording) and the interviewer answers
    # (the statements after a candidate's question); other statements are the candidate's
    # (after closing wording, a request for a story is told one: at least `long_reply_s` of talk
    # follows it before the next request to the listener or closing wording; a candidate's question in the closing,
    # "How do you decide when a model is ready to ship?", gets a short answer)
    def told_after(i: int) -> float:
        later = itertools.takewhile(lambda j: not (story[j] or closing[j]), range(i + 1, len(units)))
        return sum(len(units[j].words) for j in later) / scfg["talk_words_per_s"]

    first_closing = next((i for i, c in enumerate(closing) if c), len(units))
    last_story = max((i for i, a in enumerate(asking_story)
                      if a and (i < first_closing or told_after(i) >= scfg["long_reply_s"])), default=-1)
    start = next((i for i, c in enumerate(closing) if c and i > last_story), len(units))
    answering = False
    # the candidate's by a rule: a question back, a quote in the story, a question in the closing
    asked_back = [c or q for c, q in zip(clarifying, quoted)]
    for i in range(start, len(units)):
        u = units[i]
        if closing[i]:
            u.speaker, answering = "interviewer", False
        elif u.asks(min_score) or re.search(scfg["candidate_asks"], texts[i]):
            u.speaker, answering, asked_back[i] = "candidate", True, True
        else:
            u.speaker = "interviewer" if answering else "candidate"
    _speakers_by_model(units, min_score, scfg, keep=asked_back)
    # a statement only the model gave the interviewer, right after the interviewer's request for a
    # story ("Tell me about a time something went wrong during a night shift." - "At the Kellen Ridge
    # Observatory, we run a one-metre telescope ..., and I'm usually the only operator ..."), of at
    # least `one_voice_story_start_words` words with "I" or "we" in it, asking nothing and saying
    # nothing to "you", with no chat, move or closing wording, is the story it asked for (the
    # interviewer's own words after a request are short: "Someone senior, ideally."); so is one
    # after the candidate's first words, when those start at most `one_voice_story_start_reach_s`
    # before it ("Describe a situation where an event you organised didn't go to plan." - "It's a Thursday
    # evening in November." - "We've sold 60 tickets for an author talk, and ...")
    for i in range(1, len(units)):
        u = units[i]
        r = i - 1
        while r > 0 and units[r].speaker == "candidate" and not units[r].guessed \
                and u.start_s - units[r].start_s <= scfg["one_voice_story_start_reach_s"]:
            r -= 1
        if u.guessed and u.speaker == "interviewer" and units[r].speaker == "interviewer" and asking_story[r] \
                and asks[r] and not lead[r] and i < start and not asks[i] and "?" not in texts[i] \
                and not re.search(scfg["listener"], texts[i]) and re.search(scfg["story_first_person"], texts[i]) \
                and len(u.words) >= scfg["one_voice_story_start_words"] and not lead[i] and not closing[i]:
            u.speaker, u.guessed = "candidate", False
            u.why.append("speaker: the candidate's after all: a statement right after the request for a story is the story")
    # ... and so is a statement of that length only the model gave the interviewer between two of
    # the interviewer's questions, asking nothing, whatever it says to "you": no one asks, explains
    # at length and asks again without the other side saying a word ("Tell me a bit more about how
    # the queue gives priority back." - "If you take a job under two miles, you go back to the top of
    # your zone's queue ..." - "I'd like to hear about a time you went beyond ...", blind45 iwu_05),
    # once a story has been asked for and when it names no kind of story itself (the interviewer
    # names the topic between a remark and the question: "So, a show where the tech just fell over."
    # - "What happened, and what did you do?")
    asked_for = list(itertools.accumulate(asking_story, lambda a, b: a or b))
    for i in range(2, min(start, len(units) - 1)):
        u, before, after = units[i], units[i - 1], units[i + 1]
        if u.guessed and u.speaker == before.speaker == after.speaker == "interviewer" and asks[i - 1] \
                and asks[i + 1] and asked_for[i - 2] and not lead[i - 1] and not asks[i] and "?" not in texts[i] \
                and not lead[i] and not closing[i] and not moving[i] and not story_words[i] \
                and len(u.words) >= scfg["one_voice_story_start_words"]:
            u.speaker, u.guessed = "candidate", False
            u.why.append("speaker: the candidate's after all: a statement between two of the interviewer's questions is a reply")


def _speakers_by_model(units: list[Unit], min_score: float, scfg: dict, keep: list[bool]) -> None:
    """The sentences the speaker wording model is sure the interviewer says (greetings, chat, an
    interruption, the closing) become the interviewer's; the rules' interviewer sentences stay, and
    so do the candidate's questions the rules told apart (`keep`: a question back checking what was
    meant, the candidate's questions in the closing)."""
    from rehearse.interview import speaker_words

    path = speaker_words.model_path(scfg)
    if path is None or not units:
        return
    rule = [u.speaker for u in units]
    p = speaker_words.probabilities(units, rule, speaker_words.load(path), scfg, min_score)
    own = speaker_words.star_cues(tuple(scfg["own_story_cues"]))
    lesson = speaker_words.star_cues(tuple(scfg["own_lesson_cues"]))
    texts = [u.text.lower().replace("\u2019", "'").strip() for u in units]

    def own_story(u: Unit, text: str) -> bool:
        """What "I" or "we" did, said to no one in particular: the candidate's story however rare
        its words ("We also changed the induction, so ...", "On the walk I showed him ..."); or
        what "I" learnt from it, which may speak to anyone ("I think the lesson for me was that you
        can say hard things to someone senior ...", "What I took away is ..."), asking nothing
        (`text`: the unit's text in lower case)."""
        if "?" in text or re.search(scfg["closing"], text) or re.search(scfg["chat"], text):
            return False
        if (any(c.search(text) for c in own) or re.search(scfg["own_story_state"], text)
                or re.search(scfg["own_lasting_state"], text)) and not re.search(scfg["listener"], text):
            return True
        if re.match(scfg["own_reported_speech"], text):
            return True
        return any(c.search(text) for c in lesson) and bool(re.search(scfg["speaker_i"], text)) and not u.asks(min_score)

    for i, (u, pi, kept) in enumerate(zip(units, p, keep)):
        # Whisper cuts a sentence where the speaker pauses ("four days to get him confident" /
        # "before the press night."): a piece that opens in lower case after the candidate's piece
        # that left its sentence open, asking nothing, goes on with the candidate's sentence; so
        # does one that opens with a clause no sentence starts with, full stop before it or not
        # ("I also moved the item up the agenda." / "So that people weren't sitting there ...")
        goes_on = (i > 0 and units[i - 1].speaker == "candidate" and "?" not in u.text
                   and ((u.text.strip()[:1].islower() and not ends_sentence(units[i - 1].text))
                        or bool(re.match(scfg["one_voice_goes_on_clause"], texts[i]))))
        if u.speaker != "interviewer" and not kept and pi >= scfg["one_voice_model_min"] and not own_story(u, texts[i]) \
                and not goes_on:
            u.speaker, u.guessed = "interviewer", True
            u.why.append(f"speaker: the interviewer's by the speaker wording model (p {pi:.2f})")
    # a turn that opens by cutting in ("Hang on, the pub sold you ice.") cuts into someone else's
    # talk: the statements just before it that only the model gave the interviewer ("And the pub
    # next door with cash for every bag of ice.") are the candidate's story it cut into
    from rehearse.interview.structure import _score

    for i, u in enumerate(units):
        if u.speaker != "interviewer":
            continue
        cuts_in = bool(re.match(scfg["interrupts"], texts[i]))
        # a question of the rules' asked into the candidate's talk, asking for no new story and
        # inviting no questions ("And what do you do differently now?")
        asked_into = (not u.guessed and i > 0 and units[i - 1].speaker == "candidate"
                      and (u.asks(min_score) or "?" in texts[i]) and not re.search(scfg["closing"], texts[i])
                      and _score(texts[i], scfg["new_story"])[0] < scfg["min_main"])
        if not (cuts_in or asked_into):
            continue
        j = i - 1
        while cuts_in and j >= 0 and units[j].speaker == "interviewer" and units[j].guessed and not keep[j]:
            if re.search(scfg["ack"], texts[j]) or re.match(scfg["reflects"], texts[j]):
                break
            units[j].speaker, units[j].guessed = "candidate", False
            units[j].why.append("speaker: the candidate's: the interviewer cuts in after it")
            j -= 1
        # ... and the statement right after it (or after a question asked into the candidate's talk)
        # that only the model gave the interviewer, told in the first person and asking nothing, is
        # the candidate's reply ("Hang on, I'd like to hear a bit more about that habit." / "Well, on
        # a typical limb, I'd take it down fairly hard ..."; "And what do you do differently now?" /
        # "Now if I have to go shorter than the owner asked, I ring them before I start ...")
        k = i + 1
        if (k < len(units) and units[k].speaker == "interviewer" and units[k].guessed and not keep[k]
                and re.search(scfg["story_first_person"], texts[k]) and "?" not in texts[k] and not units[k].asks(min_score)
                and not any(re.search(scfg[key], texts[k]) for key in ("candidate_asks", "chat", "closing"))
                # after a question into the story, a statement to "you" may be the interviewer's own
                # ("Maria?" - "Sorry, I think I lost you there for a second.")
                and (cuts_in or not _to_listener(texts[k], scfg))):
            units[k].speaker, units[k].guessed = "candidate", False
            units[k].why.append("speaker: the candidate's: the reply to the interviewer "
                                + ("cutting in before it" if cuts_in else "asking into the story before it"))
    # an acknowledgement just before a turn the model gave the interviewer is its lead-in
    for i in range(len(units) - 2, -1, -1):
        u, after = units[i], units[i + 1]
        if u.speaker == "candidate" and not keep[i] and after.speaker == "interviewer" and after.guessed \
                and re.search(scfg["ack"], texts[i]):
            u.speaker, u.guessed = "interviewer", True
            u.why.append("speaker: an acknowledgement just before the interviewer's turn")


def _runs(units: list[Unit]) -> list[list[Unit]]:
    runs: list[list[Unit]] = []
    for u in units:
        if runs and runs[-1][-1].speaker == u.speaker:
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs


def parse_time(value: str) -> float:
    """"2:31", "1:02:03" or "151.5" seconds; minutes and seconds after a colon are under 60."""
    value = value.strip()
    bad = RehearseError("--splits", f"not a time: {value!r} (use m:ss, h:mm:ss or seconds)")
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        raise bad from None
    if len(parts) > 3 or any(not math.isfinite(p) or p < 0 for p in parts) or any(p >= 60 for p in parts[1:]):
        raise bad
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def parse_splits(text: str, source: str = "--splits") -> list[float]:
    """Turn starts, comma- or line-separated; `#` starts a comment."""
    items = [t for line in text.splitlines() for t in line.split("#")[0].replace(",", " ").split() if t]
    times = [parse_time(t) for t in items]
    if not times:
        raise RehearseError(source, "no times given")
    if any(b <= a for a, b in itertools.pairwise(times)):
        raise RehearseError(source, "times must increase")
    return times


def turns_from_splits(splits: list[float], text: Transcription, duration: float) -> Turns:
    """Turns start at the given times, alternating question, answer, question, ... (the first
    is a question)."""
    if splits[-1] >= duration:
        raise RehearseError("--splits", f"{splits[-1]:.1f} s is past the end of the recording ({duration:.1f} s)")
    bounds = list(splits) + [duration]
    questions, units = [], []
    for k in range(0, len(splits), 2):
        a, b = bounds[k], bounds[k + 1]
        words = [w for w in text.words if a <= (w.start_s + w.end_s) / 2 < b]
        if words:
            questions.append((words[0].start_s, words[-1].end_s, " ".join(w.text for w in words), ["--splits"]))
        else:
            questions.append((a, a, "", ["--splits"]))
    for w in text.words:
        k = max(i for i, s in enumerate([-1e9] + splits[1:]) if (w.start_s + w.end_s) / 2 >= s)
        speaker = "interviewer" if k % 2 == 0 else "candidate"
        if units and units[-1].speaker == speaker:
            units[-1].words.append(w)
        else:
            units.append(Unit([w], speaker=speaker))
    return Turns(questions, "splits", units)
