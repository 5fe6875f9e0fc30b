"""Atomic releases over SSH + rsync (vendor-apis.md §9.2), for one site on the CloudPanel host.

Layout, beside the doc root CloudPanel serves (<htdocs>/<domain>):

    <htdocs>/.releases/<domain>/<release id>/   one directory per deploy (id = UTC time + build hash)
    <htdocs>/<domain> -> .releases/<domain>/<live release id>      (relative symlink)

A deploy uploads into a new release directory, hard-linking unchanged files from the live
release (--link-dest), then swaps the symlink with a single rename(2) (`mv -T`), so visitors
see the old site or the new one, never a mix. The first deploy moves CloudPanel's placeholder
directory aside as release "00000000T000000000000-initial". The newest KEEP releases are kept.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from factory.vendors.retry import RetryPolicy, VendorError, call_with_retries
from factory.vendors.ssh import SshError

RELEASES_DIR = ".releases"
INITIAL_RELEASE = "00000000T000000000000-initial"
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")
_RELEASE_ID = re.compile(r"^[0-9]{8}T[0-9]{12}-[a-z0-9]+$")


class ReleaseError(VendorError):
    """A deploy or rollback step failed on the host; the message says which."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(VENDOR, message, retryable=retryable)
        self.args = (message,)

    def __str__(self) -> str:
        return self.args[0]


VENDOR = "rsync"
# rsync exit codes that a second try may pass: socket I/O, protocol stream, timeouts, ssh itself.
_TRANSIENT_RSYNC = {10, 12, 30, 35, 255}


def _classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, SshError):
        return VendorError("ssh", str(exc), retryable=True)
    return None


class Remote(Protocol):
    """What we need from factory.vendors.ssh.SshTarget."""

    destination: str

    def run(self, argv: list[str], *, input: str | None = None): ...

    def rsync_rsh(self) -> str: ...


@dataclass(frozen=True)
class Layout:
    domain: str
    doc_root: str       # the path CloudPanel serves; becomes a symlink
    releases: str       # absolute directory holding the release directories

    def link_target(self, release_id: str) -> str:
        return f"{RELEASES_DIR}/{self.domain}/{release_id}"


def layout(doc_root: str, domain: str) -> Layout:
    """Validate the recorded doc root (it reaches a remote shell and rsync) and derive the layout."""
    path = PurePosixPath(doc_root)
    if not _SAFE_PATH.match(doc_root) or ".." in path.parts or path.name != domain:
        raise ReleaseError(f"refusing doc root {doc_root!r}: it must be an absolute path ending in /{domain}")
    return Layout(domain, str(path), str(path.parent / RELEASES_DIR / domain))


def new_release_id(build_hash: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S%f}-{build_hash[:12]}"


# Fixed scripts run with `sh -c SCRIPT name args...`: the values arrive as quoted positional
# parameters, never as shell text.
_PREPARE = r'''set -eu
doc=$1 rel=$2 initial=$3 target=$4
[ -d "$(dirname "$doc")" ] || { echo "the site's htdocs directory $(dirname "$doc") does not exist" >&2; exit 3; }
mkdir -p "$rel"
if [ -d "$doc" ] && [ ! -L "$doc" ]; then
  if [ -e "$rel/$initial" ]; then rm -rf "$doc"; else mv "$doc" "$rel/$initial"; fi
  ln -s "$target" "$doc"
fi
if [ -L "$doc" ]; then basename "$(readlink "$doc")"; fi
'''
_SWAP = r'''set -eu
doc=$1 target=$2
ln -sfn "$target" "$doc.swap-$$"
mv -Tf "$doc.swap-$$" "$doc"
'''
_PRUNE = r'''set -eu
rel=$1 keep=$2 live=$3
ls -1 "$rel" | sort | head -n "-$keep" | while read -r old; do
  [ "$old" = "$live" ] || rm -rf "$rel/$old"
done
'''
# Swap, prune and read the live home page back in one SSH round trip (the check needs it).
_GO_LIVE = _SWAP + r'''rel=$3 keep=$4 live=$5
ls -1 "$rel" | sort | head -n "-$keep" | while read -r old; do
  [ "$old" = "$live" ] || rm -rf "$rel/$old"
done
cat "$doc/index.html" 2>/dev/null || true  # a missing page fails the check, not the script
'''
_LIST = r'''set -eu
doc=$1 rel=$2
if [ -L "$doc" ]; then echo "live $(basename "$(readlink "$doc")")"; fi
if [ -d "$rel" ]; then ls -1 "$rel" | sort | sed 's/^/release /'; fi
'''


