"""The hostile-domain corpus through every entry point: the CLI (`sites add`, `sites import`),
the Hub API (`POST /api/sites`, `POST /api/sites/import`, look-ups) and a real `factory`
process. Every input is refused, nothing is written, nothing crashes.

Each entry point tallies what it did with every input; the tallies are printed (`-s`) as one
JSON line per entry point, e.g. {"entry": "api POST /api/sites", "tried": 261, "refused": 261, ...}.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.conftest import table_counts
from tests.foundation.hostile import HOSTILE_DOMAINS, UNICODE_TRICKS
from tests.security.conftest import FACTORY, send_json

# What an input may not contain to go into a CSV file as text: such files are refused whole.
_NOT_CSV_TEXT = ("\x00",)


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _report(entry: str, outcomes: Counter) -> None:
    print(json.dumps({"entry": entry, "tried": sum(outcomes.values()), **dict(outcomes)}, ensure_ascii=True))


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def test_corpus_is_large_and_covers_special_use_and_unicode_tricks() -> None:
    assert len(HOSTILE_DOMAINS) >= 250
    assert {"example.onion", "shop.local", "shop.home.arpa", "shop.alt", "example.com"} <= set(HOSTILE_DOMAINS)
    assert len([d for d in HOSTILE_DOMAINS if d in UNICODE_TRICKS]) >= 100


def test_api_refuses_every_hostile_domain(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    created, lookups = Counter(), Counter()
    for domain in HOSTILE_DOMAINS:
        r = send_json(client, "POST", "/api/sites", {"domain": domain, "cloudflare_account": "CF_1"}, auth)
        created[_outcome(r)] += 1
        assert r.status_code in (400, 422), (domain, r.status_code, r.text)
        detail = r.json()["detail"]
        assert detail and "Traceback" not in r.text
        # Look-ups by the same text: never a match, never an error page. Text that is not UTF-8
        # goes on the wire as the bytes a client would send (invalid UTF-8 percent escapes).
        path = "/api/sites/" + (quote(domain, safe="", errors="surrogatepass") or "%20")
        r = client.get(path, headers=auth)
        lookups[_outcome(r)] += 1
        assert r.status_code in (404, 422), (domain, r.status_code, r.text)
    assert table_counts(clean_db) == before
    _report("api POST /api/sites", created)
    _report("api GET /api/sites/{site}", lookups)
    assert created["crashed"] == 0 and created["accepted"] == 0


def test_api_csv_import_refuses_every_hostile_domain(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    outcomes = Counter()
    rows = [d for d in HOSTILE_DOMAINS if not any(c in d for c in _NOT_CSV_TEXT)]
    csv = "domain,cloudflare_account\n" + "".join(f"{_csv_cell(d)},CF_1\n" for d in rows)
    r = send_json(client, "POST", "/api/sites/import", {"csv": csv, "skip_invalid": True}, auth)
    if any(_has_surrogate(d) for d in rows):
        # Text holding half a UTF-16 pair is not text: the body is refused before any row is read.
        assert r.status_code == 422 and "surrogate" in json.dumps(r.json()["detail"])
        rows = [d for d in rows if not _has_surrogate(d)]
        for d in HOSTILE_DOMAINS:
            if _has_surrogate(d):
                single = "domain,cloudflare_account\n" + f"{_csv_cell(d)},CF_1\n"
                one = send_json(client, "POST", "/api/sites/import", {"csv": single, "skip_invalid": True}, auth)
                outcomes[_outcome(one)] += 1
        csv = "domain,cloudflare_account\n" + "".join(f"{_csv_cell(d)},CF_1\n" for d in rows)
        r = send_json(client, "POST", "/api/sites/import", {"csv": csv, "skip_invalid": True}, auth)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["written"] == 0 and report["valid"] == 0 and report["domains"] == []
    assert report["rows"] == len(rows) and len(report["errors"]) == len(rows)
    lines = [e["line"] for e in report["errors"]]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)  # one error per row, in file order
    outcomes["refused"] += len(report["errors"])
    for d in HOSTILE_DOMAINS:
        if any(c in d for c in _NOT_CSV_TEXT):
            single = "domain,cloudflare_account\n" + f"{_csv_cell(d)},CF_1\n"
            one = send_json(client, "POST", "/api/sites/import", {"csv": single}, auth)
            assert one.status_code == 400 and "NUL" in one.json()["detail"]
            outcomes[_outcome(one)] += 1
    assert table_counts(clean_db) == before
    _report("api POST /api/sites/import (CSV)", outcomes)
    assert sum(outcomes.values()) == len(HOSTILE_DOMAINS)
    assert outcomes["crashed"] == 0 and outcomes["accepted"] == 0


def test_cli_add_refuses_every_hostile_domain(cli, clean_db) -> None:
    assert cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", "CF1",
               env={"CLOUDFLARE_API_TOKEN": "cf-token-abcdefgh-1234"}).exit_code == 0
    before = table_counts(clean_db)
    outcomes = Counter()
    for domain in HOSTILE_DOMAINS:
        result = cli("sites", "add", "--cloudflare-account", "CF1", "--", domain)
        outcome = _cli_outcome(result)
        outcomes[outcome] += 1
        assert outcome == "refused", (domain, result.exit_code, result.output, result.exception)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (domain, result.output)
        assert lines[0].isprintable(), lines[0]  # nothing raw: controls and bidi characters are escaped
    assert table_counts(clean_db) == before
    _report("cli factory sites add", outcomes)


def test_cli_csv_import_refuses_every_hostile_domain(cli, clean_db, tmp_path) -> None:
    assert cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", "CF1",
               env={"CLOUDFLARE_API_TOKEN": "cf-token-abcdefgh-1234"}).exit_code == 0
    before = table_counts(clean_db)
    outcomes = Counter()
    texts = [d for d in HOSTILE_DOMAINS if not _has_surrogate(d) and not any(c in d for c in _NOT_CSV_TEXT)]
    path = tmp_path / "hostile.csv"
    path.write_text("domain,brand_name,cloudflare_account,gsc_account\n"
                    + "".join(f"{_csv_cell(d)},Brand,CF1,\n" for d in texts), encoding="utf-8", newline="")
    result = cli("sites", "import", str(path), "--skip-invalid")
    assert result.exit_code == 1 and "imported 0 site(s)" in result.output, result.output
    reported = [line for line in result.output.splitlines() if line.startswith("hostile.csv: line ")]
    assert len(reported) == len(texts), result.output[-2000:]
    assert all(line.isprintable() for line in reported)
    outcomes["refused"] += len(reported)
    # Files that cannot be CSV text (a NUL; bytes that are not UTF-8, as a surrogate is on disk)
    # are refused as a whole, one file per input.
    for i, d in enumerate(d for d in HOSTILE_DOMAINS if d not in texts):
        one = tmp_path / f"one-{i}.csv"
        one.write_bytes(("domain,cloudflare_account\n" + f"{_csv_cell(d)},CF1\n").encode("utf-8", "surrogatepass"))
        single = cli("sites", "import", str(one))
        outcomes[_cli_outcome(single)] += 1
        assert single.exit_code == 1 and ("not UTF-8" in single.output or "NUL" in single.output), single.output
    assert table_counts(clean_db) == before
    _report("cli factory sites import (CSV)", outcomes)
    assert sum(outcomes.values()) == len(HOSTILE_DOMAINS)
    assert outcomes["crashed"] == 0 and outcomes["accepted"] == 0


def test_a_real_factory_process_refuses_unicode_tricks_and_bytes_that_are_not_utf8(cli, clean_db) -> None:
    """As an operator's shell runs it: argv bytes that are not UTF-8 reach Python as surrogates."""
    assert cli("accounts", "add-cloudflare", "--email", "cf@example.com", "--nickname", "CF1",
               env={"CLOUDFLARE_API_TOKEN": "cf-token-abcdefgh-1234"}).exit_code == 0
    env = {**os.environ, "FACTORY_DATABASE_URL": clean_db}
    before = table_counts(clean_db)
    samples = [b"shop\xffping.com", b"\xed\xa0\x80.com", b"shop\xe2\x80\xaeping.com", b"\xef\xbb\xbfshop.com",
               b"shop\xc2\x85ping.com", b"example.onion", b"caf" + "e\u0301".encode() + b".com", b" shop.com"]
    outcomes = Counter()
    for raw in samples:
        proc = subprocess.run([os.fsencode(FACTORY), b"sites", b"add", b"--cloudflare-account", b"CF1", b"--", raw],
                              env=env, capture_output=True, timeout=60, check=False)
        ok = proc.returncode == 1 and proc.stderr.startswith(b"error: ") and b"Traceback" not in proc.stderr
        outcomes["refused" if ok else "crashed" if proc.returncode not in (0, 1) else "accepted"] += 1
        assert ok, (raw, proc.returncode, proc.stderr)
        # What reaches the terminal is printable: no raw bidi override, BOM or C1 control.
        text = proc.stderr.decode("utf-8")
        assert all(ch.isprintable() or ch == "\n" for ch in text), text
    assert table_counts(clean_db) == before
    _report("cli factory process (argv bytes)", outcomes)


def _outcome(response) -> str:
    if response.status_code >= 500:
        return "crashed"
    if response.status_code < 300 and response.json().get("written", 1) != 0:
        return "accepted"
    return "refused"


def _cli_outcome(result) -> str:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "crashed"
    if "Traceback" in result.output:
        return "crashed"
    return "refused" if result.exit_code == 1 else "accepted" if result.exit_code == 0 else "crashed"
