#!/usr/bin/env bash
# A virtual microphone for tests and CI (no sound card needed): a user-space PulseAudio
# server with a null sink; the sink's monitor is the default source, so whatever is
# played into the sink (paplay --device=rehearse_mic_sink FILE) is what a program
# recording from ALSA's `pulse` (or `default`) device hears. Idempotent; works as root.
# Needs: pulseaudio pulseaudio-utils libasound2-plugins (scripts/install-system-deps.sh).
set -euo pipefail
SINK=rehearse_mic_sink

if ! pactl info >/dev/null 2>&1; then
  # -n: no default.pa (no hardware probing); root needs --system=false to run a per-user server
  pulseaudio --daemonize=yes -n --system=false --disallow-exit --exit-idle-time=-1 \
    --load=module-native-protocol-unix 2>&1 | grep -v "not intended to be run as root" || true
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "start-virtual-mic: PulseAudio did not start" >&2; exit 1; }
fi
if ! pactl list short sinks | grep -q "\b$SINK\b"; then
  pactl load-module module-null-sink sink_name=$SINK rate=16000 channels=1 format=s16le \
    sink_properties=device.description=rehearse-virtual-mic >/dev/null
fi
pactl set-default-sink $SINK
pactl set-default-source $SINK.monitor
echo "virtual microphone ready: play into sink $SINK; record from ALSA device 'pulse' (source $SINK.monitor)"
