# The local stand-in for python:3.11-slim-bookworm where no image registry is reachable: the
# debootstrap'd Debian base (deploy/build-images) with Debian's Python 3.11. deploy/Dockerfile
# installs the dependencies into /opt/venv with uv, so nothing here needs pip.
ARG BASE_IMAGE=website-factory-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
