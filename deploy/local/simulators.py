"""The `simulators` service of the local stack (deploy/docker-compose.local.yml), in one container:

- the vendor simulators (devtools/sandbox: Cloudflare, Namecheap, Matomo, Google, OpenAI) on
  127.0.0.1:$SANDBOX_PORT, their state under <state>/sandbox (kept across restarts);
- the CloudPanel stand-in: a real sshd on 127.0.0.1:$CLOUDPANEL_SSH_PORT whose sessions run the
  clpctl stand-in; sites live under <state>/cloudpanel/home/{siteUser}/htdocs/{domain};
- <state>/keys/: the client key the product deploys with and the known_hosts line pinning this
  sshd's host key (the compose secrets cloudpanel_ssh_key / cloudpanel_known_hosts point here),
  owned by the product's user (uid 10001) so its containers can read them;
- <state>/vhosts/{domain}: a link to each site's doc root, which Caddy serves by Host name (what
  CloudPanel's nginx does on the real host).

Runs until SIGTERM; a child that dies stops the container (Compose restarts it).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devtools.sandbox.sshd import start_sshd  # noqa: E402

PRODUCT_UID = int(os.environ.get("FACTORY_UID", "10001"))


def publish_keys(handle, keys: Path) -> None:
    keys.mkdir(parents=True, exist_ok=True)
    for source, name in ((handle.client_key, "cloudpanel_ed25519"), (handle.known_hosts, "known_hosts")):
        target = keys / name
        tmp = keys / f".{name}.tmp"
        tmp.write_bytes(Path(source).read_bytes())
        os.chown(tmp, PRODUCT_UID, PRODUCT_UID)
        tmp.chmod(0o600 if name.endswith("ed25519") else 0o644)
        tmp.replace(target)


def link_vhosts(home: Path, vhosts: Path) -> None:
    """vhosts/{domain} -> ../cloudpanel/home/{user}/htdocs/{domain} for every doc root; stale links go."""
    vhosts.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {}
    for htdocs in home.glob("*/htdocs"):
        for doc in htdocs.iterdir():
            if doc.name.startswith("."):
                continue
            wanted[doc.name] = os.path.relpath(doc, vhosts)
    for link in vhosts.iterdir():
        if link.name not in wanted:
            link.unlink()
    for domain, target in wanted.items():
        link = vhosts / domain
        if link.is_symlink() and os.readlink(link) == target:
            continue
        tmp = vhosts / f".{domain}.tmp"
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(target)
        tmp.replace(link)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", default="/var/lib/simulators")
    args = parser.parse_args()
    state = Path(args.state_dir)
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8787"))
    ssh_port = int(os.environ.get("CLOUDPANEL_SSH_PORT", "2222"))
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    flags = shlex.split(os.environ.get("SANDBOX_FLAGS", ""))

    sandbox = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--host", "127.0.0.1", "--port",
                                str(sandbox_port), "--state-dir", str(state / "sandbox"), *flags],
                               cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{sandbox_url}/_sandbox/health", timeout=2).read()
            break
        except OSError:
            if sandbox.poll() is not None or time.monotonic() > deadline:
                print("simulators: the sandbox did not start", file=sys.stderr)
                return 1
            time.sleep(0.3)
    sshd = start_sshd(state / "sshd", sandbox_url=sandbox_url, sandbox_root=state / "cloudpanel", port=ssh_port,
                      public_ip=os.environ.get("CLOUDPANEL_PUBLIC_IP", "203.0.113.10"))
    publish_keys(sshd, state / "keys")
    print(f"simulators: vendors on {sandbox_url}, CloudPanel sshd on 127.0.0.1:{ssh_port}", flush=True)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
    code = 0
    while not stop["now"]:
        for name, proc in (("sandbox", sandbox), ("sshd", sshd.process)):
            if proc.poll() is not None:
                print(f"simulators: {name} exited with {proc.returncode}", file=sys.stderr)
                stop["now"], code = True, 1
        try:
            link_vhosts(sshd.home_root, state / "vhosts")
        except OSError as exc:  # a site being created or removed meanwhile: next round
            print(f"simulators: vhosts: {exc}", file=sys.stderr)
        time.sleep(1)
    sshd.stop()
    sandbox.terminate()
    try:
        sandbox.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
