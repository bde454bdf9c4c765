"""The HTML reports in a real headless Chromium (Debian `chromium`, driven by Playwright), built from
recordings analysed with the real model: what renders, what a click does, and that nothing is fetched.

Set REHEARSE_SHOTS=DIR to also keep the screenshots there (answer.png, interview.png, progress.png, voice.png)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import AUDIO, rehearse, require_tool

from rehearse.models import Question, Report
from rehearse.report.embed import audio_data_uri
from rehearse.report.html import (
    render_answer_page,
    render_interview_page,
    render_progress_page,
    write_page,
)
from rehearse.report.timeline import stamp
from rehearse.rubric import load

OKABE_ITO = {"rgb(86, 180, 233)", "rgb(204, 121, 167)", "rgb(0, 158, 115)", "rgb(230, 159, 0)",
             "rgb(0, 114, 178)", "rgb(240, 228, 66)"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("chromium", "chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page that records every request it makes (and refuses any that leaves the file) and every error."""

    def __init__(self, browser, width: int = 1200):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                        else route.abort())

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def outside(self) -> list[str]:
        """Requests for anything but the page file itself (data: URIs never reach the network)."""
        return [u for u in self.requests if urlparse(u).scheme not in ("file", "data")]


@pytest.fixture
def watched(browser):
    pages = []

    def make(width: int = 1200) -> Watched:
        pages.append(Watched(browser, width))
        return pages[-1]

    yield make
    for w in pages:
        w.page.close()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def shoot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    width, height = png_size(shot)
    assert width >= 1000 and height >= 800, (width, height)
    keep = os.environ.get("REHEARSE_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / name)
    return shot


def x_fraction(page, selector: str) -> list[float]:
    """Left edge of each element, as a fraction of the timeline's time axis (0 = start, 1 = end)."""
    return page.eval_on_selector_all(selector, """(els) => els.map(el => {
        const svg = el.ownerSVGElement, left = +svg.dataset.left, right = +svg.dataset.right;
        return (el.getBBox().x - left) / (right - left); })""")


def check_answer(section, report: Report) -> None:
    """Timeline, markers and transcript of one rendered answer against its report."""
    present = [s for s in report.star.sections if s.present]
    bands = section.locator("svg.timeline-svg g.band")
    assert bands.count() == len(present)
    assert [bands.nth(i).get_attribute("data-label") for i in range(bands.count())] == [s.label for s in present]
    for i, s in enumerate(present):
        assert f"{s.share:.0%}" in bands.nth(i).get_attribute("aria-label")
    assert section.locator("svg.timeline-svg g.target-band").count() == len(report.star.sections)
    assert section.locator("svg.timeline-svg g.marker.filler").count() == len(report.fillers)
    assert section.locator("svg.timeline-svg g.marker.pause").count() == len(report.pauses)
    assert section.locator("svg.timeline-svg circle.dot").count() == len(report.pacing.timeline)
    # transcript: every word once, every filler highlighted, every long pause inline, sections in order
    words = section.locator(".transcript .w")
    assert words.count() == len(report.words)
    assert words.all_inner_texts() == [w.text.strip() for w in report.words]
    assert section.locator(".transcript .passage mark.filler").count() == len(report.fillers)
    assert section.locator(".transcript .passage .tx-pause").count() == len(report.pauses)
    labels = section.locator(".transcript .passage").evaluate_all("els => els.map(e => e.dataset.label)")
    assert labels == [s.label for s in present]
    voice_findings = report.voice.findings if report.voice else []
    assert section.locator(".findings li").count() == len(report.star.findings) + len(voice_findings)
    assert section.locator(".findings li.voice-finding").evaluate_all("els => els.map(e => e.dataset.id)") == [
        f.id for f in voice_findings]
    assert section.locator("svg.timeline-svg g.voice-lane").count() == (report.voice is not None)
    assert section.locator(".followups li").count() == len(report.star.followups)
    assert section.locator(".split-table .split-row").count() == len(report.star.sections)
    verdict = section.locator(".verdict").inner_text()
    assert f"{report.star.action_share:.0%}" in verdict
    if report.star.confidence.borderline:  # the range instead of a flat yes or no
        assert "borderline" in verdict and "dominate" not in verdict
    else:
        assert ("did not dominate" in verdict) == (not report.star.action_dominant)


def test_analyze_html_in_chromium(watched, tmp_path, filler_heavy_cli):
    """The real CLI writes a page with the recording embedded; Chromium shows it, offline, and a click plays.
    (`analyze audio/filler_heavy.wav --json --html OUT --embed-audio`, run once per test run: conftest's
    filler_heavy_cli, which test_analyze reads too.)"""
    run, out = filler_heavy_cli, Path(filler_heavy_cli["page"])
    assert run["code"] == 0, run["err"]
    assert f"wrote {out}" in run["err"]
    report = Report.model_validate(json.loads(run["out"]))
    assert report.fillers and report.pauses, "the sample should have fillers and long pauses to draw"

    w = watched()
    page = w.open(out)
    article = page.locator("article.answer")
    check_answer(article, report)
    assert "Question not recorded" in page.locator("h1").inner_text()
    timeline = page.locator("svg.timeline-svg").bounding_box()
    assert timeline["width"] > 900 and timeline["height"] > 200

    # geometry: bands, markers and pauses sit at their time on the shared axis
    present = [s for s in report.star.sections if s.present]
    for got, s in zip(x_fraction(page, "g.band rect"), present):
        assert got == pytest.approx(s.start_s / report.duration_s, abs=0.005)
    for got, f in zip(x_fraction(page, "g.marker.pause rect"), report.pauses):
        assert got == pytest.approx(f.start_s / report.duration_s, abs=0.005)
    tips = page.eval_on_selector_all("g.marker.filler path", """els => els.map(el => {
        const b = el.getBBox(), svg = el.ownerSVGElement;
        return (b.x + b.width / 2 - svg.dataset.left) / (svg.dataset.right - svg.dataset.left); })""")
    for got, f in zip(tips, report.fillers):
        assert got == pytest.approx(f.start_s / report.duration_s, abs=0.005)
    # colour-blind-safe palette on the bands, and every band and marker carries a text label
    fills = page.eval_on_selector_all("g.band rect", "els => els.map(e => getComputedStyle(e).fill)")
    assert set(fills) <= OKABE_ITO and len(set(fills)) == len(fills)
    for band in page.locator("g.band").all():
        assert band.locator("title").text_content().strip()
    for marker in page.locator("g.marker").all():
        assert marker.get_attribute("aria-label") and marker.locator("title").text_content()

    # the embedded recording: the same length as the analysis, played from a clicked word
    audio = page.locator("audio.recording")
    assert audio.get_attribute("src").startswith("data:audio/ogg;base64,")
    page.wait_for_function("document.querySelector('audio.recording').readyState >= 1", timeout=15000)
    assert audio.evaluate("a => a.duration") == pytest.approx(report.duration_s, abs=0.1)
    assert audio.evaluate("a => a.currentTime") == 0
    word = report.words[len(report.words) // 2]
    page.locator(".transcript .w").nth(len(report.words) // 2).click()
    page.wait_for_function("document.querySelector('audio.recording').currentTime > 0", timeout=5000)
    assert audio.evaluate("a => a.currentTime") == pytest.approx(word.start_s, abs=1.0)
    assert audio.evaluate("a => a.currentTime") >= word.start_s - 0.05
    # the playhead follows, and the word is highlighted
    page.wait_for_function("document.querySelector('.playhead').style.visibility === 'visible'", timeout=5000)
    # clicking a pause marker seeks to the pause
    pause = report.pauses[-1]
    page.locator("g.marker.pause").last.click()
    page.wait_for_function(f"Math.abs(document.querySelector('audio.recording').currentTime - {pause.start_s}) < 1.0",
                           timeout=5000)
    # from the keyboard: a filler marker takes focus and Enter plays from the filler
    k = len(report.fillers) // 2
    page.locator("g.marker.filler").nth(k).focus()
    assert page.evaluate("document.activeElement.classList.contains('filler')")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"Math.abs(document.querySelector('audio.recording').currentTime - {report.fillers[k].start_s}) < 1.0", timeout=5000)
    audio.evaluate("a => a.pause()")

    assert w.outside() == [], w.outside()
    assert w.requests == [out.resolve().as_uri()], w.requests
    assert w.errors == [], w.errors
    shoot(page, tmp_path, "answer.png")


def test_page_cannot_reach_the_network(watched, tmp_path, analyzed):
    """Markup from the user (a question) is escaped, and the page's policy blocks any fetch a script tries."""
    report = analyzed("strong_answer").model_copy(deep=True)
    report.question = Question(text='Tell me about a time <img src="http://127.0.0.1:9/q.png"> you failed.', id="q1",
                               principles=["Ownership"], level="new grad", target_s=120)
    out = write_page(tmp_path / "q.html", render_answer_page(report))
    w = watched()
    page = w.open(out)
    assert page.locator("h1.question").inner_text() == report.question.text
    assert page.locator("h1.question img").count() == 0
    assert "Ownership" in page.locator("header").first.text_content()
    check_answer(page.locator("article.answer"), report)
    assert page.locator("audio").count() == 0
    page.locator(".transcript .w").first.click()  # nothing to play: no error
    blocked = page.evaluate("""() => fetch('http://127.0.0.1:9/x').then(() => 'fetched', e => 'blocked: ' + e)""")
    assert blocked.startswith("blocked"), blocked
    assert w.outside() == [], w.outside()
    # the watcher does see requests a page makes (a page without the policy, same browser)
    control = watched()
    control.page.set_content('<img src="http://127.0.0.1:9/probe.png">')
    control.page.wait_for_timeout(300)
    assert any("probe.png" in u for u in control.requests), control.requests


def test_prints_cleanly(watched, tmp_path, analyzed):
    """Print media: the player and buttons are hidden, colours kept, and Chromium prints a PDF."""
    report = analyzed("strong_answer")
    out = write_page(tmp_path / "print.html", render_answer_page(report, audio_data_uri(AUDIO / "strong_answer.wav")))
    w = watched()
    page = w.open(out)
    page.emulate_media(media="print")
    assert page.locator("audio.recording").is_hidden()
    assert page.locator(".legend.noprint").is_hidden()
    if page.locator("button.seek").count():  # evidence times stay, as plain text
        assert page.locator("button.seek").first.evaluate("b => getComputedStyle(b).borderTopWidth") == "0px"
    assert page.locator("svg.timeline-svg").is_visible()
    adjust = page.evaluate("getComputedStyle(document.documentElement).printColorAdjust")
    assert adjust == "exact"
    pdf = tmp_path / "print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    # nothing wider than the printed page
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert w.outside() == []


def _interview(analyzed) -> tuple[list[tuple[str, Report]], dict]:
    """A mock interview from three real analysed answers, with the summary computed from them."""
    picks = [("strong_answer", "Tell me about a time you simplified a system."),
             ("filler_heavy", "Describe a disagreement with a colleague."),
             ("context_heavy", "Give me an example of a difficult migration.")]
    answers = []
    for name, question in picks:
        report = analyzed(name).model_copy(deep=True)
        report.question = Question(text=question, target_s=120)
        answers.append((question, report))
    scores = {q: r.star.score.total for q, r in answers}
    summary = {
        "total_s": round(sum(r.duration_s for _, r in answers), 1),
        "answers": len(answers),
        "average_words_per_minute": round(sum(r.pacing.words_per_minute for _, r in answers) / len(answers), 1),
        "average_fillers_per_minute": round(sum(r.fillers_per_minute for _, r in answers) / len(answers), 2),
        "strongest": max(scores, key=scores.get),
        "weakest": min(scores, key=scores.get),
        "patterns": [f"{s.label} long in {n} answers" for s in answers[0][1].star.sections
                     if (n := sum(1 for _, r in answers for x in r.star.sections
                                  if x.label == s.label and x.share > x.target_share + 0.05)) >= 2],
    }
    return answers, summary


def test_interview_page(watched, tmp_path, analyzed):
    answers, summary = _interview(analyzed)
    uris = [audio_data_uri(AUDIO / f"{name}.wav") for name in ("strong_answer", "filler_heavy", "context_heavy")]
    out = write_page(tmp_path / "interview.html", render_interview_page(answers, summary, audio_uris=uris))
    w = watched()
    page = w.open(out)
    sections = page.locator("article.answer")
    assert sections.count() == len(answers)
    for i, (question, report) in enumerate(answers):
        section = sections.nth(i)
        check_answer(section, report)
        assert question in section.locator("h1").inner_text()
        assert section.locator("audio.recording").count() == 1
    rows = page.locator(".answers-table tr.answer-row")
    assert rows.count() == len(answers)
    for i, (question, report) in enumerate(answers):
        text = rows.nth(i).inner_text()
        assert question in text and f"{report.pacing.words_per_minute:.0f} wpm" in text
    summary_text = page.locator(".summary-table").inner_text()
    assert summary["strongest"] in summary_text and summary["weakest"] in summary_text
    assert f"{summary['average_words_per_minute']:g}" in summary_text
    # the table links to each answer
    rows.nth(2).locator("a").click()
    assert page.evaluate("location.hash") == "#answer-3"
    # a click in answer 2 plays answer 2's recording only
    page.wait_for_function("[...document.querySelectorAll('audio.recording')].every(a => a.readyState >= 1)", timeout=15000)
    sections.nth(1).locator(".transcript .w").nth(10).click()
    page.wait_for_function("document.querySelectorAll('audio.recording')[1].currentTime > 0", timeout=5000)
    times = page.eval_on_selector_all("audio.recording", "els => els.map(a => a.currentTime)")
    assert times[0] == 0 and times[2] == 0
    assert times[1] == pytest.approx(answers[1][1].words[10].start_s, abs=1.0)
    page.eval_on_selector_all("audio.recording", "els => els.forEach(a => a.pause())")
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)
    shoot(page, tmp_path, "interview.png")


def _sessions(analyzed) -> list[dict]:
    """Stored-session rows (as `rehearse progress --json` gives them) from real analysed answers."""
    sessions = []
    for i, name in enumerate(["filler_heavy", "context_heavy", "we_answer", "strong_answer"]):
        r = analyzed(name)
        sessions.append({"id": i + 1, "created_at": f"2026-11-{20 + i:02d}T09:{10 + i:02d}:00+00:00",
                         "duration_s": r.duration_s, "words_per_minute": r.pacing.words_per_minute,
                         "fillers_per_minute": r.fillers_per_minute, "action_share": r.star.action_share,
                         "action_dominant": r.star.action_dominant, "structure_score": r.star.score.total,
                         "question": {"text": f"Question {i + 1}"}})
    return sessions


def test_progress_page(watched, tmp_path, analyzed):
    sessions = _sessions(analyzed)
    shuffled = [sessions[2], sessions[0], sessions[3], sessions[1]]  # the page orders them by date
    out = write_page(tmp_path / "progress.html", render_progress_page(shuffled))
    w = watched()
    page = w.open(out)
    delivery, star = load("delivery"), load("star")
    low, high = delivery["pace"]["target_wpm"]
    limits = {"words_per_minute": (low, high), "fillers_per_minute": (0, delivery["fillers"]["max_per_minute"]),
              "action_share": (star["verdict"]["min_share"], 1.0),
              "duration_s": (star["length"]["min_s"], star["length"]["max_s"])}
    for key, (lo, hi) in limits.items():
        chart = page.locator(f"svg.trend-svg[data-key='{key}']")
        assert chart.count() == 1, key
        assert chart.locator(".point").count() == len(sessions)
        values = [s[key] for s in sessions]
        off = sum(1 for v in values if not lo <= v <= hi)
        assert chart.locator(".point.off").count() == off, key
        assert chart.locator(".point.on").count() == len(sessions) - off, key
        assert chart.locator("rect.pace-band").count() == 1
        # points left to right in date order, higher values drawn higher
        xs = chart.locator(".point").evaluate_all("els => els.map(e => e.getBBox().x)")
        assert xs == sorted(xs)
        ys = chart.locator(".point").evaluate_all("els => els.map(e => e.getBBox().y + e.getBBox().height / 2)")
        order = sorted(range(len(values)), key=lambda i: values[i])
        assert [ys[i] for i in order] == sorted(ys, reverse=True), key
    assert page.locator("svg.trend-svg[data-key='structure_score'] .point").count() == len(sessions)
    rows = page.locator(".sessions-table tbody tr")
    assert rows.count() == len(sessions)
    assert rows.first.inner_text().startswith("1") and "Question 1" in rows.first.inner_text()
    caption = page.locator("#trend-fillers_per_minute figcaption").inner_text()
    direction = "down" if sessions[-1]["fillers_per_minute"] < sessions[0]["fillers_per_minute"] else "up"
    assert f"({direction})" in caption
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)
    shoot(page, tmp_path, "progress.png")

    empty = write_page(tmp_path / "empty.html", render_progress_page([]))
    page = w.open(empty)
    assert "No sessions yet" in page.locator("header").inner_text()


