"""The operator CLI: happy paths, and hostile or malformed input refused with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factory.cli import app
from factory.cli import common
from factory.store import Store
from tests.conftest import table_counts
from tests.foundation.hostile import BAD_DOMAINS

TOKEN = "cf-secret-token-9Xk2Lq7Wm"


@pytest.fixture()
def cli(clean_db: str, monkeypatch):
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    common.store.cache_clear()
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        return runner.invoke(app, list(args), env=env, input=input)

    yield run
    common.store.cache_clear()


@pytest.fixture()
def with_accounts(cli):
    assert cli("accounts", "add-cloudflare", "--email", "ops@example.com", "--nickname", "CF1",
               env={"CLOUDFLARE_API_TOKEN": TOKEN}).exit_code == 0
    assert cli("accounts", "add-gsc", "--email", "seo@example.com",
               env={"GSC_REFRESH_TOKEN": "1//refresh-abcdefgh"}).exit_code == 0
    return cli


def test_help_everywhere(cli) -> None:
    for args in ([], ["db"], ["accounts"], ["sites"], ["sites", "import"], ["accounts", "add-cloudflare"]):
        result = cli(*args, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_an_invalid_setting_is_one_line_naming_it(cli) -> None:
    result = cli("sites", "eta", env={"FACTORY_ONBOARDING_ADMIT_AHEAD_S": "-5"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "FACTORY_ONBOARDING_ADMIT_AHEAD_S" in lines[0] and lines[0].startswith("error:")


def test_accounts_never_show_secrets(with_accounts) -> None:
    result = with_accounts("accounts", "list")
    assert result.exit_code == 0 and "CF1" in result.output and "seo@example.com" in result.output
    assert TOKEN not in result.output
    data = json.loads(with_accounts("accounts", "list", "--json").output)
    assert data["cloudflare"][0]["nickname"] == "CF1" and TOKEN not in json.dumps(data)


def test_token_is_not_taken_from_argv(cli) -> None:
    result = cli("accounts", "add-cloudflare", "--email", "a@b.com", "--nickname", "X", "--api-token", TOKEN)
    assert result.exit_code != 0


def _controlling_tty() -> None:
    # getpass reads from /dev/tty: make the pty the child's controlling terminal.
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_token_prompt_is_hidden(with_accounts, clean_db) -> None:
    """In a real terminal the token is asked for without echo, and never printed back."""
    import pty
    import select
    import time

    exe = Path(sys.executable).with_name("factory")
    env = {**os.environ, "FACTORY_DATABASE_URL": clean_db}
    env.pop("CLOUDFLARE_API_TOKEN", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(exe), "accounts", "add-cloudflare", "--email", "tty@example.com",
                             "--nickname", "TTY"], stdin=slave, stdout=slave, stderr=slave, env=env,
                            preexec_fn=_controlling_tty)
    os.close(slave)
    seen = b""
    deadline = time.time() + 30
    sent = False
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b"token" in seen.lower():
            time.sleep(1)  # let getpass turn echo off (it flushes what was typed before)
            os.write(master, TOKEN.encode() + b"\n")
            sent = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=10)
    os.close(master)
    assert proc.returncode == 0, seen
    assert b"added Cloudflare account TTY" in seen
    assert TOKEN.encode() not in seen


def test_add_and_list_sites(with_accounts) -> None:
    result = with_accounts("sites", "add", "Acme-Example.COM", "--cloudflare-account", "CF1",
                           "--gsc-account", "seo@example.com", "--brand", "Example")
    assert result.exit_code == 0, result.output
    assert "acme-example.com" in result.output
    data = json.loads(with_accounts("sites", "list", "--json").output)
    assert len(data) == 1
    site = data[0]
    for column in ("status_dns", "status_hosting", "status_content", "status_deployment",
                   "gsc_verification_status"):
        assert site[column] == "pending"
    assert site["domain"] == "acme-example.com" and site["brand_name"] == "Example"
    table = with_accounts("sites", "list").output
    assert "acme-example.com" in table and "pending" in table


def test_duplicate_domain_refused_in_any_case(with_accounts, clean_db) -> None:
    assert with_accounts("sites", "add", "acme-example.com", "--cloudflare-account", "CF1").exit_code == 0
    before = table_counts(clean_db)
    result = with_accounts("sites", "add", "ACME-EXAMPLE.com.", "--cloudflare-account", "CF1")
    assert result.exit_code == 1 and "already exists" in result.output
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("domain", BAD_DOMAINS)
def test_hostile_domain_refused_with_nothing_written(with_accounts, clean_db, domain) -> None:
    before = table_counts(clean_db)
    result = with_accounts("sites", "add", "--cloudflare-account", "CF1", "--", domain)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("args, words", [
    (["--cloudflare-account", "nope"], "no Cloudflare account"),
    (["--cloudflare-account", "CF1", "--gsc-account", "nobody@example.com"], "no Google account"),
    (["--cloudflare-account", "CF1", "--brand", "bad\x07brand"], "control character"),
])
def test_unknown_accounts_and_bad_fields_refused(with_accounts, clean_db, args, words) -> None:
    before = table_counts(clean_db)
    result = with_accounts("sites", "add", "acme-example.com", *args)
    assert result.exit_code == 1 and words in result.output
    assert table_counts(clean_db) == before


HEADER = "domain,brand_name,cloudflare_account,gsc_account\n"
BAD_CSV_ROWS = [
    ("bad..com,Brand,CF1,\n", "empty label"),
    ("example.com;reboot,Brand,CF1,\n", "';'"),
    ('"../../etc/passwd",Brand,CF1,\n', "path separator"),
    ("good-x.com,Brand,NOPE,\n", "no Cloudflare account"),
    ("good-x.com,Brand,CF1,ghost@example.com\n", "no Google account"),
    ("good-x.com,Brand\n", "expected 4 fields"),
    ("good-x.com,Brand,CF1,,extra\n", "expected 4 fields"),
    (",Brand,CF1,\n", "empty"),
    ("good-x.com,Brand,,\n", "Cloudflare account is required"),
    ("existing.com,Brand,CF1,\n", "already exists"),
    ("first.com,Brand,CF1,\n", "already on line 2"),
    ('"x\x1b.com",Brand,CF1,\n', "control character"),
    ("good-x.com,\"Brand\x07\",CF1,\n", "control character"),
    ("www.sub.acme-example.com,Brand,CF1,\n", "subdomain"),
    ("$(id).com,Brand,CF1,\n", "'$'"),
]


@pytest.mark.parametrize("row, words", BAD_CSV_ROWS)
def test_csv_with_one_bad_row_writes_nothing(with_accounts, clean_db, tmp_path, row, words) -> None:
    assert with_accounts("sites", "add", "existing.com", "--cloudflare-account", "CF1").exit_code == 0
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "first.com,First,CF1,seo@example.com\n" + row + "last.com,Last,CF1,\n")
    before = table_counts(clean_db)
    result = with_accounts("sites", "import", str(path))
    assert result.exit_code == 1
    assert "line 3:" in result.output and words in result.output, result.output
    assert "nothing was written" in result.output
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"domain,brand\nexample.com,x\n", "header"),
    (b"domain,brand_name,cloudflare_account,gsc_account,evil\n", "unknown: evil"),
    (b"\xff\xfe\x00d\x00o", "not UTF-8"),
    (HEADER.encode() + b"a.com,\x00,CF1,\n", "NUL"),
    (HEADER.encode() + b'"a.com,Brand,CF1,\n', "line 2"),
])
def test_malformed_csv_files_refused(with_accounts, clean_db, tmp_path, content, words) -> None:
    path = tmp_path / "sites.csv"
    path.write_bytes(content)
    before = table_counts(clean_db)
    result = with_accounts("sites", "import", str(path))
    assert result.exit_code == 1 and words in result.output, result.output
    assert table_counts(clean_db) == before


def test_csv_import_happy_path_and_skip_invalid(with_accounts, clean_db, tmp_path) -> None:
    path = tmp_path / "sites.csv"
    rows = "".join(f"site{i}.com,Brand {i},CF1,{'seo@example.com' if i % 2 else ''}\n" for i in range(250))
    path.write_text(HEADER + rows)
    result = with_accounts("sites", "import", str(path))
    assert result.exit_code == 0 and "imported 250 site(s)" in result.output, result.output
    assert table_counts(clean_db)["sites"] == 250

    mixed = tmp_path / "mixed.csv"
    mixed.write_text(HEADER + "new1.com,A,CF1,\nbad..com,B,CF1,\nnew2.com,C,CF1,\n")
    result = with_accounts("sites", "import", str(mixed), "--skip-invalid")
    assert result.exit_code == 0 and "imported 2 site(s), skipped 1 bad row(s)" in result.output
    assert "line 3:" in result.output
    assert table_counts(clean_db)["sites"] == 252


def test_db_upgrade_twice_and_hides_the_password(cli, clean_db, monkeypatch) -> None:
    # trust auth ignores the password, so it can be any string; it must never be printed
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db.replace("postgres@", "postgres:hunter2secret@"))
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and "already up to date" in result.output, result.output
    assert "hunter2secret" not in result.output and "postgres:***@" in result.output


def test_a_database_without_the_schema_says_to_upgrade_it(cli, unmigrated_db, monkeypatch) -> None:
    monkeypatch.setenv("FACTORY_DATABASE_URL", unmigrated_db)
    result = cli("sites", "list")
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit, result.output
    assert "schema is missing or out of date" in result.output and "factory db upgrade" in result.output
    assert "Traceback" not in result.output


def test_console_script_runs_as_a_process(with_accounts, clean_db) -> None:
    """The installed `factory` command, as an operator runs it (no TTY: the token must come from env)."""
    exe = Path(sys.executable).with_name("factory")
    env = {**os.environ, "FACTORY_DATABASE_URL": clean_db}
    env.pop("CLOUDFLARE_API_TOKEN", None)
    proc = subprocess.run([str(exe), "accounts", "add-cloudflare", "--email", "x@example.com", "--nickname", "CF9"],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1 and "set CLOUDFLARE_API_TOKEN" in proc.stderr
    proc = subprocess.run([str(exe), "sites", "add", "a;b.com", "--cloudflare-account", "CF1"],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.strip().startswith("error:") and "Traceback" not in proc.stderr
    proc = subprocess.run([str(exe), "sites", "add", "ok-site.com", "--cloudflare-account", "CF1"],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


VERDICT = {"passed": False, "scores": {"performance": 97, "accessibility": 100, "best-practices": 100, "seo": 92},
           "thresholds": {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95},
           "audits": [{"id": "meta-description", "title": "Document does not have a meta description", "score": 0,
                       "categories": ["seo"], "path": "/about/", "display": "", "items": []}],
           "errors": [], "message": "quality gate failed for acme.com: seo 92 < 95"}


def test_sites_quality_set_theme_and_duplicates(with_accounts, clean_db, monkeypatch) -> None:
    cli = with_accounts
    for domain in ("acme.com", "other.com"):
        assert cli("sites", "add", domain, "--cloudflare-account", "CF1").exit_code == 0
    store = Store(clean_db)
    try:
        shown = cli("sites", "quality", "acme.com")
        assert shown.exit_code == 0 and "quality gate: no build checked yet" in shown.output
        store.quality.record(store.sites.get("acme.com").id, "f" * 64, VERDICT, "/builds/acme.com/ff-preview.png")
        shown = cli("sites", "quality", "acme.com")
        assert shown.exit_code == 0, shown.output
        assert "quality gate: FAILED for build ffffffffffff" in shown.output
        assert "seo              92  (min 95)  below" in shown.output
        assert "failed audit: meta-description on /about/ (Document does not have a meta description)" in shown.output
        assert "preview: /builds/acme.com/ff-preview.png" in shown.output
        data = json.loads(cli("sites", "quality", "acme.com", "--json").output)
        assert data["quality"]["passed"] is False and data["quality"]["scores"]["seo"] == 92
        assert [a["id"] for a in data["quality"]["failed_audits"]] == ["meta-description"]

        # An unknown theme is refused with the ones there are; nothing is written.
        bad = cli("sites", "set-theme", "acme.com", "neon")
        assert bad.exit_code == 1 and "unknown theme 'neon'; available: atlas, canopy" in bad.output
        assert store.sites.get("acme.com").theme is None
        # Dagster is not running here: the choice is recorded and the operator told how it will be built.
        monkeypatch.setenv("FACTORY_DAGSTER_URL", "http://127.0.0.1:9")
        chosen = cli("sites", "set-theme", "acme.com", "ledger", "--variation", "ink")
        assert chosen.exit_code == 0, chosen.output
        assert "acme.com: theme ledger/ink" in chosen.output and "the next run of site_build rebuilds it" in chosen.output
        assert store.sites.get("acme.com").theme == "ledger/ink" and store.sites.get("other.com").theme is None
        assert cli("sites", "set-theme", "acme.com", "auto", "--no-run").exit_code == 0
        assert store.sites.get("acme.com").theme is None

        store.quality.replace_duplicates([{"a": "other.com", "b": "acme.com", "jaccard": 0.4, "max_page_jaccard": 0.66,
                                           "pages": [{"slug_a": "faq", "slug_b": "faq", "jaccard": 0.66}]}])
        pairs = cli("quality", "duplicates")
        assert pairs.exit_code == 0 and "acme.com" in pairs.output and "faq~faq 0.66" in pairs.output
        assert "1 near-duplicate pair(s)" in pairs.output
        assert json.loads(cli("quality", "duplicates", "--json").output)[0]["b"] == "other.com"
        assert "near-duplicate of other.com: page Jaccard 0.66" in cli("sites", "quality", "acme.com").output
    finally:
        store.close()
        common.store.cache_clear()
