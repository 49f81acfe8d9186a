# Janus for the rooms' media plane (AudioBridge + VideoRoom): Debian's package, the
# same Janus the lab tests against. Built from the repository root:
#   docker build -f infra/docker/janus.Dockerfile -t meetbridge-janus .
# Its RTP port range and the public address it announces are set where it runs
# (infra/k8s/base/janus.yaml; infra/README.md).
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends janus=1.1.2-1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10003 --no-create-home --shell /usr/sbin/nologin janus-rooms
USER 10003
EXPOSE 8088
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8088"]
ENTRYPOINT ["janus", "--configs-folder=/etc/janus", "--disable-colors"]
