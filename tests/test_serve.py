"""`rehearse serve` end to end: the real server (a subprocess, sharing the test data directory with the
command line), a real headless Chromium (Debian `chromium`, driven by Playwright) whose fake capture
device plays a rendered answer into getUserMedia, and the real model.

One server and one browser serve the whole module. Set REHEARSE_SHOTS=DIR to keep the screenshots
(serve-practise.png, serve-report.png, serve-upload.png, serve-interview.png, serve-history.png, serve-compare.png).
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, read_wav, rehearse, require_tool
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(ROOT / "scripts" / "corpus"))
import render_answers  # noqa: E402
import render_interviews  # noqa: E402

QUESTION = "Tell me about a time you fixed a problem under pressure."
ANSWER = [["S", "Last winter our mobile app crashed for many users right after a release."],
          ["T", "I led that release, so getting it stable again was my job."],
          ["A", "I rolled back the release and read the crash reports from the new version."],
          ["A", "The crashes came from a memory leak in the image cache, so I rewrote the cache and added a load test."],
          ["R", "The crash rate fell to almost zero and the next release shipped on time."]]
KEY_WORDS = ("crash", "release", "stable", "version", "cache")
# Chromium's fake capture device starts playing its file when the page asks for the microphone, and
# the first audio reaches the page about 1.5 s later: the answer starts after this much silence.
LEAD_S = 3.0
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--use-fake-ui-for-media-stream",
                 "--use-fake-device-for-media-stream"]
UPLOAD_LIMIT_MB = 3


@dataclass
class Served:
    url: str
    port: int
    proc: subprocess.Popen
    home: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> dict:
    """The answer rendered (espeak-ng), and the fake microphone's file: the same after LEAD_S of silence."""
    sox = require_tool("sox", "sox")
    require_tool("espeak-ng", "espeak-ng")
    out = tmp_path_factory.mktemp("serve-answer")
    wav = render_answers.render_answer({"id": "serve_answer", "voice": "espeak:en-us", "rate": 1.0, "question": QUESTION,
                                        "sentences": ANSWER}, out)
    fake = out / "microphone.wav"
    subprocess.run([sox, str(wav), str(fake), "pad", str(LEAD_S), "1"], check=True)
    return {"wav": wav, "fake": fake, "seconds": len(read_wav(wav)) / 16000}


def start_server(home: Path) -> Served:
    """The real `rehearse serve` on a free port, once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "serve", "--port", str(port),
                             "--max-upload-mb", str(UPLOAD_LIMIT_MB)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"rehearse serve exited ({proc.returncode}): {proc.stderr.read()}")
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return Served(url, port, proc, home)
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("rehearse serve did not answer within 120 s")
            time.sleep(0.3)


def stop_server(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.proc.kill()


@pytest.fixture(scope="module")
def serve_home(tmp_path_factory):
    """A data directory of this module's own (the server's and the CLI's here): the history the
    tests count holds only what they saved, whatever other test files ran before."""
    home = tmp_path_factory.mktemp("serve-home")
    old = os.environ["REHEARSE_HOME"]
    os.environ["REHEARSE_HOME"] = str(home)
    yield home
    os.environ["REHEARSE_HOME"] = old


@pytest.fixture(scope="module")
def server(serve_home) -> Served:
    served = start_server(serve_home)
    yield served
    stop_server(served)


@pytest.fixture(scope="module")
def playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install '.[test]'")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright, answer):
    """Chromium whose microphone plays the rendered answer once (`%noloop`), from each page's getUserMedia."""
    chromium = require_tool("chromium", "chromium")
    b = playwright.chromium.launch(executable_path=chromium,
                                   args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={answer['fake']}%noloop"])
    yield b
    b.close()


class Watched:
    """A page of the app that records console errors and uncaught exceptions."""

    def __init__(self, browser, server: Served):
        self.server = server
        self.context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, path: str):
        self.page.goto(self.server.url + path)
        self.page.wait_for_load_state("load")
        return self.page


@pytest.fixture
def watched(browser, server):
    made: list[Watched] = []

    def make() -> Watched:
        made.append(Watched(browser, server))
        return made[-1]

    yield make
    for w in made:
        w.context.close()


