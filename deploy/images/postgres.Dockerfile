# PostgreSQL 15 from Debian for the local stack (deploy/docker-compose.local.yml) where the
# official postgres image cannot be pulled. First start: initdb with POSTGRES_PASSWORD, then one
# database per name in POSTGRES_DATABASES. Listens on 127.0.0.1:$PGPORT (host networking).
ARG BASE_IMAGE=website-factory-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY deploy/images/postgres-start /usr/local/bin/postgres-start
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data PGPORT=5432
USER postgres
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["tini", "--"]
CMD ["postgres-start"]
