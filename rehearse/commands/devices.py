"""`rehearse devices`: the input devices `rehearse practice --device` can record from."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "devices"


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(NAME, help="list the microphones (input devices) you can record from")
    p.add_argument("--json", action="store_true", help="print the devices as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from rehearse.audio.capture import input_devices
    from rehearse.errors import RehearseError

    devices = input_devices()
    if args.json:
        sys.stdout.write(json.dumps(devices, indent=2) + "\n")
        return 0
    if not devices:
        raise RehearseError("microphone", "no input device found: plug in a microphone or start your sound server "
                                          "(see `rehearse doctor`)")
    table = Table(title="Input devices (--device NAME or INDEX)")
    for name in ("", "index", "name", "host API", "channels", "default rate"):
        table.add_column(name)
    for d in devices:
        table.add_row("*" if d["default"] else "", str(d["index"]), d["name"], d["hostapi"], str(d["channels"]),
                      f"{d['default_samplerate']:.0f} Hz")
    Console().print(table)
    return 0
