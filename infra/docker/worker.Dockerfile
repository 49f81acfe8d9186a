# The worker: runs bots (Xvfb, PulseAudio, Chromium driven by Playwright) and wires
# them into rooms. Built from the repository root:
#   docker build -f infra/docker/worker.Dockerfile -t meetbridge-worker .
# Installed by infra/setup.sh (role `worker`), the script a developer's machine uses.
# It runs as the unprivileged bot account: Chromium keeps its sandbox (user
# namespaces; the pod's seccomp profile must allow them, see infra/README.md).
FROM debian:bookworm-slim

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /opt/meetbridge
COPY pyproject.toml README.md ./
COPY infra/setup.sh infra/setup.sh
COPY meetbridge meetbridge
COPY meetbridge_cli meetbridge_cli
COPY bridge_worker bridge_worker
COPY vendor_scripts vendor_scripts
COPY orchestrator orchestrator
RUN MEETBRIDGE_SETUP_ROLE=worker MEETBRIDGE_VENV=/opt/meetbridge/venv MEETBRIDGE_BOT_UID=10001 \
        ./infra/setup.sh \
    && rm -rf /var/lib/apt/lists/* /root/.cache

ENV PATH=/opt/meetbridge/venv/bin:$PATH \
    MEETBRIDGE_RUNTIME_DIR=/tmp \
    PYTHONUNBUFFERED=1
USER 10001
# Alive: the worker answers its broker's ping (its node is worker@<hostname>).
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "celery -A bridge_worker.celery_app inspect ping --timeout 10 -d \"worker@$(hostname)\" >/dev/null"]
# SIGTERM is a warm shutdown: no new jobs, every bot leaves its meeting, then exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["meetbridge", "worker", "--name", "worker"]
