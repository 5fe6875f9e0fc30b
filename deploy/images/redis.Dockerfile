# Redis 7 from Debian for the local stack (the scale-out profile's broker) where the official
# redis image cannot be pulled. Listens on 127.0.0.1:$REDIS_PORT (host networking).
ARG BASE_IMAGE=website-factory-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
VOLUME /data
ENV REDIS_PORT=6379
ENTRYPOINT ["tini", "--"]
CMD ["sh", "-c", "exec redis-server --bind 127.0.0.1 --port \"$REDIS_PORT\" --appendonly yes --dir /data"]
