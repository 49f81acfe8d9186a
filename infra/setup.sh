#!/usr/bin/env bash
# Set up meetbridge on a fresh Debian 12 machine, idempotently.
#
# Installs the system packages the worker and the meeting lab need, creates the
# unprivileged user that bots' browsers run as (Chromium keeps its sandbox), and
# installs the Python project into .venv. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  xvfb x11-utils libxcb1 libxcb-shm0 pulseaudio pulseaudio-utils chromium ffmpeg sox libsox-fmt-all
  janus janus-demos redis-server libportaudio2 libasound2-plugins
  imagemagick espeak-ng iproute2 procps util-linux python3-venv fonts-dejavu-core
)
BOT_USER="${MEETBRIDGE_BOT_USER:-meetbridge-bot}"

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages (${missing[*]}); run 'make setup' as root" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The Debian packages start system-wide daemons we do not want: meetbridge starts
# its own Redis and Janus instances with their own configs.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now janus.service redis-server.service >/dev/null 2>&1 || true
fi

if [ "$(id -u)" -eq 0 ] && ! id "$BOT_USER" >/dev/null 2>&1; then
  echo "setup: creating unprivileged bot user $BOT_USER"
  useradd --system --create-home --shell /usr/sbin/nologin "$BOT_USER"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.meetbridge-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  touch "$stamp"
fi
echo "setup: ok"
