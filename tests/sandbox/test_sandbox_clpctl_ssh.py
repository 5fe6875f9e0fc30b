"""CloudPanel `clpctl` stand-in over a real OpenSSH server (pinned host key): sites, Let's Encrypt's
validation against the sandbox's DNS, the password on stdin, the recorded command lines."""
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


def _ssh_input(h, remote, stdin):
    return subprocess.run(["ssh", *h.ssh_args(), f"{h.user}@127.0.0.1", remote], input=stdin, capture_output=True,
                          text=True, timeout=30, check=False)


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


def _cloudflare(sb):
    import cloudflare

    from devtools.sandbox import settings
    env = settings(sb.url)
    return env, cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                                      max_retries=0)


def _delegate(env, domain, nameservers):
    import httpx
    sld, tld = domain.split(".", 1)
    httpx.post(env["NAMECHEAP_API_URL"], data={
        "ApiUser": "u", "ApiKey": "k", "UserName": "u", "ClientIp": "127.0.0.1",
        "Command": "namecheap.domains.dns.setCustom", "SLD": sld, "TLD": tld,
        "Nameservers": ",".join(nameservers)}).raise_for_status()


def _nxdomain(name):
    return f"{name}: DNS problem: NXDOMAIN looking up A for {name} - check that a DNS record exists for this domain"


def test_lets_encrypt_needs_an_active_zone_pointing_at_the_host(sshd):
    env, cf = _cloudflare(sshd.sandbox)
    _ssh(sshd, "clpctl", "site:add:static", "--domainName=tls.com", "--siteUser=tls", "--siteUserPassword=s3cretpass")
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert (r.returncode, r.stdout.strip()) == (1, f"{_nxdomain('tls.com')}, {_nxdomain('www.tls.com')}")
    z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="tls.com")
    _delegate(env, "tls.com", z.name_servers)
    assert cf.zones.get(zone_id=z.id).status == "active"  # instant vendors
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert (r.returncode, r.stdout.strip()) == (1, f"{_nxdomain('tls.com')}, {_nxdomain('www.tls.com')}")  # no records

    cf.dns.records.create(zone_id=z.id, type="A", name="@", content=sshd.public_ip, proxied=True, ttl=1)
    www = cf.dns.records.create(zone_id=z.id, type="A", name="www", content="198.51.100.7", proxied=True, ttl=1)
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert r.returncode == 1 and r.stdout.startswith("www.tls.com: 198.51.100.7: Invalid response from "
                                                     "http://www.tls.com/.well-known/acme-challenge/")
    assert r.stdout.strip().endswith(": 404") and "tls.com: DNS" not in r.stdout  # the apex validated
    cf.dns.records.update(www.id, zone_id=z.id, type="A", name="www", content=sshd.public_ip, proxied=True, ttl=1)
    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=tls.com")
    assert (r.returncode, r.stdout.strip()) == (0, "Certificate installation was successful.")
    site = sshd.clpctl_state()["sites"]["tls.com"]
    assert site["certificate"] == "lets-encrypt" and site["certificateNames"] == ["tls.com", "www.tls.com"]

    # www as a CNAME to the apex resolves to the apex's address
    _ssh(sshd, "clpctl", "site:add:static", "--domainName=alias.com", "--siteUser=alias",
         "--siteUserPassword=s3cretpass")
    z2 = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="alias.com")
    _delegate(env, "alias.com", z2.name_servers)
    cf.dns.records.create(zone_id=z2.id, type="A", name="@", content=sshd.public_ip, ttl=1)
    cf.dns.records.create(zone_id=z2.id, type="CNAME", name="www", content="alias.com", ttl=1)
    assert _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=alias.com").returncode == 0

    r = _ssh(sshd, "clpctl", "lets-encrypt:install:certificate", "--domainName=missing.com")
    assert (r.returncode, r.stdout.strip()) == (1, 'DomainName "missing.com" does not exist.')
    r = _ssh(sshd, "clpctl", "site:delete", "--domainName=tls.com", "--force")
    assert (r.returncode, r.stdout.strip()) == (0, "Site tls.com has been deleted.")
    assert not (sshd.home_root / "tls").exists()
    r = _ssh(sshd, "clpctl", "site:delete", "--domainName=tls.com", "--force")
    assert r.returncode == 1

    counters = sshd.sandbox.stats()["clpctl"]
    assert counters["calls"]["lets-encrypt:install:certificate"] >= 5
    assert counters["certificates"] >= 2 and counters["failed_validations"] >= 5 and counters["orders"] >= 5
    assert counters["writes"] >= counters["calls"]["site:delete"]


# The site user's password travels on stdin; the remote shell reads it and hands it to clpctl.
ADD_STATIC = ('IFS= read -r password; exec "$1" site:add:static "--domainName=$2" "--siteUser=$3" '
              '"--siteUserPassword=$password"')


def test_password_on_stdin_never_reaches_the_ssh_command_line(sshd):
    import shlex
    password = "Stdin-Only-Passw0rd!"
    remote = shlex.join(["sh", "-c", ADD_STATIC, "clpctl-add", "clpctl", "stdin.com", "stdinuser"])
    r = _ssh_input(sshd, remote, password + "\n")
    assert (r.returncode, r.stdout.strip()) == (0, "Site stdin.com has been added."), r.stderr
    run = [i for i in sshd.clpctl_state()["invocations"] if "--domainName=stdin.com" in i["argv"]][-1]
    assert run["argv"] == ["site:add:static", "--domainName=stdin.com", "--siteUser=stdinuser",
                           f"--siteUserPassword={password}"]
    assert run["ssh_original_command"] == remote and password not in run["ssh_original_command"]
    assert remote in sshd.ssh_commands()
    assert all(password not in (c or "") for c in sshd.ssh_commands())


def test_the_products_client_sends_the_password_on_stdin(sshd):
    import tempfile

    from factory.vendors.cloudpanel import CloudPanelClient
    from factory.vendors.ssh import SshTarget

    control = tempfile.TemporaryDirectory(prefix="cp", dir="/tmp")  # a unix socket path must stay short
    target = SshTarget(host=sshd.host, port=sshd.port, user=sshd.user, key_path=str(sshd.client_key),
                       known_hosts_path=str(sshd.known_hosts), control_dir=control.name)
    client = CloudPanelClient(target, home_dir=str(sshd.home_root))
    hosted = client.add_static_site("product-client.com")
    assert hosted.created and (sshd.home_root / hosted.site_user / "htdocs" / "product-client.com").is_dir()
    run = [i for i in sshd.clpctl_state()["invocations"] if "--domainName=product-client.com" in i["argv"]][-1]
    password = next(a.split("=", 1)[1] for a in run["argv"] if a.startswith("--siteUserPassword="))
    assert len(password) >= 8
    assert password not in run["ssh_original_command"]
    assert all(password not in (c or "") for c in sshd.ssh_commands())
    subprocess.run(["ssh", "-o", f"ControlPath={control.name}/%C", "-O", "exit", "-p", str(sshd.port),
                    f"{sshd.user}@{sshd.host}"], capture_output=True, check=False)  # the master connection
    control.cleanup()


def test_concurrent_adds_are_serialised(sshd):
    def add(i):
        return _ssh(sshd, "clpctl", "site:add:static", "--domainName=race.com", f"--siteUser=race{i}",
                    "--siteUserPassword=s3cretpass").returncode
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = list(ex.map(add, range(6)))
    assert sorted(codes) == [0, 1, 1, 1, 1, 1]
    state = json.loads((sshd.sandbox_root / "clpctl-state.json").read_text())
    assert state["sites"]["race.com"]["siteUser"].startswith("race")
