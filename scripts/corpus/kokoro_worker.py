"""Kokoro-82M speaking for render_answers.py: one long-lived process, one model load.

Run with the Python of the Kokoro environment that `../shared/tts/setup.sh DIR` makes
(`DIR/venv/bin/python`), never with rehearse's own: it needs onnxruntime and hibari-tts.
Reads one JSON request per line on stdin, {"text", "voice", "speed", "out"}, writes the
voice's 24 kHz WAV to `out` and answers "ok" (or "error: ...") on stdout.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(os.environ["KOKORO_TTS_SCRIPT"])))
from offline_tts import KokoroEngine, save_wav  # noqa: E402

engine = KokoroEngine(threads=int(os.environ.get("KOKORO_THREADS", "1")))
print("ready", flush=True)
for line in sys.stdin:
    try:
        req = json.loads(line)
        audio = engine.sentence(req["text"], req["voice"], float(req["speed"]))
        if len(audio) == 0:
            raise ValueError(f"no phonemes in {req['text']!r}")
        save_wav(req["out"], audio, engine.sr)
        print("ok", flush=True)
    except Exception as exc:  # noqa: BLE001 - reported to the renderer, which raises
        print(f"error: {type(exc).__name__}: {exc}", flush=True)
