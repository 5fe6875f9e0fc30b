"""Bulk import of sites from CSV (columns domain,brand_name,cloudflare_account,gsc_account).

Every row is checked before anything is written; the caller decides whether any bad row
stops the import (the default) or only the good rows are written (`skip_invalid`).
Shared by the CLI and the Hub API so both refuse the same rows with the same words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from factory.store import Conflict, InvalidInput, NewSite, NotFound, Store

COLUMNS = ("domain", "brand_name", "cloudflare_account", "gsc_account")
REQUIRED = ("domain", "cloudflare_account")
MAX_ROWS = 100_000


@dataclass
class RowError:
    line: int
    domain: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportPlan:
    valid: list[tuple[int, NewSite]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class CsvFormatError(ValueError):
    """The file as a whole cannot be read as the expected CSV."""


def read_rows(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """Parse the CSV into (line number, row) pairs; raise CsvFormatError if the header is wrong."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(f"the file is not UTF-8 text (byte {exc.start})") from None
    if "\x00" in data:
        raise CsvFormatError("the file contains NUL bytes; it is not a CSV text file")
    reader = csv.reader(io.StringIO(data, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFormatError("the file is empty; expected a header: " + ",".join(COLUMNS)) from None
    except csv.Error as exc:
        raise CsvFormatError(f"line 1: {exc}") from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise CsvFormatError(
            "the header must name the columns " + ",".join(COLUMNS)
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvFormatError(f"line {start}: {exc}") from None
        line = reader.line_num
        if not cells or all(c.strip() == "" for c in cells):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise CsvFormatError(f"the file has more than {MAX_ROWS} rows; split it")
        if len(cells) != len(header):
            rows.append((start, {"__error__": f"expected {len(header)} fields, found {len(cells)}"}))
            continue
        rows.append((start, dict(zip(header, cells))))
    return rows


def plan_import(store: Store, data: bytes | str, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Validate every row against the rules and the database; write nothing."""
    plan = ImportPlan()
    seen: dict[str, int] = {}
    with store.connection() as conn:
        for line, row in read_rows(data):
            if "__error__" in row:
                plan.errors.append(RowError(line, None, row["__error__"]))
            else:
                new = NewSite(
                    domain=row.get("domain", ""),
                    cloudflare_account=row.get("cloudflare_account", ""),
                    gsc_account=row.get("gsc_account") or None,
                    brand_name=row.get("brand_name") or None,
                )
                try:
                    checked = store.sites.validate_new(new, conn)
                except (InvalidInput, NotFound, Conflict) as exc:
                    plan.errors.append(RowError(line, row.get("domain"), str(exc)))
                else:
                    domain = checked["domain"]
                    if domain in seen:
                        plan.errors.append(RowError(line, domain, f"{domain} is already on line {seen[domain]}"))
                    else:
                        seen[domain] = line
                        plan.valid.append((line, new))
            if progress:
                progress(1)
        conn.rollback()
    return plan
