"""Item 8: CSV line numbers are the lines an editor shows, whatever the line endings and
whatever a quoted cell holds (a bare carriage return is not a new line); and item 2's CSV side:
cells are trimmed of spaces and tabs, and the import says so."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import table_counts

HEADER = "domain,brand_name,cloudflare_account,gsc_account"


def _file(*rows: str, eol: str = "\n") -> str:
    return eol.join([HEADER, *rows]) + eol


# A line break inside a brand name is refused too (a control character), so each file has a
# bad row holding it and a bad row after it: the line numbers of both are checked.
CASES = [
    # (csv text, [(line, domain) of each bad row])
    (_file('cr.com,"Brand\rwith a bare CR",CF_1,', "bad..com,B,CF_1,"), [(2, "cr.com"), (3, "bad..com")]),
    (_file('cr.com,"Brand\rwith a bare CR",CF_1,', "bad..com,B,CF_1,", eol="\r\n"),
     [(2, "cr.com"), (3, "bad..com")]),
    (_file('cr.com,"two\r\rCRs",CF_1,', 'cr-two.com,"and\ranother",CF_1,', "good.com,B,CF_1,", "bad..com,B,CF_1,"),
     [(2, "cr.com"), (3, "cr-two.com"), (5, "bad..com")]),
    (_file('lf.com,"a real\nline break",CF_1,', "bad..com,B,CF_1,"), [(2, "lf.com"), (4, "bad..com")]),
    (_file('crlf.com,"a real\r\nline break",CF_1,', "bad..com,B,CF_1,", eol="\r\n"),
     [(2, "crlf.com"), (4, "bad..com")]),
    (_file("good-one.com,B,CF_1,", "", "bad..com,B,CF_1,"), [(4, "bad..com")]),
    (_file("good-one.com,B,CF_1,", "bad..com,B,CF_1,", eol="\r"), [(3, "bad..com")]),  # classic Mac files
]


@pytest.mark.parametrize("text, bad", CASES)
def test_api_reports_the_line_an_editor_shows(client: TestClient, auth, accounts, clean_db, text, bad) -> None:
    before = table_counts(clean_db)
    r = client.post("/api/sites/import", headers=auth, json={"csv": text})
    assert r.status_code == 400, r.text
    assert [(e["line"], e["domain"]) for e in r.json()["errors"]] == bad
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("text, bad", CASES)
def test_cli_reports_the_line_an_editor_shows(cli, clean_db, tmp_path, text, bad) -> None:
    assert cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", "CF_1",
               env={"CLOUDFLARE_API_TOKEN": "cf-token-abcdefgh-1234"}).exit_code == 0
    path = tmp_path / "sites.csv"
    path.write_bytes(text.encode())
    before = table_counts(clean_db)
    result = cli("sites", "import", str(path))
    assert result.exit_code == 1
    reported = [x.split(":")[1].strip() for x in result.output.splitlines() if x.startswith("sites.csv: line ")]
    assert reported == [f"line {line}" for line, _ in bad], result.output
    assert table_counts(clean_db) == before


def test_trimmed_cells_are_written_and_reported(client: TestClient, auth, accounts, cli, clean_db, tmp_path) -> None:
    text = _file("  spaced-one.com\t, Brand ,CF_1,", "plain-one.com,Brand,CF_1,", "\tspaced-two.com,B,CF_1,")
    r = client.post("/api/sites/import", headers=auth, json={"csv": text, "dry_run": True})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["domains"] == ["spaced-one.com", "plain-one.com", "spaced-two.com"] and report["errors"] == []
    assert [(n["line"], n["domain"], n["note"]) for n in report["notes"]] == [
        (2, "spaced-one.com", "removed the spaces around the domain"),
        (4, "spaced-two.com", "removed the spaces around the domain")]
    # The same file from the CLI: written, and the notes printed.
    path = tmp_path / "sites.csv"
    path.write_text(text)
    result = cli("sites", "import", str(path))
    assert result.exit_code == 0 and "imported 3 site(s)" in result.output, result.output
    assert "sites.csv: line 2: removed the spaces around the domain" in result.output
    assert "sites.csv: line 4: removed the spaces around the domain" in result.output
    assert table_counts(clean_db)["sites"] == 3


def test_api_and_cli_refuse_surrounding_spaces_with_words(client: TestClient, auth, accounts, cli, clean_db) -> None:
    before = table_counts(clean_db)
    for domain in (" spaced.com", "spaced.com ", "\tspaced.com"):
        r = client.post("/api/sites", headers=auth, json={"domain": domain, "cloudflare_account": "CF_1"})
        assert r.status_code == 400 and ("spaces at its start or end" in r.json()["detail"]
                                         or "control character" in r.json()["detail"]), r.text
        result = cli("sites", "add", "--cloudflare-account", "CF_1", "--", domain)
        assert result.exit_code == 1 and ("spaces at its start or end" in result.output
                                          or "control character" in result.output), result.output
    r = client.post("/api/sites", headers=auth, json={"domain": "cafe\u0301.com", "cloudflare_account": "CF_1"})
    assert r.status_code == 400 and "not in Unicode NFC form" in r.json()["detail"]
    assert "type it as 'café.com'" in r.json()["detail"] and "U+0301 (COMBINING ACUTE ACCENT)" in r.json()["detail"]
    r = client.post("/api/sites", headers=auth, json={"domain": "example.onion", "cloudflare_account": "CF_1"})
    assert r.status_code == 400 and "special-use name (RFC 7686)" in r.json()["detail"]
    assert table_counts(clean_db) == before
