#!/usr/bin/env bash
# Set up meetbridge on a fresh Debian 12 machine, idempotently.
#
# Installs the system packages the worker and the meeting lab need, creates the
# unprivileged user that bots' browsers run as (Chromium keeps its sandbox), and
# installs the Python project into .venv. Safe to run again: it skips what is there.
#
# The container images run this same script (infra/docker/) with a role:
#   MEETBRIDGE_SETUP_ROLE=all     (default) a developer's or CI's machine: worker, API,
#                                 the meeting lab and the dev tools, installed editable
#   MEETBRIDGE_SETUP_ROLE=worker  what a worker runs bots with, installed as a package
#   MEETBRIDGE_SETUP_ROLE=api     the orchestrator only
# MEETBRIDGE_VENV puts the venv elsewhere (default .venv); MEETBRIDGE_BOT_UID fixes the
# bot user's uid (an image's pods run as it).
set -euo pipefail
cd "$(dirname "$0")/.."

ROLE="${MEETBRIDGE_SETUP_ROLE:-all}"
VENV="${MEETBRIDGE_VENV:-.venv}"
API_PACKAGES=(python3-venv procps)
WORKER_PACKAGES=(
  xvfb x11-utils libxcb1 libxcb-shm0 pulseaudio pulseaudio-utils chromium ffmpeg
  libportaudio2 libasound2-plugins procps util-linux python3-venv fonts-dejavu-core
)
LAB_PACKAGES=(janus janus-demos redis-server sox libsox-fmt-all imagemagick espeak-ng iproute2)
case "$ROLE" in
  all) PACKAGES=("${WORKER_PACKAGES[@]}" "${LAB_PACKAGES[@]}"); INSTALL=(-e '.[dev]') ;;
  worker) PACKAGES=("${WORKER_PACKAGES[@]}"); INSTALL=(.) ;;
  api) PACKAGES=("${API_PACKAGES[@]}"); INSTALL=(.) ;;
  *) echo "setup: unknown MEETBRIDGE_SETUP_ROLE '$ROLE' (all, worker or api)" >&2; exit 2 ;;
esac
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

if [ "$ROLE" != api ] && [ "$(id -u)" -eq 0 ] && ! id "$BOT_USER" >/dev/null 2>&1; then
  echo "setup: creating unprivileged bot user $BOT_USER"
  uid=(); [ -n "${MEETBRIDGE_BOT_UID:-}" ] && uid=(--uid "$MEETBRIDGE_BOT_UID")
  useradd --system "${uid[@]}" --create-home --shell /usr/sbin/nologin "$BOT_USER"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.meetbridge-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "${INSTALL[@]}"
  touch "$stamp"
fi
echo "setup: ok ($ROLE)"
