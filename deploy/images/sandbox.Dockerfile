# The vendor simulators for the local stack: every vendor API (Cloudflare, Namecheap, Matomo,
# Google, OpenAI) from devtools/sandbox on one port, and the CloudPanel stand-in (a real sshd whose
# sessions run the clpctl stand-in) that deploys land on. Built on the product image (same Python
# and dependencies); dev-only, never part of a production deployment.
ARG APP_IMAGE=website-factory:latest
FROM ${APP_IMAGE}
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /run/sshd /var/lib/simulators
COPY devtools/ devtools/
COPY deploy/local/simulators.py deploy/local/simulators.py
VOLUME /var/lib/simulators
CMD ["python", "deploy/local/simulators.py", "--state-dir", "/var/lib/simulators"]
