#!/usr/bin/env bash
# System packages rehearse's tests and fixture generator need (Debian; run as root).
#   espeak-ng, flite, festival + festvox-us-slt-hts: TTS voices for fixtures
#   sox: resampling and trimming of rendered speech
#   libportaudio2: PortAudio, which `sounddevice` loads for microphone capture
#   chromium: headless browser the HTML report tests drive with Playwright (never `playwright install`)
#   pulseaudio pulseaudio-utils libasound2-plugins: the virtual microphone the practice tests
#     record from (scripts/start-virtual-mic.sh; ALSA's `pulse` device)
set -euo pipefail
packages=(espeak-ng flite festival festvox-us-slt-hts sox libportaudio2 chromium pulseaudio pulseaudio-utils libasound2-plugins)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "system packages ready: ${packages[*]}"
