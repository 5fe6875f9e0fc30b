"""Item 7: brand names, account nicknames and emails that would not show as typed (bidi
overrides, zero-width characters, byte-order marks, C1 controls) are refused by the Hub API,
the CLI and the CSV import; and the CLI escapes whatever it prints, rows stored earlier included."""

from __future__ import annotations

import json

import psycopg
import pytest
from fastapi.testclient import TestClient

from factory import secrets
from tests.conftest import table_counts

SPOOFS = {
    "\u202e": "U+202E (RIGHT-TO-LEFT OVERRIDE)",
    "\u202d": "U+202D (LEFT-TO-RIGHT OVERRIDE)",
    "\u2067": "U+2067 (RIGHT-TO-LEFT ISOLATE)",
    "\u200b": "U+200B (ZERO WIDTH SPACE)",
    "\u200d": "U+200D (ZERO WIDTH JOINER)",
    "\ufeff": "U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
    "\x85": "U+0085 (control)",
    "\x9b": "U+009B (control)",
    "\u2028": "U+2028 (LINE SEPARATOR)",
    "\U000e0041": "U+E0041 (TAG LATIN CAPITAL LETTER A)",
}


def _422_naming(r, described: str) -> None:
    assert r.status_code == 422, r.text
    assert described in r.json()["detail"][0]["msg"], r.text


@pytest.mark.parametrize("ch", list(SPOOFS))
def test_the_api_refuses_spoofable_names(client: TestClient, auth, accounts, clean_db, ch) -> None:
    client.post("/api/sites", headers=auth, json={"domain": "keep-me.com", "cloudflare_account": "CF_1"})
    cf_id = accounts["cloudflare"]["id"]
    before = table_counts(clean_db)
    name = f"CF_1{ch}gnp.exe"
    described = SPOOFS[ch]
    _422_naming(client.post("/api/cloudflare-accounts", headers=auth,
                            json={"email": "n@example.com", "account_nickname": name, "api_token": "t" * 20}), described)
    _422_naming(client.patch(f"/api/cloudflare-accounts/{cf_id}", headers=auth, json={"account_nickname": name}),
                described)
    _422_naming(client.post("/api/google-accounts", headers=auth,
                            json={"email": f"seo{ch}@example.com", "refresh_token": "r" * 20}), described)
    _422_naming(client.post("/api/sites", headers=auth,
                            json={"domain": "fresh.com", "cloudflare_account": "CF_1", "brand_name": f"Acme{ch}"}),
                described)
    _422_naming(client.patch("/api/sites/keep-me.com", headers=auth, json={"brand_name": f"{ch}Acme"}), described)
    r = client.post("/api/sites/import", headers=auth,
                    json={"csv": f'domain,brand_name,cloudflare_account\nfresh.com,"Acme{ch}",CF_1\n'})
    assert r.status_code == 400 and described in r.json()["errors"][0]["reason"] and r.json()["errors"][0]["line"] == 2
    assert table_counts(clean_db) == before
    assert client.get("/api/sites/keep-me.com", headers=auth).json()["brand_name"] is None


def test_emoji_and_accented_names_are_still_fine(client: TestClient, auth, accounts) -> None:
    r = client.post("/api/sites", headers=auth,
                    json={"domain": "fresh.com", "cloudflare_account": "CF_1", "brand_name": "Café ❤️ Zürich — 東京"})
    assert r.status_code == 201 and r.json()["brand_name"] == "Café ❤️ Zürich — 東京"


@pytest.mark.parametrize("ch", ["\u202e", "\u200b", "\ufeff", "\x9b"])
def test_the_cli_refuses_spoofable_names(cli, clean_db, tmp_path, ch) -> None:
    described = SPOOFS[ch]
    token = {"CLOUDFLARE_API_TOKEN": "cf-token-abcdefgh-1234"}
    result = cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", f"CF{ch}1", env=token)
    assert result.exit_code == 1 and described in result.output and ch not in result.output
    assert cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", "CF1", env=token).exit_code == 0
    before = table_counts(clean_db)
    result = cli("accounts", "add-gsc", "--email", f"seo{ch}@example.com", env={"GSC_REFRESH_TOKEN": "r" * 20})
    assert result.exit_code == 1 and described in result.output
    result = cli("sites", "add", "fresh.com", "--cloudflare-account", "CF1", "--brand", f"Acme{ch}")
    assert result.exit_code == 1 and described in result.output and ch not in result.output
    path = tmp_path / "sites.csv"
    path.write_text(f'domain,brand_name,cloudflare_account\nfresh.com,"Acme{ch}",CF1\n', encoding="utf-8")
    result = cli("sites", "import", str(path))
    assert result.exit_code == 1 and "line 2:" in result.output and described in result.output
    assert table_counts(clean_db) == before


def test_the_cli_escapes_names_stored_before_these_rules(cli, clean_db) -> None:
    """Rows written by an older version (or by SQL): shown escaped, never raw, never as markup."""
    nickname, brand, email = "CF_1\u202egnp.exe", "[bold red]Acme[/]\u200b\x9b2J", "ops\ufeff@example.com"
    with psycopg.connect(clean_db, autocommit=True) as conn:
        cf_id = conn.execute("insert into public.cloudflare_accounts (email, account_nickname, api_token)"
                             " values (%s, %s, %s) returning id", (email, nickname, secrets.encrypt("t" * 20))).fetchone()[0]
        conn.execute("insert into public.gsc_accounts (email, oauth_refresh_token) values (%s, %s)",
                     (email, secrets.encrypt("r" * 20)))
        conn.execute("insert into public.sites (domain, brand_name, cloudflare_account_id) values (%s, %s, %s)",
                     ("legacy-site.com", brand, cf_id))
        conn.execute("insert into public.operators (email, password_hash) values (%s, 'x')", (email,))
    for args in (("accounts", "list"), ("sites", "list"), ("operators", "list")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        for raw in ("\u202e", "\u200b", "\ufeff", "\x9b"):
            assert raw not in result.output, (args, result.output)
        assert all(line.isprintable() for line in result.output.splitlines()), result.output
    accounts = cli("accounts", "list").output
    assert "CF_1\\u202egnp.exe" in accounts and "ops\\ufeff@example.com" in accounts
    sites = cli("sites", "list").output
    assert "[bold red]Acme[/]\\u200b\\x9b2J" in sites  # the markup shown as text, not applied
    # JSON output escapes everything that is not ASCII, and round-trips to the stored value.
    data = json.loads(cli("sites", "list", "--json").output)
    assert data[0]["brand_name"] == brand
