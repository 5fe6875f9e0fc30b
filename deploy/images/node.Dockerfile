# The local stand-in for node:20-bookworm-slim: the Debian base plus this machine's own Node 20
# binary and npm (Debian bookworm's Node is 18; the UI build needs 20). deploy/build-images puts
# node/bin/node and node/lib/node_modules/npm into the build context. Same paths as the official
# image (/usr/local/bin/node), so deploy/Dockerfile copies node out of it the same way.
ARG BASE_IMAGE=website-factory-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
COPY node/bin/node /usr/local/bin/node
COPY node/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
CMD ["node"]
