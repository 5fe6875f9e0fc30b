"""Bulk import of sites from CSV (columns domain,brand_name,cloudflare_account,gsc_account).

Every row is checked before anything is written; the caller decides whether any bad row
stops the import (the default) or only the good rows are written (`skip_invalid`).
Shared by the CLI and the Hub API so both refuse the same rows with the same words.

Cells are trimmed of surrounding spaces and tabs (spreadsheets add them), and each trimmed
domain is reported as a note; everything else about a domain is checked as strictly as
anywhere else. Line numbers are those an editor shows: a carriage return alone inside a
quoted cell does not start a new line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from factory.store import Conflict, InvalidInput, NewSite, NotFound, Store
from factory.text import UnsafeText, check_name

COLUMNS = ("domain", "brand_name", "cloudflare_account", "gsc_account")
REQUIRED = ("domain", "cloudflare_account")
MAX_ROWS = 100_000
TRIMMED = " \t"


@dataclass
class RowError:
    line: int
    domain: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class RowNote:
    """Something the import changed in a row it accepts (e.g. spaces trimmed)."""

    line: int
    domain: str | None
    note: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.note}"


@dataclass
class ImportPlan:
    valid: list[tuple[int, NewSite]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)


class CsvFormatError(ValueError):
    """The file as a whole cannot be read as the expected CSV."""


def read_rows(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """Parse the CSV into (line number, row) pairs; raise CsvFormatError if the header is wrong."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(f"the file is not UTF-8 text (byte {exc.start})") from None
    data = data.removeprefix("\ufeff")  # a byte-order mark some editors write first
    if "\x00" in data:
        raise CsvFormatError("the file contains NUL bytes; it is not a CSV text file")
    lines = _LineCounter(data)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFormatError("the file is empty; expected a header: " + ",".join(COLUMNS)) from None
    except csv.Error as exc:
        raise CsvFormatError(f"line 1: {exc}") from None
    lines.record_ended()
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
    while True:
        start = lines.next_line
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvFormatError(f"line {start}: {exc}") from None
        lines.record_ended()
        if not cells or all(c.strip() == "" for c in cells):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise CsvFormatError(f"the file has more than {MAX_ROWS} rows; split it")
        if len(cells) != len(header):
            rows.append((start, {"__error__": f"expected {len(header)} fields, found {len(cells)}"}))
            continue
        rows.append((start, dict(zip(header, cells))))
    return rows


class _LineCounter:
    """Feeds the csv reader physical lines and counts them as an editor does.

    The reader needs a bare carriage return split off (it may end a record, as in old Mac
    files), but one inside a quoted cell is not a line break for the operator reading the
    file: only CRs that end a record are counted, with every LF and CRLF.
    """

    def __init__(self, data: str):
        self._chunks = iter(io.StringIO(data, newline=""))
        self._breaks = 0
        self._ended_in_bare_cr = False
        self.next_line = 1

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        chunk = next(self._chunks)
        self._ended_in_bare_cr = chunk.endswith("\r")
        if chunk.endswith("\n"):
            self._breaks += 1
        return chunk

    def record_ended(self) -> None:
        if self._ended_in_bare_cr:
            self._breaks += 1
            self._ended_in_bare_cr = False
        self.next_line = self._breaks + 1


def plan_import(store: Store, data: bytes | str, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Validate every row against the rules and the database; write nothing."""
    plan = ImportPlan()
    seen: dict[str, int] = {}
    with store.connection() as conn:
        for line, row in read_rows(data):
            if "__error__" in row:
                plan.errors.append(RowError(line, None, row["__error__"]))
            else:
                cells = {name: (value or "").strip(TRIMMED) for name, value in row.items()}
                new = NewSite(
                    domain=cells.get("domain", ""),
                    cloudflare_account=cells.get("cloudflare_account", ""),
                    gsc_account=cells.get("gsc_account") or None,
                    brand_name=cells.get("brand_name") or None,
                )
                try:
                    check_name(new.brand_name, "brand name")
                    checked = store.sites.validate_new(new, conn)
                except (InvalidInput, NotFound, Conflict, UnsafeText) as exc:
                    plan.errors.append(RowError(line, row.get("domain"), str(exc)))
                else:
                    domain = checked["domain"]
                    if domain in seen:
                        plan.errors.append(RowError(line, domain, f"{domain} is already on line {seen[domain]}"))
                    else:
                        seen[domain] = line
                        plan.valid.append((line, new))
                        if row.get("domain") != new.domain:
                            plan.notes.append(RowNote(line, domain, "removed the spaces around the domain"))
            if progress:
                progress(1)
        conn.rollback()
    return plan
