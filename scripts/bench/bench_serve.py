#!/usr/bin/env python3
"""`rehearse serve`: how soon the report is on screen after Stop, and the server's memory.

Targets (issue 21), on 2 cores: the report page shown <= 2 s after Stop for a 2-minute answer
streamed in real time through the browser path; server idle RSS with the model loaded <= 400 MB.

A ~2-minute answer is built from the bundled samples (or given with --file). The real server runs
in a subprocess with a throwaway data directory; headless Chromium (Debian `chromium`, Playwright)
plays the answer through its fake capture device into the Practise page: getUserMedia →
AudioWorklet → WebSocket → session WAV and streaming transcriber, in real time. When the whole
file has been heard, the benchmark clicks Stop and measures until the report page has loaded.
Also shown: the server's own stop-to-report clock (timings_s in the saved report) and how much
audio was transcribed before the stop. Each run takes as long as the recording.

    python scripts/bench/bench_serve.py                 # one 2-minute run
    python scripts/bench/bench_serve.py --repeat 3 --seconds 120
    python scripts/bench/bench_serve.py --shot docs/serve-practise.png   # also the Practise page, 30 s in
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import build_long_file

LEAD_S = 2.5  # silence before the answer: Chromium's fake device starts playing ~1.5 s before audio reaches the page
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--use-fake-ui-for-media-stream",
                 "--use-fake-device-for-media-stream"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "rehearse", "serve", "--port", str(port)],
                            env={**os.environ, "REHEARSE_HOME": str(home)}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"rehearse serve exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("rehearse serve did not start")


def one_run(browser, url: str, seconds: float, shot: Path | None = None) -> float:
    page = browser.new_page(viewport={"width": 1200, "height": 760})
    page.goto(url + "/")
    page.select_option("#lp", "Ownership")  # a question from the bank
    page.select_option("#prep", "0")
    page.click("#start")
    page.wait_for_selector("#record:not([hidden])")
    if shot is not None:
        page.wait_for_function("() => document.getElementById('elapsed').textContent >= '0:30'", timeout=90000)
        page.screenshot(path=str(shot))
        print(f"Practise page 30 s into the answer: {shot}", flush=True)
    heard = int(seconds - 1)
    page.wait_for_function(f"() => document.getElementById('elapsed').textContent >= '{heard // 60}:{heard % 60:02d}'",
                           timeout=(seconds + 60) * 1000)
    time.sleep(1.0)  # the last second of the file
    stop = time.perf_counter()
    page.click("#stop")
    page.wait_for_url("**/report/*", timeout=120000, wait_until="load")
    shown = time.perf_counter() - stop
    nav = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                        " return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; }")
    page.close()
    start = shown - nav[3] / 1000
    print(f"    page: asked for {start:.2f} s after Stop, then first byte +{nav[0] / 1000:.2f} s, whole page "
          f"+{nav[1] / 1000:.2f} s, shown (DOMContentLoaded) +{nav[2] / 1000:.2f} s, loaded +{nav[3] / 1000:.2f} s", flush=True)
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="16 kHz mono WAV answer to play (default: ~2 minutes built from audio/)")
    parser.add_argument("--seconds", type=float, default=120, help="length of the built answer")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--shot", type=Path, metavar="PNG", help="also save the Practise page 30 s into the first run")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or sys.exit("chromium not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        answer = args.file or build_long_file(args.seconds, tmp / "answer.wav")
        fake = tmp / "microphone.wav"
        subprocess.run(["sox", str(answer), str(fake), "pad", str(LEAD_S), "0.5"], check=True)
        with wave.open(str(fake), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        print(f"{answer.name}: {seconds - LEAD_S - 0.5:.1f} s of answer, streamed in real time from Chromium's fake microphone; "
              f"cores: {len(os.sched_getaffinity(0))}; load before: {os.getloadavg()[0]:.2f}", flush=True)
        home = tmp / "home"
        proc, url = start_server(home)
        try:
            time.sleep(3)
            idle = rss_mb(proc.pid)
            print(f"server idle RSS with the model loaded: {idle:.0f} MB (target <= 400 MB)", flush=True)
            runs = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium,
                                            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={fake}"])
                for i in range(args.repeat):
                    shown = one_run(browser, url, seconds, args.shot if i == 0 else None)
                    reports = sorted((home / "sessions").glob("*/report.json"), key=lambda f: f.stat().st_mtime)
                    report = json.loads(reports[-1].read_text())
                    for _ in range(300):  # the server writes report.html after showing the report: let it finish
                        if (reports[-1].parent / "report.html").exists():
                            break
                        time.sleep(0.2)
                    time.sleep(2)
                    t = report["timings_s"]
                    runs.append(shown)
                    print(f"run {i + 1}: report page shown {shown:.2f} s after Stop (server's own stop-to-report "
                          f"{t['stop_to_report']:.2f} s, last words {t['stop_to_last_words']:.2f} s); recorded "
                          f"{report['duration_s']:.1f} s, {t['streamed_audio_s']:.1f} s transcribed before the stop, "
                          f"{len(report['words'])} words; server RSS once idle again {rss_mb(proc.pid):.0f} MB", flush=True)
                    print("    server stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in t.items()), flush=True)
                browser.close()
            after = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    median = statistics.median(runs)
    print(f"median Stop -> report shown: {median:.2f} s (target <= 2.0 s: {'OK' if median <= 2.0 else 'OVER'}); "
          f"idle RSS {idle:.0f} MB before any answer ({'OK' if idle <= 400 else 'OVER'}), {after:.0f} MB idle after the runs; "
          f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