def test_html_bad_output_path_fails_fast(tmp_path):
    """A page that cannot be written is refused in one line before the slow analysis; nothing is left behind."""
    wav = str(AUDIO / "strong_answer.wav")
    missing = tmp_path / "no-such-folder" / "r.html"
    run = rehearse("analyze", wav, "--html", str(missing), timeout=60)
    assert run.code == 2 and run.err.strip() == f"rehearse: error: {missing}: folder {missing.parent} does not exist"
    run = rehearse("analyze", wav, "--html", str(tmp_path), timeout=60)
    assert run.code == 2 and "is a directory" in run.err and len(run.err.strip().splitlines()) == 1
    run = rehearse("analyze", wav, "--embed-audio", timeout=60)
    assert run.code == 2 and run.err.strip() == "rehearse: error: --embed-audio: needs --html OUT.html"
    run = rehearse("analyze", wav, "--open", timeout=60)
    assert run.code == 2 and "--open: needs --html" in run.err
    assert list(tmp_path.iterdir()) == []


def test_open_uses_the_default_browser(filler_heavy_cli):
    """--open hands the page's file URI to the user's browser ($BROWSER, as Python's webbrowser reads it).
    (conftest's filler_heavy_cli runs `analyze ... --html OUT --open` with $BROWSER a script writing down its argument.)"""
    run, out, seen = filler_heavy_cli, Path(filler_heavy_cli["page"]), Path(filler_heavy_cli["seen"])
    assert "--open" in run["args"] and run["env"]["BROWSER"]
    assert run["code"] == 0, run["err"]
    assert seen.read_text().strip() == out.resolve().as_uri()
    assert "<svg" in out.read_text()


