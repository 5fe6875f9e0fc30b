"""CloudPanel `clpctl` stand-in over a real OpenSSH server (pinned host key)."""
from __future__ import annotations

import concurrent.futures
import json
import subprocess

import pytest

from devtools.sandbox.sshd import start_sshd


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    from devtools.sandbox import SandboxServer
    server = SandboxServer(time_scale=0.01, instant=True).start()  # zones activate when delegated
    handle = start_sshd(tmp_path_factory.mktemp("sshd"), sandbox_url=server.url)
    handle.sandbox = server
    yield handle
    handle.stop()
    server.stop()


def _ssh(h, *args):
    cmd = ["ssh", "-i", str(h.client_key), "-o", "StrictHostKeyChecking=yes",
           "-o", f"UserKnownHostsFile={h.known_hosts}", "-o", "BatchMode=yes", "-p", str(h.port),
           f"{h.user}@127.0.0.1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)


def test_site_add_happy_path_and_duplicate(sshd):
    r = _ssh(sshd, "clpctl", "site:add:static", "--domainName=example.com", "--siteUser=example",
             "--siteUserPassword='s3cret!pass'")
    assert (r.returncode, r.stdout.strip()) == (0, "Site example.com has been added."), r.stderr
    docroot = sshd.home_root / "example" / "htdocs" / "example.com"
    assert (docroot / "index.html").exists()
    r = _ssh(sshd, "clpctl", "site:add:static", "--domainName=example.com", "--siteUser=other",
             "--siteUserPassword=s3cretpass")
    assert r.returncode == 1 and "already exists" in r.stdout
    r = _ssh(sshd, "clpctl", "site:add:static", "--domainName=second.com", "--siteUser=example",
             "--siteUserPassword=s3cretpass")
    assert r.returncode == 1 and 'Site User "example" already exists.' in r.stdout


def test_rsync_into_docroot(sshd, tmp_path):
    _ssh(sshd, "clpctl", "site:add:static", "--domainName=rsync.com", "--siteUser=rsyncu",
         "--siteUserPassword=s3cretpass")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<h1>built</h1>")
    dest = sshd.home_root / "rsyncu" / "htdocs" / "rsync.com"
    ssh_cmd = " ".join(["ssh", *sshd.ssh_args()])
    r = subprocess.run(["rsync", "-a", "--delete", "-e", ssh_cmd, f"{tmp_path}/dist/", f"{sshd.user}@127.0.0.1:{dest}/"],
                       capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    assert (dest / "index.html").read_text() == "<h1>built</h1>"


def test_lets_encrypt_needs_active_zone_and_delete(sshd):
    sb = sshd.sandbox
    import cloudflare

    from devtools.sandbox import settings
    env = settings(sb.url)
    _ssh(sshd, "clpctl", "site:add:static", "--domainName=tls.com", "--siteUser=tls", "--siteUserPassword=s3cretpass")
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert r.returncode == 1 and "tls.com: DNS problem" in r.stdout
    cf = cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"], max_retries=0)
    z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="tls.com")
    import httpx
    httpx.post(env["NAMECHEAP_API_URL"], data={"ApiUser": "u", "ApiKey": "k", "UserName": "u", "ClientIp": "127.0.0.1",
                                               "Command": "namecheap.domains.dns.setCustom", "SLD": "tls", "TLD": "com",
                                               "Nameservers": ",".join(z.name_servers)})
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert (r.returncode, r.stdout.strip()) == (0, "Certificate installation was successful.")
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=missing.com")
    assert (r.returncode, r.stdout.strip()) == (1, 'DomainName "missing.com" does not exist.')
    r = _ssh(sshd, "clpctl", "site:delete", "--domainName=tls.com", "--force")
    assert (r.returncode, r.stdout.strip()) == (0, "Site tls.com has been deleted.")
    assert not (sshd.home_root / "tls").exists()
    r = _ssh(sshd, "clpctl", "site:delete", "--domainName=tls.com", "--force")
    assert r.returncode == 1


def test_concurrent_adds_are_serialised(sshd):
    def add(i):
        return _ssh(sshd, "clpctl", "site:add:static", "--domainName=race.com", f"--siteUser=race{i}",
                    "--siteUserPassword=s3cretpass").returncode
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = list(ex.map(add, range(6)))
    assert sorted(codes) == [0, 1, 1, 1, 1, 1]
    state = json.loads((sshd.sandbox_root / "clpctl-state.json").read_text())
    assert state["sites"]["race.com"]["siteUser"].startswith("race")
