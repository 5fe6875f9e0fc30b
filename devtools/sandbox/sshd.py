"""A throw-away OpenSSH server on 127.0.0.1 for CloudPanel (`clpctl`) + rsync tests.

start_sshd(tmp_dir) generates a host key and a client key, writes an
sshd_config (pubkey only, the generated authorized_keys, `SetEnv` putting
the sandbox `clpctl` first on PATH and telling it where its root is, which
sandbox to ask about DNS and which IP is this host's public address), runs
`/usr/sbin/sshd -D` and writes a known_hosts line pinning the host key.
Every session goes through `ssh_session` (a ForceCommand) that records the
command the client sent (SSH_ORIGINAL_COMMAND) before running it.
The session user is the current user (root here).
"""
from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CLPCTL = Path(__file__).with_name("clpctl")
SESSION = Path(__file__).with_name("ssh_session")
SSHD = "/usr/sbin/sshd"
DEFAULT_PUBLIC_IP = "203.0.113.10"  # the product's local CLOUDPANEL_PUBLIC_IP


def ensure_openssh() -> None:
    """Install openssh-server + rsync from Debian if missing (we are root)."""
    if Path(SSHD).exists() and shutil.which("ssh") and shutil.which("rsync") and shutil.which("ssh-keygen"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "openssh-server", "openssh-client", "rsync"],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SshdHandle:
    host: str
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    sandbox_root: Path          # CLPCTL_SANDBOX_ROOT seen by clpctl in ssh sessions
    config: Path
    process: subprocess.Popen = field(repr=False)
    public_ip: str = DEFAULT_PUBLIC_IP  # the address Let's Encrypt must find in the site's A records

    def clpctl_state(self) -> dict:
        """The clpctl stand-in's state: sites, Let's Encrypt's counters, the recorded invocations."""
        path = self.sandbox_root / "clpctl-state.json"
        return json.loads(path.read_text()) if path.exists() else {"sites": {}}

    def ssh_commands(self) -> list[str | None]:
        """Every command a client sent to this sshd (SSH_ORIGINAL_COMMAND; None = no command)."""
        path = self.sandbox_root / "ssh-commands.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["command"] for line in path.read_text().splitlines() if line.strip()]

    @property
    def home_root(self) -> Path:
        """Where CloudPanel's /home lives in the sandbox: doc roots are
        home_root/{siteUser}/htdocs/{domain}."""
        return self.sandbox_root / "home"

    def ssh_args(self) -> list[str]:
        """ssh options that authenticate with the client key and pin the host key."""
        return ["-i", str(self.client_key), "-p", str(self.port), "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

    def ssh(self, *remote: str, input: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(["ssh", *self.ssh_args(), f"{self.user}@{self.host}", *remote],
                              input=input, capture_output=True, text=True, timeout=timeout, check=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_sshd(tmp_dir: str | os.PathLike, sandbox_url: str | None = None,
               sandbox_root: str | os.PathLike | None = None, timeout: float = 10.0,
               public_ip: str = DEFAULT_PUBLIC_IP, port: int | None = None) -> SshdHandle:
    """Start sshd on `port` (default: a free 127.0.0.1 port). `sandbox_url` (a SandboxServer.url)
    makes `clpctl lets-encrypt:install:certificate` check the Cloudflare zone and that its
    A records point at `public_ip` (the product's CLOUDPANEL_PUBLIC_IP)."""
    ensure_openssh()
    tmp = Path(tmp_dir).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    root = Path(sandbox_root).resolve() if sandbox_root else tmp / "root"
    root.mkdir(parents=True, exist_ok=True)
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    wrapper = bindir / "clpctl"
    # A wrapper, not a symlink: clpctl must run with the system python3 and no venv.
    py = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "/usr/bin/env python3"
    wrapper.write_text(f"#!/bin/sh\nexec {py} {CLPCTL} \"$@\"\n")
    wrapper.chmod(0o755)

    host_key, client_key = tmp / "ssh_host_ed25519_key", tmp / "client_ed25519"
    for key in (host_key, client_key):
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sandbox", "-f", str(key)],
                           check=True)
    authorized = tmp / "authorized_keys"
    authorized.write_text((client_key.with_suffix(".pub")).read_text())
    authorized.chmod(0o600)

    port = port or _free_port()
    path = f"{bindir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env = f"PATH={path} CLPCTL_SANDBOX_ROOT={root} CLPCTL_SANDBOX_PUBLIC_IP={public_ip}"
    if sandbox_url:
        env += f" CLPCTL_SANDBOX_URL={sandbox_url}"
    config = tmp / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {tmp / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized}", "PubkeyAuthentication yes", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", "UsePAM no",
        "StrictModes no", "PrintMotd no", "PermitUserEnvironment no", f"SetEnv {env}",
        f"ForceCommand {py} {SESSION}",
        "Subsystem sftp internal-sftp", "LogLevel ERROR", "MaxStartups 50:30:100", "MaxSessions 50", "",
    ]))
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    with open(tmp / "sshd.log", "ab") as log:  # Popen keeps its own copy of the fd
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log)

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited with {proc.returncode}: {(tmp / 'sshd.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"SSH-"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("sshd did not start listening in time")
        time.sleep(0.05)

    pub = host_key.with_suffix(".pub").read_text().split()
    known_hosts = tmp / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {pub[0]} {pub[1]}\n")
    return SshdHandle(host="127.0.0.1", port=port, user=getpass.getuser(), client_key=client_key,
                      known_hosts=known_hosts, sandbox_root=root, config=config, process=proc, public_ip=public_ip)