def test_embedded_audio_is_the_recording(tmp_path):
    """The data URI holds the whole recording as Ogg Opus, compact, decoding back to the same length."""
    import base64

    from rehearse.audio.decode import decode

    wav = AUDIO / "strong_answer.wav"
    uri = audio_data_uri(wav)
    assert uri.startswith("data:audio/ogg;base64,")
    blob = base64.b64decode(uri.split(",", 1)[1])
    assert blob[:4] == b"OggS" and b"OpusHead" in blob[:100]
    ogg = tmp_path / "x.ogg"
    ogg.write_bytes(blob)
    original, again = decode(wav), decode(ogg)
    assert len(again) / 16000 == pytest.approx(len(original) / 16000, abs=0.05)
    assert len(blob) < 0.25 * wav.stat().st_size  # far smaller than the 16-bit WAV
    # the same loud and quiet stretches: 100-ms energy envelopes agree
    import numpy as np

    n = min(len(original), len(again)) // 1600 * 1600
    env = [np.sqrt((x[:n].reshape(-1, 1600) ** 2).mean(axis=1)) for x in (original, again)]
    assert np.corrcoef(env[0], env[1])[0, 1] > 0.95


def test_car_rubric_keeps_the_section_colours(watched, tmp_path, analyzed):
    """An answer scored with CAR draws its own three sections; Action has the same colour as in STAR."""
    from rehearse.pipeline import analyze

    car = analyze(AUDIO / "we_answer.wav", rubric_name="car")
    star = analyzed("we_answer")
    w = watched()
    fills = {}
    for name, report in (("car", car), ("star", star)):
        page = w.open(write_page(tmp_path / f"{name}.html", render_answer_page(report)))
        check_answer(page.locator("article.answer"), report)
        fills[name] = dict(zip(page.eval_on_selector_all("g.band", "els => els.map(e => e.dataset.label)"),
                               page.eval_on_selector_all("g.band rect", "els => els.map(e => getComputedStyle(e).fill)")))
    assert list(fills["car"]) == [s.label for s in car.star.sections if s.present]
    assert "challenge" in fills["car"]
    assert fills["car"]["action"] == fills["star"]["action"]
    assert fills["car"]["result"] == fills["star"]["result"]
    assert w.outside() == [] and w.errors == []