# Archive what is live (the release the symlink names, or a plain directory), then remove it.
_OFFLINE = r'''set -eu
doc=$1 rel=$2 archive=$3
[ -e "$doc" ] || [ -L "$doc" ] || exit 0
mkdir -p "$archive"
if [ -L "$doc" ]; then src="$rel/$(basename "$(readlink "$doc")")"; name=$(basename "$(readlink "$doc")"); else src=$doc; name=unreleased; fi
if [ -d "$src" ]; then tar -czf "$archive/$name.tar.gz.part" -C "$src" . && mv -f "$archive/$name.tar.gz.part" "$archive/$name.tar.gz"; fi
rm -rf "$doc"
echo "$archive/$name.tar.gz"
'''

# Put a removed doc root back: the recorded release made live again if it is still on the host,
# else an empty doc root (what CloudPanel creates). Prints the release made live, if any.
_RESTORE = r'''set -eu
doc=$1 rel=$2 release=$3 target=$4
[ -d "$(dirname "$doc")" ] || { echo "the site's htdocs directory $(dirname "$doc") does not exist" >&2; exit 3; }
if [ -d "$doc" ]; then [ -L "$doc" ] && basename "$(readlink "$doc")"; exit 0; fi
if [ -n "$release" ] && [ -d "$rel/$release" ]; then
  ln -sfn "$target" "$doc.swap-$$"
  mv -Tf "$doc.swap-$$" "$doc"
  echo "$release"
else
  rm -f "$doc"
  mkdir -p "$doc"
fi
'''


@dataclass(frozen=True)
class DeployResult:
    release_id: str
    previous_release: str | None
    bytes_sent: int          # literal file data rsync transferred
    files_transferred: int


