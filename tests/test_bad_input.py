"""Bad input gets one line on stderr naming the file and the problem, exit code 2, no traceback."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import AUDIO, SAMPLES, rehearse, speak, write_wav


def assert_one_line_error(run, *needles: str) -> str:
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.wav"
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "no such file")


def test_directory(tmp_path):
    assert_one_line_error(rehearse("analyze", str(tmp_path)), str(tmp_path), "directory")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "empty")


def test_text_file_named_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("These are my interview notes, not a recording.\n" * 20)
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "not a readable audio file")


def test_corrupt_wav(tmp_path):
    good = (AUDIO / f"{SAMPLES[0]}.wav").read_bytes()
    path = tmp_path / "corrupt.wav"
    rng = np.random.default_rng(0)
    path.write_bytes(good[:4] + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "not a readable audio file")


def test_silence_only(tmp_path):
    path = write_wav(tmp_path / "silence.wav", np.zeros(16000 * 5, dtype=np.float32))
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "no speech was heard")


def test_low_noise_is_silence(tmp_path):
    noise = np.random.default_rng(1).normal(0, 0.002, 16000 * 4).astype(np.float32)
    path = write_wav(tmp_path / "room.wav", noise)
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "no speech was heard")


def test_under_two_seconds_of_speech(tmp_path):
    short = speak("Hi there.", tmp_path / "short.wav")
    from conftest import read_wav

    padded = np.concatenate([read_wav(short), np.zeros(16000 * 3, dtype=np.float32)])
    path = write_wav(tmp_path / "short_padded.wav", padded)
    assert_one_line_error(rehearse("analyze", str(path)), str(path), "need at least 2 s")


@pytest.mark.parametrize("model", ["no-such-model", "tiny.xx"])
def test_unsupported_model_name(model):
    sample = AUDIO / f"{SAMPLES[0]}.wav"
    line = assert_one_line_error(rehearse("analyze", str(sample), "--model", model), model, "unsupported model")
    assert "tiny.en" in line  # tells the user what would work


def test_model_folder_without_weights(tmp_path):
    sample = AUDIO / f"{SAMPLES[0]}.wav"
    assert_one_line_error(rehearse("analyze", str(sample), "--model", str(tmp_path)), str(tmp_path), "model.bin")


def test_model_name_without_network_or_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # empty cache: faster-whisper must download
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    sample = AUDIO / f"{SAMPLES[0]}.wav"
    assert_one_line_error(rehearse("analyze", str(sample), "--model", "base.en"), "base.en", "cannot download model")


def test_tampered_default_model_is_refused(tmp_path, monkeypatch, capsys):
    from rehearse import cli
    from rehearse.speech import model as whisper_model

    folder = tmp_path / "model"
    shutil.copytree(whisper_model.default_model_dir(), folder)
    with (folder / "model.bin").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    monkeypatch.setattr(whisper_model, "default_model_dir", lambda: folder)
    code = cli.main(["analyze", str(AUDIO / f"{SAMPLES[0]}.wav")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "checksum" in err and str(folder / "model.bin") in err and len(err.splitlines()) == 1


def test_bad_min_pause():
    sample = AUDIO / f"{SAMPLES[0]}.wav"
    assert_one_line_error(rehearse("analyze", str(sample), "--min-pause", "-1"), "--min-pause")


def test_unknown_rubric():
    sample = AUDIO / f"{SAMPLES[0]}.wav"
    assert_one_line_error(rehearse("analyze", str(sample), "--rubric", "nope"), "nope", "no such rubric")


@pytest.mark.parametrize("args, needle", [
    (("analyze", "answer.wav", "--splits", "-5,0:02"), "--splits=-5,0:02"),  # a negative value needs '='
    (("analyze", "answer.wav", "--no-such-option"), "unrecognized arguments: --no-such-option"),
    (("analyze",), "required: file"),
    ((), "required: command"),
    (("history", "--bogus"), "unrecognized arguments: --bogus"),
])
def test_argument_errors_are_one_line_with_where_to_look(args, needle):
    run = rehearse(*args)
    assert run.code == 2 and not run.out
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "--help" in lines[0] and "usage:" not in run.err, run.err
