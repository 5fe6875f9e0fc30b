# Caddy 2 from Debian for the local stack where the official caddy image cannot be pulled. The
# Caddyfile comes from the compose file (deploy/Caddyfile.local for the local stack).
ARG BASE_IMAGE=website-factory-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy ca-certificates wget tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /config /etc/caddy
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
ENTRYPOINT ["tini", "--"]
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