class Releaser:
    def __init__(self, remote: Remote, keep: int = 5, timeout_s: int = 600,
                 policy: RetryPolicy = RetryPolicy(max_attempts=4, base_delay_s=1.0)):
        self.remote = remote
        self.keep = max(2, keep)
        self.timeout_s = timeout_s
        self.policy = policy

    def _sh(self, script: str, *args: str) -> str:
        # The scripts are idempotent (mkdir -p, ln -sfn + mv -T), so a dropped connection is retried.
        result = call_with_retries(lambda: self.remote.run(["sh", "-c", script, "release", *args]), _classify,
                                   self.policy, what="release script")
        if result.returncode != 0:
            raise ReleaseError((result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}")[-500:])
        return result.stdout

    def live_release(self, lay: Layout) -> str | None:
        for line in self._sh(_LIST, lay.doc_root, lay.releases).splitlines():
            if line.startswith("live "):
                return line[5:]
        return None

    def releases(self, lay: Layout) -> list[str]:
        return [line[8:] for line in self._sh(_LIST, lay.doc_root, lay.releases).splitlines()
                if line.startswith("release ")]

    def upload(self, lay: Layout, source: Path, release_id: str) -> DeployResult:
        """Prepare the layout and rsync `source` into a new release (not yet live)."""
        previous = self._sh(_PREPARE, lay.doc_root, lay.releases, INITIAL_RELEASE,
                            lay.link_target(INITIAL_RELEASE)).strip() or None
        argv = ["rsync", "-a", "--delete", "--checksum", "--stats", "--chmod=D755,F644", "--no-owner", "--no-group",
                "-e", self.remote.rsync_rsh()]
        if previous:
            argv.append(f"--link-dest=../{previous}")  # relative to the new release directory
        argv += [f"{source}/", f"{self.remote.destination}:{lay.releases}/{release_id}/"]

        def transfer() -> subprocess.CompletedProcess:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout_s, check=False)
            if proc.returncode != 0:  # a retry resumes into the same (not yet live) release directory
                raise ReleaseError(f"rsync exited with {proc.returncode}: {proc.stderr.strip()[-500:]}",
                                   retryable=proc.returncode in _TRANSIENT_RSYNC)
            return proc

        proc = call_with_retries(transfer, _classify, self.policy, what="rsync")
        return DeployResult(release_id, previous, _stat(proc.stdout, "Literal data"),
                            _stat(proc.stdout, "Number of regular files transferred"))

    def activate(self, lay: Layout, release_id: str) -> None:
        self._sh(_SWAP, lay.doc_root, lay.link_target(release_id))

    def go_live(self, lay: Layout, release_id: str) -> str:
        """Swap `release_id` live, prune old releases, return the live index.html."""
        return self._sh(_GO_LIVE, lay.doc_root, lay.link_target(release_id), lay.releases, str(self.keep), release_id)

    def prune(self, lay: Layout, live: str) -> None:
        self._sh(_PRUNE, lay.releases, str(self.keep), live)

    def discard(self, lay: Layout, release_id: str) -> None:
        if not _RELEASE_ID.match(release_id):
            raise ReleaseError(f"refusing to delete {release_id!r}")
        self._sh('set -eu\nrm -rf "$1/$2"\n', lay.releases, release_id)

    def read_live_file(self, lay: Layout, name: str = "index.html") -> str:
        result = self.remote.run(["cat", f"{lay.doc_root}/{name}"])
        if result.returncode != 0:
            raise ReleaseError(f"cannot read the deployed {name}: {result.stderr.strip()[-300:]}")
        return result.stdout

    def restore_doc_root(self, lay: Layout, release_id: str | None) -> str | None:
        """Put a removed doc root back (idempotent): `release_id` live again if it is still on the
        host, else an empty doc root. Returns the release now live (None: an empty doc root)."""
        if release_id and not (_RELEASE_ID.match(release_id) or release_id == INITIAL_RELEASE):
            raise ReleaseError(f"refusing release {release_id!r}")
        out = self._sh(_RESTORE, lay.doc_root, lay.releases, release_id or "",
                       lay.link_target(release_id) if release_id else "").strip()
        return out or None

    def take_offline(self, lay: Layout, archive_dir: str) -> str | None:
        """Archive the live release as <archive_dir>/<domain>/<release>.tar.gz (kept after the site
        is deleted) and remove the doc root, so nothing is served. Idempotent: None if already
        offline. Returns the archive's path."""
        if not _SAFE_PATH.match(archive_dir):
            raise ReleaseError(f"refusing archive directory {archive_dir!r}")
        out = self._sh(_OFFLINE, lay.doc_root, lay.releases, f"{archive_dir.rstrip('/')}/{lay.domain}").strip()
        return out or None

    def rollback(self, lay: Layout) -> tuple[str, str]:
        """Make the release before the live one live again; return (from, to)."""
        live = self.live_release(lay)
        if live is None:
            raise ReleaseError(f"{lay.domain} has no release to roll back from (doc root is not a release symlink)")
        earlier = [r for r in self.releases(lay) if r < live]
        if not earlier:
            raise ReleaseError(f"{lay.domain} has no release older than {live}")
        self.activate(lay, earlier[-1])
        return live, earlier[-1]


def _stat(stats: str, label: str) -> int:
    m = re.search(rf"^{re.escape(label)}: ([\d,]+)", stats, re.MULTILINE)
    return int(m.group(1).replace(",", "")) if m else 0