def shoot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("REHEARSE_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / name)
    return shot


def session_folders(home: Path) -> set[Path]:
    folder = home / "sessions"
    return set(folder.iterdir()) if folder.is_dir() else set()


def progress_sessions() -> list[dict]:
    run = rehearse("progress", "--json", "--last", "1000")
    assert run.code == 0, run.err
    return json.loads(run.out)["sessions"]


def record(page, seconds: float) -> None:
    """Start recording the chosen question at once and let the fake microphone play for `seconds` of audio."""
    page.select_option("#prep", "0")
    page.click("#start")
    page.wait_for_selector("#record:not([hidden])")
    try:
        page.wait_for_function(f"() => document.getElementById('elapsed').textContent >= '{int(seconds) // 60}:{int(seconds) % 60:02d}'",
                               timeout=(seconds + 30) * 1000)
    except PlaywrightTimeout:  # say what the page showed instead (once seen: the clock stuck at 0:00)
        state = page.evaluate("() => ({elapsed: document.getElementById('elapsed').textContent,"
                              " recording: !document.getElementById('record').hidden,"
                              " message: document.getElementById('message').hidden ? null : document.getElementById('message').innerText,"
                              " level: document.getElementById('level-text').textContent})")
        raise AssertionError(f"the recording did not reach {seconds:g} s: {state}") from None


def heard_enough(heard: str) -> bool:
    """All the key words but at most one: streamed in real time on a heavily loaded machine the
    browser's audio can stutter and tiny.en mishear a word ("stable")."""
    return sum(word in heard for word in KEY_WORDS) >= len(KEY_WORDS) - 1


def transcript(page) -> str:
    return " ".join(page.locator(".transcript .w").all_inner_texts()).lower()


def test_practise_in_the_browser_end_to_end(watched, server, answer, tmp_path):
    """The whole microphone path: getUserMedia → AudioWorklet → WebSocket → session WAV and streaming
    transcriber → the report, saved in the history the command line reads. Then "try again"."""
    w = watched()
    page = w.open("/")
    assert page.locator("#question option").count() > 10  # the question bank
    page.select_option("#lp", "Ownership")
    assert page.locator("#question option").count() >= 1
    page.fill("#own", QUESTION)
    page.select_option("#prep", "0")
    page.click("#start")
    page.wait_for_selector("#record:not([hidden])")
    assert page.inner_text("#record .question-text") == QUESTION
    # the running figures come from the streaming transcriber while the answer plays
    page.wait_for_function("() => +document.getElementById('words').textContent >= 10", timeout=60000)
    page.wait_for_function("() => document.getElementById('meter').value > -40", timeout=10000)  # the voice's level
    assert page.locator("#silent").is_hidden()
    shoot(page, tmp_path, "serve-practise.png")
    total = LEAD_S + answer["seconds"]
    page.wait_for_function(f"() => document.getElementById('elapsed').textContent >= '0:{int(total) - 1:02d}'",
                           timeout=(total + 30) * 1000)
    page.click("#stop")
    page.wait_for_url("**/report/*", timeout=90000)
    session = int(page.url.rsplit("/", 1)[1])
    heard = transcript(page)
    assert heard_enough(heard), heard
    split = page.locator(".split-table .split-row")
    assert split.count() == 4
    labels = " ".join(split.all_inner_texts()).lower()
    assert all(name in labels for name in ("situation", "task", "action", "result")) and "%" in labels
    src = page.locator("audio.recording").get_attribute("src")
    assert src == f"/audio/{session}"
    assert page.evaluate("async (src) => (await fetch(src)).status", src) == 200
    word = page.locator(".transcript .w").nth(20)
    t = float(word.get_attribute("data-t"))
    word.click()  # click-to-seek: the served WAV must be seekable (range requests)
    page.wait_for_function(f"() => document.querySelector('audio.recording').currentTime >= {t - 0.3}", timeout=10000)
    page.evaluate("() => document.querySelector('audio.recording').pause()")
    shoot(page, tmp_path, "serve-report.png")
    stored = {s["id"]: s for s in progress_sessions()}
    assert stored[session]["source"] == "practice"
    assert stored[session]["question"] == QUESTION
    assert abs(stored[session]["duration_s"] - answer["seconds"]) < 3
    wav = Path(json.loads(rehearse("show", str(session), "--json").out)["audio_path"])
    assert wav.name == "answer.wav" and wav.parent.parent == server.home / "sessions"

    # try again: the same question, then this attempt against the previous one
    page.click("#try-again")
    page.wait_for_url("**/?again=*")
    assert page.input_value("#own") == QUESTION
    record(page, 8)
    page.click("#stop")
    page.wait_for_url(f"**/report/*?previous={session}", timeout=90000)
    table = page.locator(".compare-table")
    assert "Action time" in table.inner_text() and "Pace" in table.inner_text()
    assert w.errors == []


def test_closed_page_keeps_the_recording(watched, server, answer):
    """The tab closes mid-answer: the session WAV holds the audio that arrived, and the server says so."""
    before = session_folders(server.home)
    w = watched()
    page = w.open("/")
    page.fill("#own", "Tell me about a time you closed the tab.")
    record(page, LEAD_S + 4)
    shown = page.inner_text("#elapsed")
    page.close()
    folders = [f for f in session_folders(server.home) if f not in before]
    assert len(folders) == 1
    wav = folders[0] / "answer.wav"
    deadline = time.monotonic() + 60
    while not (folders[0] / "report.json").exists() and time.monotonic() < deadline:
        time.sleep(0.5)  # the server analyses what it got once the connection is gone
    samples = read_wav(wav)  # the header was closed properly: the standard reader sees all the audio
    seconds = len(samples) / 16000
    minutes, secs = shown.split(":")
    assert seconds >= int(minutes) * 60 + int(secs) - 1.0
    speech = samples[int(LEAD_S * 16000):]
    assert np.sqrt(np.mean(speech**2)) > 0.01  # the answer's voice, not silence
    assert json.loads((folders[0] / "report.json").read_text())["duration_s"] >= 3


def test_server_killed_mid_answer(browser, server, answer):
    """The server dies mid-answer (SIGKILL): the session WAV holds all but the last second that arrived,
    and the page says what was kept and offers its own copy."""
    second = start_server(server.home)
    before = session_folders(server.home)
    w = Watched(browser, second)
    try:
        page = w.open("/")
        page.fill("#own", "Tell me about a time the server went down.")
        record(page, LEAD_S + 4)
        second.proc.kill()
        second.proc.wait()
        page.wait_for_selector("#message:not([hidden])", timeout=20000)
        text = page.inner_text("#message")
        assert "connection to rehearse was lost" in text and "saved" in text, text
        saved = float(text.split("had saved ")[1].split(" s")[0])
        assert page.locator("#copy").is_visible()
        with page.expect_download() as download:
            page.click("#copy")
        copy = read_wav(Path(download.value.path()))
        folders = [f for f in session_folders(server.home) if f not in before]
        assert len(folders) == 1
        from rehearse.audio.wav import read

        on_disk, _ = read(folders[0] / "answer.wav")  # the header may lag the data after a kill
        assert len(on_disk) / 16000 >= saved - 0.01
        assert len(on_disk) / 16000 >= len(copy) / 16000 - 1.0  # at most 1 s lost
        assert np.sqrt(np.mean(on_disk[int(LEAD_S * 16000):] ** 2)) > 0.01
    finally:
        w.context.close()
        stop_server(second)


def test_silence_is_warned_and_kept(playwright, server, tmp_path):
    """A microphone that delivers only silence: the warning while recording, then a message saying
    there was no speech and what was kept."""
    silent = tmp_path / "silence.wav"
    subprocess.run([require_tool("sox", "sox"), "-n", "-r", "16000", "-b", "16", "-c", "1", str(silent), "trim", "0", "30"],
                   check=True)
    b = playwright.chromium.launch(executable_path=require_tool("chromium", "chromium"),
                                   args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={silent}%noloop"])
    try:
        w = Watched(b, server)
        page = w.open("/")
        page.fill("#own", QUESTION)
        record(page, 2)
        page.wait_for_selector("#silent:not([hidden])", timeout=20000)
        page.click("#stop")
        page.wait_for_selector("#message:not([hidden])", timeout=60000)
        text = page.inner_text("#message")
        assert "no speech" in text and "kept in the session folder" in text, text
        assert page.locator("#copy").is_visible()  # and the page's own copy
        assert w.errors == []
    finally:
        b.close()


def test_microphone_problems_get_a_message(playwright, server):
    """Permission refused, or no microphone at all: a message on the page, and nothing started."""
    chromium = require_tool("chromium", "chromium")
    base = [a for a in CHROMIUM_ARGS if "media-stream" not in a]
    cases = {"not allowed": [*base, "--use-fake-device-for-media-stream"],  # a microphone, but the prompt is refused
             "No microphone was found": [*base, "--use-fake-ui-for-media-stream"]}  # allowed, but this machine has none
    for expected, args in cases.items():
        b = playwright.chromium.launch(executable_path=chromium, args=args)
        try:
            w = Watched(b, server)
            page = w.open("/")
            page.fill("#own", QUESTION)
            page.select_option("#prep", "0")
            page.click("#start")
            page.wait_for_selector("#message:not([hidden])", timeout=20000)
            assert expected in page.inner_text("#message")
            assert page.locator("#choose").is_visible() and page.locator("#copy").is_hidden()
            assert w.errors == []
        finally:
            b.close()


def test_upload_an_answer_and_a_mock_interview(watched, server, answer, tmp_path):
    w = watched()
    page = w.open("/upload")
    # a FLAC named .txt: accepted for what it is, not for its name
    flac = tmp_path / "my answer.txt"
    subprocess.run([require_tool("sox", "sox"), str(answer["wav"]), "-t", "flac", str(flac)], check=True)
    page.fill("#question-text", QUESTION)
    page.set_input_files("#file", str(flac))
    page.wait_for_url("**/report/*", timeout=120000)
    heard = transcript(page)
    assert heard_enough(heard), heard
    assert page.locator(".split-table .split-row").count() == 4
    session = int(page.url.rsplit("/", 1)[1])
    assert page.evaluate("async (src) => (await fetch(src)).headers.get('content-type')", f"/audio/{session}") == "audio/ogg"

    page = w.open("/upload")
    shoot(page, tmp_path, "serve-upload.png")
    interview = render_interviews.render_interview(
        {"id": "serve_iv", "interviewer": "espeak:en-gb", "candidate": "flite:slt", "stereo": False,
         "turns": [{"question": "Tell me about a time you fixed a problem under pressure.", "sentences": ANSWER},
                   {"question": "Describe a time you helped a new colleague.", "lead": "Thanks.",
                    "sentences": [["S", "A new engineer joined my team without any experience of our stack."],
                                  ["A", "I wrote a one week plan for her, with a small real bug fix on each day."],
                                  ["A", "I paired with her every afternoon and reviewed every change she made."],
                                  ["R", "After three weeks she was shipping features on her own."]]}]}, tmp_path)
    page.check("input[name=kind][value=interview]")
    assert page.locator("#question-row").is_hidden()
    page.set_input_files("#file", str(interview))
    page.wait_for_selector("#progress:not([hidden])")
    page.wait_for_url("**/interview/*", timeout=180000)
    assert page.locator("article.answer").count() == 2
    body = page.inner_text("main").lower()
    # the second question's own word (tiny.en on an AMD EPYC wrote "Describe a time you help, turn
    # your colleague."), and the first answer's
    assert "colleague" in body and "cache" in body
    assert page.locator("audio.recording").count() == 2
    shoot(page, tmp_path, "serve-interview.png")
    assert [e for e in w.errors] == []
    sources = [s["source"] for s in progress_sessions()]
    assert sources.count("interview") == 2


def test_bad_uploads_get_a_message(watched, server, tmp_path):
    w = watched()
    page = w.open("/upload")
    notes = tmp_path / "answer.wav"
    notes.write_text("These are my notes for the interview, not a recording.\n" * 40)
    page.set_input_files("#file", str(notes))
    page.wait_for_selector("#message:not([hidden])")
    assert "not an audio file" in page.inner_text("#message")

    big = tmp_path / "long.wav"
    subprocess.run([require_tool("sox", "sox"), "-n", "-r", "16000", "-b", "16", "-c", "1", str(big), "synth",
                    str(UPLOAD_LIMIT_MB * 40), "sine", "300"], check=True)
    page.set_input_files("#file", str(big))
    page.wait_for_function("() => document.getElementById('message').textContent.includes('limit')")
    assert f"{UPLOAD_LIMIT_MB} MB" in page.inner_text("#message")
    # the server refuses it too, whatever the page does: 413 with a message
    status, body = post(server, "/upload?kind=answer", big.read_bytes(), origin=server.url)
    assert status == 413 and "limit" in json.loads(body)["error"]

    short = tmp_path / "short.wav"
    subprocess.run([require_tool("espeak-ng", "espeak-ng"), "-w", str(short), "Yes."], check=True)
    page.set_input_files("#file", str(short))
    page.wait_for_function("() => document.getElementById('message').textContent.includes('speech')", timeout=60000)
    assert "kept" in page.inner_text("#message")


def post(server: Served, path: str, body: bytes, origin: str | None = None, host: str | None = None,
         method: str = "POST") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Content-Type": "application/octet-stream", "Host": host or f"127.0.0.1:{server.port}"}
    if origin:
        headers["Origin"] = origin
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def get(server: Served, path: str, host: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{server.port}")
    conn.endheaders()
    return conn.getresponse().status


def test_security(server, answer):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    wav = answer["wav"].read_bytes()
    # DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host
    assert get(server, "/", host=f"evil.example:{server.port}") == 400
    assert get(server, "/history.csv", host=f"evil.example:{server.port}") == 400
    assert get(server, "/", host=f"localhost:{server.port}") == 200
    # posts from another site's page, or with no Origin at all
    assert post(server, "/upload?kind=answer", wav, origin="http://evil.example")[0] == 403
    assert post(server, "/upload?kind=answer", wav)[0] == 403
    assert post(server, "/api/sessions/1", b"", origin="http://evil.example", method="DELETE")[0] == 403
    # the recording WebSocket from another origin
    ws_url = f"ws://127.0.0.1:{server.port}/ws/record"
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, origin="http://evil.example", open_timeout=10)
    assert refused.value.response.status_code == 403
    with connect(ws_url, origin=server.url, open_timeout=10) as ws:  # its own pages are let in
        ws.send(json.dumps({"type": "cancel"}))
    # only ids, never paths
    for path in ("/report/..%2F..%2Fetc", "/report/../../etc", "/audio/..%2F..%2Fetc%2Fpasswd", "/interview/..%2F..%2Fetc",
                 "/interview/..", "/compare/1/..%2F..%2Fetc", "/static/..%2F..%2Fetc%2Fpasswd", "/api/jobs/..%2F..%2Fetc"):
        assert get(server, path) == 404, path


def test_history_page(watched, server, answer, tmp_path):
    """Sessions from the command line and the browser in one history: filter, compare two, export CSV, delete."""
    for question, lp in (("Tell me about a time you chose a database.", "Dive Deep"),
                         ("Tell me about a time you missed a deadline.", "Deliver Results")):
        run = rehearse("analyze", str(answer["wav"]), "--question", question, "--lp", lp)
        assert run.code == 0, run.err
    everything = progress_sessions()
    cli = everything[-1]
    w = watched()
    page = w.open("/history")
    assert page.locator(".sessions-table tbody tr").count() == len(everything)
    assert "chose a database" in page.inner_text(".sessions-table")
    assert page.locator("svg.trend-svg").count() >= 4  # the progress charts
    shoot(page, tmp_path, "serve-history.png")
    page.fill("input[name=question]", "chose a database")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**/history?question=*")
    shown = page.locator(".sessions-table tbody tr").count()
    assert shown == sum("chose a database" in (s["question"] or "") for s in everything) < len(everything)
    assert "missed a deadline" not in page.inner_text(".sessions-table")
    with page.expect_download() as download:
        page.click("#export")
    exported = list(csv.DictReader(open(download.value.path(), encoding="utf-8")))
    assert len(exported) == shown and all("chose a database" in r["question"] for r in exported)

    page = w.open("/history")
    page.select_option("select[name=principle]", "Dive Deep")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**/history?*principle=Dive*")
    assert page.locator(".sessions-table tbody tr").count() == sum("Dive Deep" in s["principles"] for s in everything)
    assert "chose a database" in page.inner_text(".sessions-table")
    page.click(f".sessions-table a[href='/report/{everything[-2]['id']}']")
    page.wait_for_url(f"**/report/{everything[-2]['id']}")
    assert "chose a database" in page.inner_text(".question")

    page = w.open("/history")
    page.locator("input.pick").nth(0).check()
    page.locator("input.pick").nth(1).check()
    page.click("#compare")
    page.wait_for_url("**/compare/*/*")
    assert "Action time" in page.inner_text(".compare-table")
    shoot(page, tmp_path, "serve-compare.png")

    page = w.open("/history")
    page.on("dialog", lambda d: d.accept())
    page.click(f"button.delete[data-id='{cli['id']}']")
    page.wait_for_selector("#message:not([hidden])")
    assert "deleted" in page.inner_text("#message")
    assert cli["id"] not in {s["id"] for s in progress_sessions()}
    assert w.errors == []


def test_serve_listens_on_this_machine_unless_told(tmp_path):
    """Another --host needs --allow-network (and then warns); a busy port is a one-line error."""
    run = rehearse("serve", "--host", "0.0.0.0", "--port", str(free_port()), timeout=60)
    assert run.code == 2 and "--allow-network" in run.err and "Traceback" not in run.err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = rehearse("serve", "--port", str(busy.getsockname()[1]), timeout=60)
    assert run.code == 2 and "cannot listen" in run.err and "Traceback" not in run.err
    # another loopback address, with the flag: served, with a warning first
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "serve", "--host", "127.0.0.2", "--allow-network",
                             "--port", str(free_port())], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert "warning: listening on 127.0.0.2" in proc.stderr.readline()
    finally:
        proc.kill()
        proc.wait()