def test_show_and_progress_pages_from_the_history(watched, tmp_path, practised_cli):
    """`rehearse show ID --html` and `rehearse progress --html` on a real history filled by analyze (conftest's
    practised_cli: the four bundled recordings analysed by `rehearse analyze` into a history of their own,
    once per test run; test_history checks that history; nothing here writes to it)."""
    env = {**os.environ, "REHEARSE_HOME": practised_cli["home"]}
    for run in practised_cli["runs"]:
        assert run["code"] == 0, run["err"]
    saved = len(practised_cli["runs"])
    assert saved >= 2
    proc = subprocess.run([sys.executable, "-m", "rehearse", "show", "last", "--json"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    stored = json.loads(proc.stdout)  # the last answer analysed, as the history holds it
    assert stored["file"] == practised_cli["runs"][-1]["args"][1] and stored["words"]

    page_path = tmp_path / "show.html"
    proc = subprocess.run([sys.executable, "-m", "rehearse", "show", "last", "--html", str(page_path), "--embed-audio"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    w = watched()
    page = w.open(page_path)
    assert page.locator("g.band").count() == len([x for x in stored["star"]["sections"] if x["share"] > 0]) > 0
    assert page.locator("audio").count() == 1
    assert page.locator("span.w").count() >= len(stored["words"]) // 2
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)

    progress_path = tmp_path / "progress.html"
    proc = subprocess.run([sys.executable, "-m", "rehearse", "progress", "--html", str(progress_path)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    page = w.open(progress_path)
    assert page.locator("svg.trend-svg[data-key='words_per_minute'] .point").count() == saved
    assert page.locator(".sessions-table tbody tr").count() == saved

    empty = {**env, "REHEARSE_HOME": str(tmp_path / "empty")}
    proc = subprocess.run([sys.executable, "-m", "rehearse", "progress", "--html", str(tmp_path / "none.html")],
                          capture_output=True, text=True, env=empty, timeout=120, check=False)
    assert proc.returncode == 0 and not (tmp_path / "none.html").exists()
    assert "no sessions" in proc.stderr.lower()


# --- the voice lane (issue 9 on the issue 8 page) -----------------------------------------------


def _render(answer: dict, folder: Path) -> Path:
    """Speech with a known pitch and loudness from the fixture generator (real espeak-ng and sox)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts" / "corpus"))
    import render_answers as ra

    for tool in ("espeak", "sox"):
        try:
            ra.check_tool(tool)
        except RuntimeError as e:
            pytest.fail(str(e))
    return ra.render_answer(answer, folder)


def lane_x(page, selector: str) -> list[tuple[float, float]]:
    """Left and right edge of each shape, as fractions of the timeline's time axis."""
    return page.eval_on_selector_all(selector, """(els) => els.map(el => {
        const svg = el.ownerSVGElement, left = +svg.dataset.left, right = +svg.dataset.right, b = el.getBBox();
        return [(b.x - left) / (right - left), (b.x + b.width - left) / (right - left)]; })""")


def seeks_to(page, t: float, tol: float = 0.6) -> None:
    page.wait_for_function(f"Math.abs(document.querySelector('audio.recording').currentTime - {t}) < {tol}", timeout=5000)


def test_voice_lane_and_panel_in_chromium(watched, tmp_path, voice_cli):
    """A flat-voiced answer with fading and rising sentence ends (the one tests/test_voice.py checks
    against its truth), analysed by the real CLI: the voice lane draws what the JSON holds, where it
    happened, and a click plays from there; the side panel and the findings list say the same.
    (`analyze ANSWER.wav --json --html OUT --embed-audio --no-save`, rendered and run once per test run:
    conftest's voice_cli, which test_voice reads too.)"""
    run, out = voice_cli, Path(voice_cli["page"])
    assert run["code"] == 0, run["err"]
    assert f"wrote {out}" in run["err"]
    report = Report.model_validate(json.loads(run["out"]))
    v = report.voice
    assert v.monotone and v.trailing_off and v.uptalk, "the answer should have voice findings to draw"
    duration = report.duration_s

    w = watched()
    page = w.open(out)
    check_answer(page.locator("article.answer"), report)
    lane = page.locator("svg.timeline-svg g.voice-lane")
    for kind, found in (("monotone", v.monotone), ("uptalk", v.uptalk), ("trailing-off", v.trailing_off),
                        ("clipping", v.clipping)):
        marks = lane.locator(f"g.voice-mark.{kind}")
        assert marks.count() == len(found), kind
        for i, item in enumerate(found):
            # every mark says what and when in text (aria-label and tooltip), not by colour alone
            label = marks.nth(i).get_attribute("aria-label")
            assert label and label == marks.nth(i).locator("title").text_content(), label
            assert stamp(item.start_s if kind != "uptalk" else item.end_s) in label, (label, item)
            assert marks.nth(i).get_attribute("role") == "button" and marks.nth(i).get_attribute("tabindex") == "0"
    # bars span their stretch, marks sit at their time on the axis shared with the sections
    for (x0, x1), m in zip(lane_x(page, "g.voice-mark.monotone .shape"), v.monotone):
        assert x0 == pytest.approx(m.start_s / duration, abs=0.005)
        assert x1 == pytest.approx(m.end_s / duration, abs=0.005)
    for (x0, x1), t in zip(lane_x(page, "g.voice-mark.trailing-off .shape"), v.trailing_off):
        assert x0 == pytest.approx(t.start_s / duration, abs=0.005)
        assert x1 == pytest.approx(max(t.end_s / duration, x0 + 8 / 910), abs=0.005)
    for (x0, x1), u in zip(lane_x(page, "g.voice-mark.uptalk .shape"), v.uptalk):
        assert x1 == pytest.approx(u.end_s / duration, abs=0.005)  # the ramp tops out where the sentence ends
        assert x0 == pytest.approx(u.start_s / duration, abs=0.005)
    # the monotone bar is labelled in text inside it; each kind has its own shape and palette colour
    assert "monotone" in lane.locator("g.voice-mark.monotone text").first.text_content()
    fills = {kind: page.eval_on_selector_all(f"g.voice-lane g.voice-mark.{kind} .shape",
                                             "els => els.map(e => getComputedStyle(e).fill)")
             for kind in ("monotone", "uptalk", "trailing-off")}
    assert all(set(f) <= OKABE_ITO for f in fills.values()), fills
    assert len({f[0] for f in fills.values()}) == 3, fills
    # the lane lies between the pauses row and the time axis
    pauses_y = page.eval_on_selector("g.voice-lane", "g => g.getBBox().y")
    axis_y = page.eval_on_selector("g.axis line", "l => l.getBBox().y")
    assert page.evaluate("document.querySelector('.timeline-svg').viewBox.baseVal.height") > axis_y > pauses_y > 240

    # side panel: pitch range, variability, level and its advice, per-section pitch, repeated wording
    panel = page.locator(".voice-panel")
    text = " ".join(panel.inner_text().split())
    assert f"{v.pitch_range_semitones:.1f} semitones" in text and f"{v.pitch_sd_semitones:.1f} semitones (SD)" in text
    assert f"{v.level_dbfs:.0f} dBFS" in text and v.level_advice.suggestion in text
    rows = panel.locator("tr.voice-section")
    assert rows.evaluate_all("els => els.map(e => e.dataset.label)") == [s.label for s in v.sections]
    for i, s in enumerate(v.sections):
        assert f"{s.pitch_range_semitones:.1f} st" in rows.nth(i).inner_text()
    items = panel.locator("li.repeated-item")
    assert items.count() == len(v.repeated) > 0
    for i, r in enumerate(v.repeated):
        assert f"“{r.text}” ×{r.count}" in items.nth(i).inner_text()
    openers = panel.locator("li.opener-item")
    assert openers.count() == len(v.openers) > 0
    for i, o in enumerate(v.openers):
        assert f"opens {o.count} sentences" in openers.nth(i).inner_text()

    # clicks play from the finding: a fading sentence end, a bar from the keyboard, a finding's time
    page.wait_for_function("document.querySelector('audio.recording').readyState >= 1", timeout=15000)
    last = v.trailing_off[-1]
    lane.locator("g.voice-mark.trailing-off").last.click()
    seeks_to(page, last.start_s)
    lane.locator("g.voice-mark.monotone").first.focus()
    page.keyboard.press("Enter")
    seeks_to(page, v.monotone[0].start_s)
    rise = v.uptalk[0]
    lane.locator("g.voice-mark.uptalk").first.click()
    seeks_to(page, rise.start_s)
    finding = page.locator("li.voice-finding[data-id='trailing_off']")
    assert finding.count() == 1 and v.trailing_off[0].suggestion in finding.inner_text()
    finding.locator("button.seek").first.click()
    seeks_to(page, v.trailing_off[0].start_s)
    page.locator("audio.recording").evaluate("a => a.pause()")
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)
    shoot(page, tmp_path, "voice.png")

    # printed: the lane and the panel stay, nothing wider than the page
    page.emulate_media(media="print")
    assert lane.is_visible() and panel.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    pdf = tmp_path / "voice.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_clipping_marks_and_advice(watched, tmp_path):
    """A recording 12 dB too hot (samples clipped by the generator): one mark per clipped run, and the
    level advice in the panel and the findings."""
    from rehearse.pipeline import analyze

    wav = _render({"id": "hot", "voice": "espeak:en-gb", "gain_db": 12, "sentences": [
        ["S", "Our nightly build took forty minutes and blocked every release."],
        ["A", "I cached the test images and split the suite into four parallel parts."],
        ["R", "Builds now take ten minutes, and we release twice a day."]]}, tmp_path)
    report = analyze(wav)
    v = report.voice
    assert v.clipping and v.level_advice.verdict == "clipping", v.level_advice
    page = watched().open(write_page(tmp_path / "hot.html", render_answer_page(report, audio_data_uri(wav))))
    check_answer(page.locator("article.answer"), report)
    marks = page.locator("g.voice-lane g.voice-mark.clipping")
    assert marks.count() == len(v.clipping)
    for (x0, _), c in zip(lane_x(page, "g.voice-mark.clipping .shape"), v.clipping):
        assert x0 == pytest.approx(c.start_s / report.duration_s, abs=0.005)
    assert all(f"clipping at {stamp(c.start_s)}" in marks.nth(i).get_attribute("aria-label")
               for i, c in enumerate(v.clipping))
    assert "Clipping" in page.locator(".voice-panel .level-advice").inner_text()
    assert page.locator("li.voice-finding[data-id='level_clipping']").count() == 1
    page.wait_for_function("document.querySelector('audio.recording').readyState >= 1", timeout=15000)
    marks.last.click()
    seeks_to(page, v.clipping[-1].start_s)


def test_report_without_voice_keeps_the_old_timeline(watched, tmp_path, analyzed):
    """A session stored before voice was measured (no `voice`) draws no lane and no panel, and no error."""
    report = analyzed("strong_answer").model_copy(update={"voice": None})
    w = watched()
    page = w.open(write_page(tmp_path / "old.html", render_answer_page(report)))
    check_answer(page.locator("article.answer"), report)
    assert page.locator(".voice-panel").count() == 0 and page.locator(".voice-finding").count() == 0
    assert page.evaluate("document.querySelector('.timeline-svg').viewBox.baseVal.height") == 300
    assert w.errors == []


def test_interview_from_the_command_line(watched, interview_cli):
    """`analyze --interview --json --html --embed-audio` on a rendered mock interview: one section per answer,
    each with its own slice of the recording, and every answer saved to the history (a history of its
    own). The interview of tests/test_interview.py, rendered and run once per test run: conftest's
    interview_cli, whose JSON test_interview checks against the truth."""
    env = {**os.environ, "REHEARSE_HOME": interview_cli["home"]}
    out = Path(interview_cli["page"])
    assert interview_cli["code"] == 0, interview_cli["err"]
    result = json.loads(interview_cli["out"])
    answers = [a for a in result["answers"] if a["report"]]
    assert len(answers) >= 3
    w = watched()
    page = w.open(out)
    sections = page.locator("article.answer")
    assert sections.count() == len(answers)
    assert page.locator("audio.recording").count() == len(answers)
    # each embedded slice is as long as its answer's report
    page.wait_for_function("[...document.querySelectorAll('audio.recording')].every(a => a.readyState >= 1)", timeout=15000)
    lengths = page.eval_on_selector_all("audio.recording", "els => els.map(a => a.duration)")
    for got, a in zip(lengths, answers):
        assert abs(got - a["report"]["duration_s"]) < 0.2, (got, a["report"]["duration_s"])
    assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)

    stored = subprocess.run([sys.executable, "-m", "rehearse", "progress", "--json"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    sessions = json.loads(stored.stdout)["sessions"]
    assert len(sessions) == len(answers)
    assert all(s["source"] == "interview" for s in sessions)
