"""Interview mode and folder mode on real synthesised interviews, with the real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import AUDIO, require_tool, speak, write_wav

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_interviews

TOLERANCE_S = 2.0

ANSWERS = [
    [["S", "Last spring our checkout page slowed down every evening at peak traffic."],
     ["T", "I owned the checkout service, so finding the cause was my job."],
     ["A", "I traced the slow requests and found one database query without an index."],
     ["A", "I added the index, tested it under load, and rolled it out behind a flag."],
     ["R", "Evening latency fell from two seconds to three hundred milliseconds."]],
    [["S", "Two teams wanted the same release slot for their features."],
     ["A", "I set up a short meeting and we compared the customer impact of each feature."],
     ["A", "I proposed shipping the smaller change first, and both leads agreed."],
     ["R", "Both features shipped within the month, and nobody missed a deadline."]],
    [["S", "A new engineer joined my team without any experience of our stack."],
     ["A", "I wrote a one week plan for her, with a small real bug fix on each day."],
     ["A", "I paired with her every afternoon and reviewed every change she made."],
     ["R", "After three weeks she was on the on-call rotation and shipping features alone."]],
]
QUESTIONS = [
    "Tell me about a time you fixed a performance problem.",
    "Describe a situation where you resolved a conflict between two teams.",
    "Give me an example of how you helped a new colleague get up to speed.",
]


def interview(stereo: bool = False, iid: str = "test_iv") -> dict:
    return {"id": iid, "interviewer": "espeak:en-gb", "candidate": "flite:slt", "stereo": stereo,
            "turns": [{"question": q, "sentences": a, **({"lead": "Thanks."} if i == 1 else {})}
                      for i, (q, a) in enumerate(zip(QUESTIONS, ANSWERS))]}


def run(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", *args], check=False, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


class Ahead:
    """This file's slow command-line runs, started before the tests that check them and run two at a
    time: the file runs beside the microphone tests on the other worker (tests/conftest.py
    LONGEST_FIRST), which mostly wait on real time and leave a core free. `get(key)` is the run's
    result (or raises what it raised)."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.jobs: dict = {}

    def start(self, key: str, job, *args, **kwargs) -> None:
        self.jobs[key] = self.pool.submit(job, *args, **kwargs)

    def get(self, key: str):
        return self.jobs[key].result()


@pytest.fixture(scope="module", autouse=True)
def ahead(tmp_path_factory, rehearse_home):
    """The runs that need no rendered interview, started as the file begins (the mock interview's two,
    the fallback to one answer, the stereo interview, the folder of single answers)."""
    runs = Ahead()
    runs.start("mock", run, "analyze", str(MOCK), "--interview", "--json", "--no-save")
    runs.start("mock_women", run, "analyze", str(MOCK_WOMEN), "--interview", "--json", "--no-save")
    runs.start("mock_new_topic", run, "analyze", str(MOCK_NEW_TOPIC), "--interview", "--json", "--no-save")
    runs.start("mock_terse", run, "analyze", str(MOCK_TERSE), "--interview", "--json", "--no-save")
    page = tmp_path_factory.mktemp("mock-page") / "mock.html"
    runs.start("mock_explain", lambda: (page, run("analyze", str(MOCK), "--interview", "--html", str(page), "--explain",
                                                   "--no-save", env={"COLUMNS": "160"})))
    runs.start("no_question", run, "analyze", str(AUDIO / "strong_answer.wav"), "--interview", "--json")
    runs.start("stereo", stereo_run, tmp_path_factory.mktemp("stereo"))
    runs.start("one_voice", rendered_run, ONE_VOICE, tmp_path_factory.mktemp("one-voice"))
    runs.start("one_voice_2", rendered_run, ONE_VOICE_2, tmp_path_factory.mktemp("one-voice-2"))
    runs.start("folder", folder_runs, tmp_path_factory.mktemp("folder"), rehearse_home)
    yield runs
    runs.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def rendered(interview_cli, ahead, tmp_path_factory) -> tuple[Path, dict]:
    """`interview()` rendered (once per test run: conftest's interview_cli); the runs on it start here."""
    wav = Path(interview_cli["wav"])
    truth = json.loads(Path(interview_cli["truth"]).read_text())
    ahead.start("terminal", run, "analyze", str(wav), "--interview", env={"COLUMNS": "120"})
    ahead.start("splits", splits_runs, wav, truth, tmp_path_factory.mktemp("splits"))
    ahead.start("folder_interviews", folder_interview_run, wav, tmp_path_factory.mktemp("interviews"))
    return wav, truth


