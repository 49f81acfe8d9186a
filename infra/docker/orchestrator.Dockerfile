# The orchestrator: the HTTP API, the dashboard and the invite pages. It holds no
# state (Redis does), so it runs as several replicas. Built from the repository root:
#   docker build -f infra/docker/orchestrator.Dockerfile -t meetbridge-orchestrator .
# Installed by infra/setup.sh (role `api`), the script a developer's machine uses.
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
RUN MEETBRIDGE_SETUP_ROLE=api MEETBRIDGE_VENV=/opt/meetbridge/venv ./infra/setup.sh \
    && rm -rf /var/lib/apt/lists/* /root/.cache \
    && useradd --system --uid 10002 --no-create-home --shell /usr/sbin/nologin meetbridge-api

ENV PATH=/opt/meetbridge/venv/bin:$PATH \
    PYTHONUNBUFFERED=1
USER 10002
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import httpx; httpx.get('http://127.0.0.1:8000/healthz', timeout=4).raise_for_status()"]
ENTRYPOINT ["meetbridge", "api", "--host", "0.0.0.0", "--port", "8000"]
