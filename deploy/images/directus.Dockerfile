# Directus 11.3.5 (the version directus/package-lock.json pins) for machines where the official
# directus/directus image cannot be pulled. deploy/build-images puts directus/ with its installed
# node_modules into the build context (scripts/install-npm builds them once per machine, native
# modules included, for Node 20 on Debian bookworm: the same as this image), so nothing is
# downloaded or compiled again. Without node_modules in the context it installs them (needs the
# compilers isolated-vm wants: python3, make, g++).
ARG NODE_IMAGE=website-factory-node:20
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini wget \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10002 directus \
 && useradd --system --uid 10002 --gid directus --home-dir /directus --create-home directus
WORKDIR /directus
COPY --chown=directus:directus directus/ ./
RUN if [ ! -d node_modules/directus ]; then npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi \
 && mkdir -p uploads extensions && chown -R directus:directus uploads extensions
COPY --chown=directus:directus deploy/images/directus-start /usr/local/bin/directus-start
USER directus
ENV NODE_ENV=production TELEMETRY=false
EXPOSE 8055
ENTRYPOINT ["tini", "--"]
CMD ["directus-start"]
