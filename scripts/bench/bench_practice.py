#!/usr/bin/env python3
"""Latency of `rehearse practice`: time from the candidate stopping to the report being ready.

Target (issue 5): report ready <= 2 s after stopping, for a 2-minute answer, on 2 cores.

A ~2-minute answer is built from the bundled samples (or given with --file) and played in
real time through the capture path: paplay into the PulseAudio virtual microphone
(scripts/start-virtual-mic.sh), recorded by `rehearse practice --device pulse --json`.
When playback ends the benchmark presses Ctrl-C (SIGINT) and measures until the complete
JSON report has been printed and the process has exited. Also shown: the practice
command's own stop-to-report time (`timings_s.stop_to_report`) and how much audio had
been transcribed before the stop. Each run takes as long as the recording.

    python scripts/bench/bench_practice.py                   # one 2-minute run
    python scripts/bench/bench_practice.py --repeat 3 --seconds 120
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import build_long_file

SINK = "rehearse_mic_sink"


def check_virtual_mic() -> None:
    info = subprocess.run(["pactl", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0 or f"Default Source: {SINK}.monitor" not in info.stdout:
        sys.exit("the PulseAudio virtual microphone is not running: bash scripts/start-virtual-mic.sh")


def one_run(audio: Path, duration: float, home: Path) -> dict:
    env = {**os.environ, "REHEARSE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rehearse", "practice", "--id", "results-obstacle", "--no-prep", "--device", "pulse",
         "--max-seconds", f"{duration + 60:.0f}", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env)
    started, err = threading.Event(), []

    def read_err():
        for line in proc.stderr:
            err.append(line)
            if line.startswith("rehearse: recording from"):
                started.set()

    reader = threading.Thread(target=read_err, daemon=True)
    reader.start()
    if not started.wait(120):
        proc.kill()
        sys.exit("practice did not start recording:\n" + "".join(err))
    subprocess.run(["paplay", f"--device={SINK}", str(audio)], check=True)
    stop = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    lines = []
    for line in proc.stdout:  # the report is complete at its closing brace
        lines.append(line)
        if line.rstrip() == "}":
            break
    printed = time.perf_counter() - stop
    out = "".join(lines) + proc.stdout.read()
    proc.wait()
    exited = time.perf_counter() - stop
    reader.join(5)
    if proc.returncode != 0:
        sys.exit(f"practice failed ({proc.returncode}):\n{''.join(err)}")
    for line in err:
        if line.startswith("rehearse: debug:"):  # REHEARSE_DEBUG=1: the stretches and their times
            print(line.rstrip())
    report = json.loads(out)
    print(f"  stages after the stop: {report['timings_s']}", flush=True)
    return {"stop_to_printed_s": printed, "stop_to_exit_s": exited, "stop_to_report_s": report["timings_s"]["stop_to_report"],
            "streamed_audio_s": report["timings_s"]["streamed_audio_s"], "recorded_s": report["duration_s"],
            "words": len(report["words"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="recording to play (default: ~2 minutes built from audio/)")
    parser.add_argument("--seconds", type=float, default=120, help="length of the built recording")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    check_virtual_mic()
    with tempfile.TemporaryDirectory() as tmp:
        audio = args.file or build_long_file(args.seconds, Path(tmp) / "answer.wav")
        with wave.open(str(audio), "rb") as w:
            duration = w.getnframes() / w.getframerate()
        print(f"{audio.name}: {duration:.1f} s, played in real time into {SINK}; cores: {len(os.sched_getaffinity(0))}; "
              f"load before: {os.getloadavg()[0]:.2f}")
        runs = [one_run(audio, duration, Path(tmp) / f"home{i}") for i in range(args.repeat)]
    for i, r in enumerate(runs, 1):
        print(f"run {i}: report printed {r['stop_to_printed_s']:.2f} s after stop (practice's own clock "
              f"{r['stop_to_report_s']:.2f} s; process exited after {r['stop_to_exit_s']:.2f} s); recorded {r['recorded_s']:.1f} s, {r['streamed_audio_s']:.1f} s "
              f"transcribed before the stop, {r['words']} words")
    median = statistics.median(r["stop_to_printed_s"] for r in runs)
    verdict = "OK" if median <= 2.0 else "OVER"
    print(f"median stop -> report: {median:.2f} s (target <= 2.0 s: {verdict}); load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