@pytest.fixture(scope="module")
def detected(interview_cli, rendered) -> tuple[dict, dict, dict]:
    """`analyze WAV --interview --json` as on a terminal (TTY_COMPATIBLE, TTY_INTERACTIVE, COLUMNS=120: the
    progress bar on stderr), with --html and --embed-audio (test_html opens the page): run once per test run."""
    _, truth = rendered
    assert interview_cli["code"] == 0, interview_cli["err"]
    return json.loads(interview_cli["out"]), truth, interview_cli


def words(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


def test_interview_splits_into_questions_and_answers(detected):
    report, truth, _ = detected
    assert report["detection"] == "voices"
    assert len(report["answers"]) == len(truth["turns"]) == 3
    for answer, turn in zip(report["answers"], truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= TOLERANCE_S, (answer["start_s"], turn)
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= TOLERANCE_S, (answer["end_s"], turn)
        assert abs(answer["question_start_s"] - turn["question_start_s"]) <= TOLERANCE_S
        # the question's words are recovered (Whisper tiny may miss one or two)
        said = words(turn["question"])
        assert len(said & words(answer["question"])) >= 0.7 * len(said), (answer["question"], turn["question"])
        assert "thanks" not in words(answer["question"])  # a lead-in is not part of the question


def test_each_answer_has_its_own_report(detected):
    report, truth, _ = detected
    for answer, turn in zip(report["answers"], truth["turns"]):
        r = answer["report"]
        assert r is not None, answer.get("error")
        assert r["question"]["text"] == answer["question"]
        # the same Report a single answer gets: delivery and STAR present
        for key in ("duration_s", "transcript", "pacing", "pauses", "fillers", "star", "tips"):
            assert key in r
        assert r["pacing"]["words_per_minute"] > 0
        assert {s["label"] for s in r["star"]["sections"]} == {"situation", "task", "action", "result"}
        # the answer's words, and none of the question's, are in its transcript
        spoken = words(" ".join(s["text"] for s in turn["sentences"]))
        heard = words(r["transcript"])
        assert len(spoken & heard) >= 0.7 * len(spoken)
        assert not {"tell", "describe", "example"} & heard
        # report times count from the answer's start; the answer lasts as long as it spoke
        assert r["words"][0]["start_s"] < 1.0
        assert abs(r["words"][-1]["end_s"] - (answer["end_s"] - answer["start_s"]) - r["words"][0]["start_s"]) < 1.0


def test_interview_summary(detected):
    report, truth, _ = detected
    s = report["summary"]
    assert s["total_s"] == pytest.approx(truth["duration_s"], abs=0.05)
    assert s["questions"] == 3
    lengths = [a["length_s"] for a in report["answers"]]
    assert s["average_length_s"] == pytest.approx(sum(lengths) / 3, abs=0.01)
    for a in report["answers"]:
        assert a["length_verdict"] == "short"  # 15-20 s answers against a 90-180 s band
    assert {s["strongest"], s["weakest"]} <= {1, 2, 3} and s["strongest"] != s["weakest"]
    ids = {p["id"] for p in s["patterns"]}
    assert "length_short" in ids  # every answer is short: a repeated pattern
    pattern = next(p for p in s["patterns"] if p["id"] == "length_short")
    assert pattern["answers"] == [1, 2, 3]


def test_interview_terminal_report(rendered, ahead):
    proc = ahead.get("terminal")  # analyze WAV --interview, COLUMNS=120
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Answer ") >= 3 and "Interview summary" in proc.stdout
    assert "Repeated across answers" in proc.stdout


def test_progress_bar_shows_time_left(detected):
    _, _, proc = detected  # run with TTY_COMPATIBLE=1, TTY_INTERACTIVE=1, COLUMNS=120
    assert proc["code"] == 0, proc["err"]
    assert "transcribing" in proc["err"] and "left" in proc["err"]
    assert "%" in proc["err"]
    json.loads(proc["out"])  # the bar goes to stderr, stdout stays clean JSON


def split_times(truth: dict) -> list[float]:
    """Each turn's question and answer start, a little early, as someone marking them by hand would."""
    times = []
    for turn in truth["turns"]:
        times += [turn["question_start_s"] - 0.2, turn["answer_start_s"] - 0.3]
    return times


def splits_runs(wav: Path, truth: dict, folder: Path):
    """`analyze WAV --splits T,T,... --json`, then the same times in m:ss form from a file, with a comment."""
    times = split_times(truth)
    proc = run("analyze", str(wav), "--splits", ",".join(f"{t:.2f}" for t in times), "--json")
    lines = ["# question, answer, ..."] + [f"{int(t // 60)}:{t % 60:05.2f}" for t in times]
    splits = folder / "splits.txt"
    splits.write_text("\n".join(lines) + "\n")
    return proc, run("analyze", str(wav), "--splits-file", str(splits), "--json")


def test_splits_by_hand(rendered, ahead):
    _, truth = rendered
    proc, proc2 = ahead.get("splits")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["detection"] == "splits"
    assert len(report["answers"]) == 3
    # the answer runs from the first to the last word Whisper timed inside the given stretch: on the
    # 2026-12-04 machine one end came 2.05 s from the truth, so a quarter second more than elsewhere
    for answer, turn in zip(report["answers"], truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= TOLERANCE_S + 0.25
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= TOLERANCE_S + 0.25
    # the same times in m:ss form from a file, with a comment
    assert proc2.returncode == 0, proc2.stderr
    assert [a["start_s"] for a in json.loads(proc2.stdout)["answers"]] == [a["start_s"] for a in report["answers"]]


def test_bad_splits_are_one_line_errors(rendered, tmp_path):
    wav, _ = rendered
    for splits, problem in (("0:00,abc", "not a time"), ("0:30,0:10", "times must increase"),
                            ("0:00,59:00", "past the end")):
        proc = run("analyze", str(wav), "--splits", splits)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and problem in proc.stderr, proc.stderr
    proc = run("analyze", str(wav), "--splits-file", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2 and "nope.txt" in proc.stderr and "Traceback" not in proc.stderr


def rendered_run(script: dict, folder: Path):
    """An interview script rendered into `folder`: its truth, and `analyze --interview --json` on it."""
    wav = render_interviews.render_interview(script, folder)
    return json.loads(wav.with_suffix(".truth.json").read_text()), run("analyze", str(wav), "--interview", "--json")


def stereo_run(folder: Path):
    """`interview()` rendered in stereo (a voice a channel) and analysed with --interview --json."""
    return rendered_run(interview(stereo=True, iid="stereo_iv"), folder)


# one voice (flite slt) reads both parts, so only the wording tells the speakers apart: a main
# question said as a fragment, a follow-up that only echoes the candidate's words, a second
# question asked in the first person, and a closing with no question in it
ONE_VOICE = {
    "id": "one_voice", "interviewer": "flite:slt", "candidate": "flite:slt", "gaps": [0.6, 0.9],
    "turns": [
        {"smalltalk": [["I", "Thanks for coming in today."], ["C", "Thanks for having me."]]},
        {"question": "The hardest deadline you have had to hit.",
         "sentences": [["S", "Last spring our payments team had to move off an old card processor."],
                       ["T", "I owned the cut over and the contract ended on the first of June."],
                       ["A", "I split the traffic by country and moved the smallest country first."],
                       ["A", "Every night I compared the two processors and fixed what did not match."],
                       ["R", "We finished nine days early and no payment was lost."]],
         "followups": [{"after": 3, "question": "Every night.",
                        "sentences": [["A", "Yes, for three weeks, until two nights in a row matched."]]}]},
        {"question": "I am curious how you handled a colleague who disagreed with you.",
         "sentences": [["S", "A senior engineer wanted to rewrite the billing service from scratch."],
                       ["A", "I asked him to write down the risks and I wrote down mine."],
                       ["A", "We agreed to rewrite one module first and measure it."],
                       ["R", "The module shipped in a month and we kept the rest."]]},
        {"closing": [["I", "That is everything I needed, thank you."], ["C", "Thank you for your time."]]},
    ],
}


def two_answers_by_wording(ahead, name: str) -> tuple[dict, list[dict]]:
    """A one-voice run's report: found by wording, two answers, each within BOUND_S of the truth."""
    truth, proc = ahead.get(name)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["detection"] == "wording", report["notes"]
    answers = report["answers"]
    assert len(answers) == 2, [a["question"] for a in answers]
    for answer, turn in zip(answers, truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= BOUND_S, (answer["start_s"], turn)
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= BOUND_S, (answer["end_s"], turn)
    return report, answers


def test_one_voice_fragment_and_first_person_questions_and_an_echo(ahead):
    _, answers = two_answers_by_wording(ahead, "one_voice")
    assert "deadline" in words(answers[0]["question"]) and "curious" in words(answers[1]["question"])
    (followup,) = answers[0]["followups"]
    assert "night" in words(followup["question"])
    assert answers[1]["followups"] == []
    assert not {"everything", "needed"} & words(answers[1]["report"]["transcript"])


# One voice again: a request for a story in the first person with no "you" in it, the candidate's
# question back about what was meant, an interviewer's remark about the time left before the
# closing, and a closing question of the candidate's with no question mark
ONE_VOICE_2 = {
    "id": "one_voice_2", "interviewer": "flite:slt", "candidate": "flite:slt", "gaps": [0.6, 0.9],
    "turns": [
        {"smalltalk": [["I", "Morning, thanks for coming in."], ["C", "Morning, happy to be here."]]},
        {"question": "I'm interested in a time when a launch slipped.",
         "sentences": [["S", "Do you mean at work? Yes, so last year our mobile release slipped by three weeks."],
                       ["T", "I led the release and I had to tell the sales team the new date."],
                       ["A", "I cut two features that were not finished and moved them to the next release."],
                       ["A", "I also sent a short update to every customer who was waiting for it."],
                       ["R", "We shipped the smaller release two weeks later and kept all of those customers."]]},
        {"question": "Give me an example of feedback that was hard to hear.",
         "sentences": [["S", "My manager told me that my design reviews were too long."],
                       ["A", "I asked two colleagues to time my next three reviews and I cut the slides in half."],
                       ["R", "The reviews now take thirty minutes and more people come to them."]]},
        {"closing": [["I", "Okay. We've got about five minutes."], ["I", "What can I answer for you?"],
                     ["CQ", "How is the team split between the two offices."],
                     ["I", "Mostly in London, with three people in Leeds."], ["C", "Thanks, that is helpful."]]},
    ],
}


def test_one_voice_request_without_you_a_question_back_and_the_time_left(ahead):
    report, answers = two_answers_by_wording(ahead, "one_voice_2")
    assert "interested" in words(answers[0]["question"]) and "mean" not in words(answers[0]["question"])
    assert not {"got", "five"} & words(answers[1]["report"]["transcript"])  # "We've got about five minutes."
    assert [q for q in report["candidate_questions"] if "offices" in words(q["text"])], report["candidate_questions"]


def test_stereo_channels_tell_speakers_apart(ahead):
    truth, proc = ahead.get("stereo")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["detection"] == "channels"
    assert len(report["answers"]) == 3
    for answer, turn in zip(report["answers"], truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= TOLERANCE_S
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= TOLERANCE_S


def test_no_question_falls_back_to_one_answer(ahead):
    proc = ahead.get("no_question")  # analyze audio/strong_answer.wav --interview --json
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["detection"] == "none"
    assert len(report["answers"]) == 1 and report["answers"][0]["question"] == ""
    assert report["answers"][0]["report"]["star"]["sections"]
    assert any("no interviewer question found" in n for n in report["notes"])
    assert "no interviewer question found" in proc.stderr  # said on the terminal too


def test_mostly_silence_says_so(tmp_path):
    speech = speak("Tell me about a time you disagreed with your manager.", tmp_path / "q.wav")
    from conftest import read_wav

    x = read_wav(speech)
    quiet = np.zeros(16000 * 40, dtype=np.float32)
    path = write_wav(tmp_path / "mostly_silent.wav", np.concatenate([x, quiet, x, quiet]))
    proc = run("analyze", str(path), "--interview")
    assert proc.returncode == 2
    assert "mostly silence or music" in proc.stderr and "mostly_silent.wav" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_music_says_so(tmp_path):
    sox = require_tool("sox", "sox")
    path = tmp_path / "music.wav"
    # two minutes of plucked chords and a drone: sound everywhere, no words
    subprocess.run([sox, "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "synth", "120",
                    "pluck", "C3", "pluck", "E3", "pluck", "G3", "sine", "110", "tremolo", "3", "60",
                    "vol", "0.5"], check=True)
    proc = run("analyze", str(path), "--interview")
    assert proc.returncode == 2
    assert "music.wav" in proc.stderr and proc.stderr.count("\n") == 1
    assert "mostly" in proc.stderr or "no speech" in proc.stderr, proc.stderr


def folder_runs(tmp: Path, home: Path) -> dict:
    """A folder of two answers, a broken file and a note analysed with --json, again (from the cache),
    and once more with --force as a table; what the folder and the cache hold after the first run."""
    folder = tmp / "recordings"
    folder.mkdir()
    from rehearse.audio.decode import decode

    shutil.copy(AUDIO / "strong_answer.wav", folder / "strong_answer.wav")
    # 12 s of we_answer: the folder's analysis, cache and table are under test, not that answer's audio
    write_wav(folder / "we_answer.wav", decode(AUDIO / "we_answer.wav")[:16000 * 12])
    (folder / "broken.wav").write_bytes(b"this is not audio at all")
    (folder / "notes.txt").write_text("not a recording")
    before = sorted(p.name for p in folder.iterdir())
    proc = run("analyze", str(folder) + "/", "--json")
    after = sorted(p.name for p in folder.iterdir())
    cached_files = len(list((home / "analyses").glob("*.json")))
    again = run("analyze", str(folder), "--json")
    table = run("analyze", str(folder), "--force", env={"COLUMNS": "150"})
    return {"before": before, "proc": proc, "after": after, "cached_files": cached_files, "again": again, "table": table}


def test_folder_mode_analyses_caches_and_reports(ahead):
    got = ahead.get("folder")
    proc = got["proc"]
    assert proc.returncode == 2  # one file failed: said, and the others still analysed
    items = {Path(i["file"]).name: i for i in json.loads(proc.stdout)}
    assert set(items) == {"broken.wav", "strong_answer.wav", "we_answer.wav"}
    assert items["strong_answer.wav"]["status"] == "analysed"
    assert items["strong_answer.wav"]["report"]["star"]["action_dominant"] is True
    assert items["broken.wav"]["status"] == "error" and "broken.wav" in proc.stderr
    assert got["after"] == got["before"]  # nothing written next to the recordings
    assert got["cached_files"] >= 2  # in the data folder's cache (rehearse_home / "analyses")

    again = got["again"]  # the same folder again
    statuses = {Path(i["file"]).name: i["status"] for i in json.loads(again.stdout)}
    assert statuses == {"broken.wav": "error", "strong_answer.wav": "cached", "we_answer.wav": "cached"}
    cached = {Path(i["file"]).name: i for i in json.loads(again.stdout)}
    assert cached["we_answer.wav"]["report"] == items["we_answer.wav"]["report"]

    table = got["table"]  # --force, as a table
    assert "strong_answer.wav" in table.stdout and "analysed" in table.stdout and "cached" not in table.stdout
    assert "error" in table.stdout


def folder_interview_run(wav: Path, folder: Path):
    """A folder holding the rendered interview, analysed with --interview --json."""
    shutil.copy(wav, folder / "mock1.wav")
    return run("analyze", str(folder), "--interview", "--json")


def test_folder_mode_interviews(rendered, ahead):
    proc = ahead.get("folder_interviews")
    assert proc.returncode == 0, proc.stderr
    (item,) = json.loads(proc.stdout)
    assert item["status"] == "analysed" and len(item["interview"]["answers"]) == 3


# ---------------------------------------------------------------- a mock interview as it really goes (issue 20)
# audio/interviews/mock_two_men.flac: two male Kokoro voices (scripts/corpus/interview_fixtures.yaml),
# small talk, a main question with a follow-up in the middle of the answer, a transition, a second
# question worded "What's an example of a time...", and the closing with the candidate's own question.
MOCK = AUDIO / "interviews" / "mock_two_men.flac"
# audio/interviews/mock_two_women.flac: two female Kokoro voices, a one-word follow-up ("Why?") in the
# middle of the first answer, a move to the next question that the candidate answers ("We've got
# time for one more, I think." - "Sure, go ahead."), a closing worded without "questions" and the
# candidate's question said as a statement ("I'm curious how the team shares the on-call work.").
MOCK_WOMEN = AUDIO / "interviews" / "mock_two_women.flac"
# audio/interviews/mock_new_topic.flac: chat about the sound ("could you speak up a little?"), a long
# follow-up with no follow-up wording that asks about the story's own things ("Which teams still needed
# the nightly exports every day?"), the next main question with as much follow-up as new-story wording
# ("And one more. Tell me about hiring.") and a closing with no invitation to ask ("that's my list done").
MOCK_NEW_TOPIC = AUDIO / "interviews" / "mock_new_topic.flac"
# audio/interviews/mock_terse.flac: two male Kokoro voices, a terse interviewer whose every line is
# under 1.5 s ("Two questions. A missed deadline.", "Why?", "Fine. Your worst mistake.", "Lesson?",
# "Questions?") and a candidate who talks about 90 % of the time.
MOCK_TERSE = AUDIO / "interviews" / "mock_terse.flac"
BOUND_S = 1.5


@pytest.fixture(scope="module")
def mock(ahead) -> tuple[dict, dict]:
    truth = json.loads(MOCK.with_suffix(".truth.json").read_text())
    proc = ahead.get("mock")  # analyze MOCK --interview --json --no-save
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), truth


def _speaker_agreement(report: dict, truth: dict) -> tuple[float, float]:
    """Seconds where the reported turns and the truth's spoken lines overlap, and of those the
    seconds where they name the same speaker."""
    agree = total = 0.0
    for seg in truth["segments"]:
        for t in report["turns"]:
            both = min(seg["end_s"], t["end_s"]) - max(seg["start_s"], t["start_s"])
            if both > 0:
                total += both
                agree += both * (t["speaker"] == seg["speaker"])
    return agree, total


def test_two_male_voices_are_told_apart_by_voice(mock):
    report, truth = mock
    assert report["detection"] == "voices"
    # the speaker of every stretch of talk, against the truth of every spoken line
    agree, total = _speaker_agreement(report, truth)
    assert total > 0.8 * sum(s["end_s"] - s["start_s"] for s in truth["segments"])
    assert agree / total >= 0.95, agree / total


def test_small_talk_is_no_answer_and_the_follow_up_stays_in_its_answer(mock):
    report, truth = mock
    answers = report["answers"]
    assert len(answers) == len(truth["turns"]) == 2
    for answer, turn in zip(answers, truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= BOUND_S, (answer["start_s"], turn["answer_start_s"])
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= BOUND_S, (answer["end_s"], turn["answer_end_s"])
    assert "week" not in words(answers[0]["question"]) and "walk" in words(answers[0]["question"])
    assert "example" in words(answers[1]["question"])
    # the follow-up is reported inside answer 1, where it was asked, and is no answer of its own
    (followup,) = answers[0]["followups"]
    asked = truth["turns"][0]["followups"][0]
    assert abs(followup["start_s"] - asked["question_start_s"]) <= BOUND_S
    assert "find" in words(followup["question"])
    assert answers[1]["followups"] == []
    # the reply is part of the same story: its sentences are in the answer's report and labelled
    r = answers[0]["report"]
    assert "traces" in words(r["transcript"]) and "latency" in words(r["transcript"])
    assert not {"sorry", "how"} & words(r["transcript"])  # the follow-up itself is cut out
    reply = next(s for s in r["star"]["sentences"] if "traces" in words(s["text"]))
    assert reply["label"] in ("action", "result")
    assert 0 < followup["at_s"] < r["duration_s"]
    # small talk, the closing and the candidate's question are reported apart
    assert any("week" in words(x["text"]) for x in report["smalltalk"])
    # the transition ("Thanks. Next one.") is small talk or the lead-in of the next question, never its text
    assert any("next" in words(t["text"]) and t["role"] in ("smalltalk", "lead") for t in report["turns"])
    assert "next" not in words(answers[1]["question"])
    assert [q for q in report["candidate_questions"] if "on-call" in q["text"].lower() or "call" in words(q["text"])]
    assert any("questions" in words(x["text"]) for x in report["closing"])
    roles = {t["role"] for t in report["turns"]}
    assert {"smalltalk", "question", "followup", "answer", "reply", "closing", "candidate_question"} <= roles
    assert all(t["why"] for t in report["turns"])


def test_follow_ups_on_the_interview_page_and_explain(ahead):
    page, proc = ahead.get("mock_explain")  # analyze MOCK --interview --html PAGE --explain --no-save, COLUMNS=160
    assert proc.returncode == 0, proc.stderr
    html = page.read_text()
    assert html.count('class="marker followup"') == 1 and "Follow-up at" in html
    assert "follow-up at" in proc.stdout and "You asked at" in proc.stdout
    assert "Turns (speakers by voices)" in proc.stdout and "followup" in proc.stdout and "smalltalk" in proc.stdout


def mock_by_voice(ahead, key: str, audio: Path) -> tuple[dict, dict, list]:
    """The report of a mock interview run ahead (`key`), its truth and its answers, after checking
    that voices told the speakers apart and that there are two answers, each within BOUND_S of the
    truth at both ends."""
    proc = ahead.get(key)  # analyze AUDIO --interview --json --no-save
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    truth = json.loads(audio.with_suffix(".truth.json").read_text())
    assert report["detection"] == "voices"
    answers = report["answers"]
    assert len(answers) == len(truth["turns"]) == 2, [a["question"] for a in answers]
    for answer, turn in zip(answers, truth["turns"]):
        assert abs(answer["start_s"] - turn["answer_start_s"]) <= BOUND_S, (answer["start_s"], turn["answer_start_s"])
        assert abs(answer["end_s"] - turn["answer_end_s"]) <= BOUND_S, (answer["end_s"], turn["answer_end_s"])
    return report, truth, answers


def test_a_one_word_follow_up_and_a_spoken_move_to_the_next_question(ahead):
    report, truth, answers = mock_by_voice(ahead, "mock_women", MOCK_WOMEN)
    # "Why?" (half a second, which Whisper leaves out of its first pass) is a follow-up of answer 1
    (followup,) = answers[0]["followups"]
    asked = truth["turns"][0]["followups"][0]
    assert abs(followup["start_s"] - asked["question_start_s"]) <= BOUND_S and "why" in words(followup["question"])
    assert "rollback" in words(answers[0]["report"]["transcript"])
    # the move to the next question and the candidate's "Sure, go ahead." are small talk, in no answer
    assert not {"sure", "ahead"} & words(answers[0]["report"]["transcript"])
    assert any("ahead" in words(x["text"]) for x in report["smalltalk"])
    assert "convince" in words(answers[1]["question"])
    (cq,) = report["candidate_questions"]
    assert "curious" in words(cq["text"])


def test_a_terse_interviewer_who_never_speaks_for_long_is_told_apart_by_voice(ahead):
    """No line of the interviewer's is long enough for the voice clusters (1.5 s), and Whisper
    loses the question marks of "Lesson?" and "Questions?": the shorter lines are clustered too,
    the voice that talks most is the candidate's, and a "Why?" that leans a little to the
    candidate's voice is still the interviewer's follow-up."""
    report, truth, answers = mock_by_voice(ahead, "mock_terse", MOCK_TERSE)
    agree, total = _speaker_agreement(report, truth)
    assert agree / total >= 0.95, agree / total
    assert [[words(f["question"]) for f in a["followups"]] for a in answers] == [[{"why"}], [{"lesson"}]]
    assert "rollback" in words(answers[0]["report"]["transcript"]) and "friday" in words(answers[1]["report"]["transcript"])
    assert not report["candidate_questions"]


def test_a_new_topic_answered_with_a_story_is_a_main_question(ahead):
    # before: "And one more. Tell me about hiring." was a follow-up ("and" points back as much as
    # "tell me about" asks for a story) and the two answers were one
    report, _truth, answers = mock_by_voice(ahead, "mock_new_topic", MOCK_NEW_TOPIC)
    (followup,) = answers[0]["followups"]
    assert "exports" in words(followup["question"])
    assert "hiring" in words(answers[1]["question"])
    # the chat about the sound is small talk; "that's my list done" closes the interview
    assert any("speak" in words(x["text"]) for x in report["smalltalk"])
    assert not {"list", "enjoyed"} & words(answers[1]["report"]["transcript"])
