"""The session WAV: written as audio arrives, valid on disk at every flush, readable after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import wave

import numpy as np
import pytest
from conftest import AUDIO, ROOT, read_wav, rehearse

from rehearse import rubric
from rehearse.audio import decode as audio
from rehearse.audio import wav as wav_file
from rehearse.audio.capture import ArraySource
from rehearse.errors import RehearseError
from rehearse.practice.recorder import record
from rehearse.practice.session_wav import SessionWav
from rehearse.practice.streaming import AudioBuffer


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)


def test_file_on_disk_is_a_valid_wav_while_recording(tmp_path):
    path = tmp_path / "answer.wav"
    pcm = _tone(1.35)
    wav = SessionWav(path, flush_s=0.5)
    for i in range(0, len(pcm), 1600):
        wav.write(pcm[i:i + 1600])
    # not closed: what a crash right now would leave
    with wave.open(str(path), "rb") as w:
        frames = w.getnframes()
        data = np.frombuffer(w.readframes(frames), dtype="<i2")
    assert 0.85 * 16000 <= frames <= 1.35 * 16000  # at most flush_s behind
    assert path.stat().st_size == 44 + 2 * frames
    assert np.array_equal(data, pcm[:frames])
    wav.close()
    with wave.open(str(path), "rb") as w:
        assert np.array_equal(np.frombuffer(w.readframes(10**9), dtype="<i2"), pcm)


def test_recording_through_the_capture_interface_is_bit_exact(tmp_path):
    samples = np.round(read_wav(AUDIO / "strong_answer.wav") * 32768).astype(np.int16)
    path = tmp_path / "answer.wav"
    buffer = AudioBuffer()
    with SessionWav(path) as wav:
        rec = record(ArraySource(samples), wav, buffer, rubric.load("practice"))
    assert rec.stop_reason == "input ended"
    assert rec.seconds == pytest.approx(len(samples) / 16000)
    with wave.open(str(path), "rb") as w:
        assert np.array_equal(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), samples)
    assert np.allclose(buffer.view(), samples / 32768)


def test_a_header_behind_its_data_is_still_read_in_full(tmp_path):
    """A kill between appending audio and updating the header: the reader trusts the file length."""
    path = tmp_path / "answer.wav"
    pcm = _tone(2.0)
    with SessionWav(path) as wav:
        wav.write(pcm[:16000])
    with path.open("ab") as fh:
        fh.write(pcm[16000:].tobytes())
    assert wav_file.header_frames(path) == 16000 and wav_file.is_stale(path)
    decoded = audio.decode(path)
    assert len(decoded) == 32000 and np.allclose(decoded, pcm / 32768, atol=1e-4)
    assert wav_file.repair(path)
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() == 32000
    assert not wav_file.is_stale(path)


def test_metadata_after_the_audio_is_not_taken_for_lost_audio(tmp_path):
    from conftest import write_wav

    path = write_wav(tmp_path / "tagged.wav", _tone(1.0) / 32768)
    info = b"INFOISFT" + (8).to_bytes(4, "little") + b"rehearse"
    with path.open("r+b") as fh:
        fh.seek(0, 2)
        fh.write(b"LIST" + len(info).to_bytes(4, "little") + info)
        riff = fh.tell() - 8
        fh.seek(4)
        fh.write(riff.to_bytes(4, "little"))
    assert not wav_file.is_stale(path)
    assert len(audio.decode(path)) == 16000


def test_analyze_reads_a_recording_cut_off_by_a_crash(tmp_path):
    samples = np.round(read_wav(AUDIO / "strong_answer.wav") * 32768).astype(np.int16)[: 20 * 16000]
    path = tmp_path / "cut.wav"
    with SessionWav(path) as wav:
        wav.write(samples[: 10 * 16000])
    with path.open("ab") as fh:  # the last 10 s never made it into the header
        fh.write(samples[10 * 16000:].tobytes())
    run = rehearse("analyze", str(path), "--json")
    assert run.code == 0, run.err
    import json

    assert json.loads(run.out)["duration_s"] == pytest.approx(20.0, abs=0.01)


FULL_DISK = """
import resource, signal, sys
import numpy as np
from rehearse.practice.session_wav import SessionWav, DiskFull
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64000, 64000))
wav = SessionWav(sys.argv[1])
try:
    for _ in range(100):
        wav.write(np.full(1600, 1000, dtype=np.int16))
except DiskFull as exc:
    print(exc)
    wav.close()
    sys.exit(3)
"""


def test_a_full_disk_is_reported_and_the_audio_before_it_kept(tmp_path):
    path = tmp_path / "answer.wav"
    run = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ}, check=False, timeout=60)
    assert run.returncode == 3, run.stderr
    assert str(path) in run.stdout and "s are saved" in run.stdout
    with wave.open(str(path), "rb") as w:
        frames = w.getnframes()
    assert frames == (64000 - 44) // 2
    assert path.stat().st_size == 44 + 2 * frames


def test_an_existing_recording_is_never_overwritten(tmp_path):
    path = tmp_path / "answer.wav"
    path.write_bytes(b"precious")
    with pytest.raises(RehearseError, match="cannot create the recording file"):
        SessionWav(path)
    assert path.read_bytes() == b"precious"


def test_audio_the_machine_never_delivered_is_warned_about(tmp_path):
    """PortAudio flags an input overflow when the machine falls behind the microphone: that audio is
    gone before it reaches rehearse, so the recording says so instead of silently having gaps."""
    samples = np.round(read_wav(AUDIO / "strong_answer.wav") * 32768).astype(np.int16)

    class Behind(ArraySource):
        def read(self, timeout):
            block = super().read(timeout)
            if block is not None and self._next in (3, 9):
                self.overflows += 1  # as MicSource's callback counts status.input_overflow
            return block

    said: list[str] = []
    with SessionWav(tmp_path / "answer.wav") as wav:
        rec = record(Behind(samples), wav, AudioBuffer(), rubric.load("practice"), warn=said.append)
    assert rec.stop_reason == "input ended"
    assert len(said) == 1 and "fell behind the microphone 2 time(s)" in said[0] and "gaps" in said[0], said
    assert said == rec.warnings
    with SessionWav(tmp_path / "clean.wav") as wav:
        assert record(ArraySource(samples), wav, AudioBuffer(), rubric.load("practice"), warn=said.append).warnings == []
