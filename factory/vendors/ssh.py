"""OpenSSH access to the CloudPanel host, shared by hosting (clpctl) and deployment (rsync).

The host key is pinned: StrictHostKeyChecking=yes against our own known_hosts file, never
accept-new. Remote commands are built from argv lists and quoted with shlex.join, so a value
can never become shell syntax on the far side.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass



class SshError(RuntimeError):
    """The SSH connection itself failed (unreachable host, auth, host key mismatch)."""


@dataclass(frozen=True)
class SshResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class SshTarget:
    """Where and how to reach the CloudPanel host."""

    host: str
    key_path: str
    known_hosts_path: str
    port: int = 22
    user: str = "root"
    connect_timeout_s: int = 10
    command_timeout_s: int = 300
    control_dir: str = "/tmp"  # where multiplexed connections keep their sockets (short path: unix socket limit)

    def ssh_options(self) -> list[str]:
        return [
            "-p", str(self.port),
            "-i", self.key_path,
            "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={self.known_hosts_path}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", f"ConnectTimeout={self.connect_timeout_s}",
            "-o", "ServerAliveInterval=15",
            # One TCP+SSH handshake per host and minute, not per command: steps run several.
            "-o", "ControlMaster=auto",
            "-o", f"ControlPath={self.control_dir}/%C",
            "-o", "ControlPersist=60",
        ]

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}"

    def rsync_rsh(self) -> str:
        """The -e/--rsh value for rsync, with the same pinned options."""
        return shlex.join(["ssh", *self.ssh_options()])

    def run(self, argv: list[str], *, input: str | None = None) -> SshResult:
        """Run argv on the host (quoted for the remote shell). Exit 255 means SSH failed."""
        remote = shlex.join(argv)
        try:
            proc = subprocess.run(
                ["ssh", *self.ssh_options(), self.destination, remote],
                input=input, capture_output=True, text=True, timeout=self.command_timeout_s,
            )
        except subprocess.TimeoutExpired:
            raise SshError(f"ssh to {self.host}:{self.port} timed out after {self.command_timeout_s}s") from None
        if proc.returncode == 255:
            raise SshError(f"ssh to {self.host}:{self.port} failed: {(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
        return SshResult(proc.returncode, proc.stdout, proc.stderr)
