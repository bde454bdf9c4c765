#!/usr/bin/env python3
"""Cost of the HTML report: render time, audio embedding time, page size, and load time in Chromium.

Each bundled sample (and one long answer built by laying them end to end) is analysed once with
the real model; then, medians of --repeat runs:
  render       render_answer_page(report) (no audio)
  embed        decode + Opus encode + base64 of the recording (audio_data_uri)
  size         the page without and with the recording, and kB per minute of audio
  chromium     headless Chromium: goto(file) until the load event, and until the audio has metadata

    python scripts/bench/bench_html.py                 # bundled samples + a 5-minute answer
    python scripts/bench/bench_html.py --long-s 600 --repeat 5
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from rehearse.pipeline import analyze
from rehearse.report.embed import audio_data_uri
from rehearse.report.html import render_answer_page, write_page

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def long_answer(target_s: float, out: Path) -> Path:
    """The bundled samples end to end, 1 s of silence apart, until `target_s` long."""
    pieces = []
    for wav in sorted((ROOT / "audio").glob("*.wav")):
        with wave.open(str(wav), "rb") as w:
            pieces.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    gap = np.zeros(16000, dtype="<i2")
    out_pcm, total, i = [], 0, 0
    while total < target_s * 16000:
        piece = pieces[i % len(pieces)]
        out_pcm += [piece, gap]
        total += len(piece) + len(gap)
        i += 1
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.concatenate(out_pcm)[: int(target_s * 16000)].tobytes())
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-s", type=float, default=300.0, help="length of the long answer (s); 0 skips it")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-html-"))
    files = sorted((ROOT / "audio").glob("*.wav"))
    if args.long_s > 0:
        files.append(long_answer(args.long_s, tmp / f"long_{args.long_s:.0f}s.wav"))
    browser = None
    chromium = shutil.which("chromium")
    if chromium:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    print(f"{'file':<22}{'audio':>8}{'render':>9}{'embed':>8}{'page':>9}{'+audio':>10}{'kB/min':>8}{'load':>8}{'ready':>8}")
    for wav in files:
        report = analyze(wav)
        render_s, html = timed(lambda r=report: render_answer_page(r), args.repeat)
        embed_s, uri = timed(lambda w=wav: audio_data_uri(w), args.repeat)
        plain = write_page(tmp / f"{wav.stem}.html", html)
        full = write_page(tmp / f"{wav.stem}.audio.html", render_answer_page(report, uri))
        minutes = report.duration_s / 60
        load = ready = float("nan")
        if browser is not None:
            loads, readies = [], []
            for _ in range(args.repeat):
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(full.as_uri(), wait_until="load")
                loads.append(time.perf_counter() - start)
                page.wait_for_function("document.querySelector('audio.recording').readyState >= 1")
                readies.append(time.perf_counter() - start)
                page.close()
            load, ready = statistics.median(loads), statistics.median(readies)
        print(f"{wav.stem[:21]:<22}{report.duration_s:>7.0f}s{render_s * 1000:>7.0f}ms{embed_s:>7.2f}s"
              f"{plain.stat().st_size / 1024:>7.0f}kB{full.stat().st_size / 1024:>8.0f}kB"
              f"{(full.stat().st_size - plain.stat().st_size) / 1024 / minutes:>8.0f}{load:>7.2f}s{ready:>7.2f}s")
    if browser is not None:
        browser.close()
        pw.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (model, analysis and rendering): {peak:.0f} MB; pages in {tmp}")
    if not chromium:
        print("chromium not found: load times not measured (bash scripts/install-system-deps.sh)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
