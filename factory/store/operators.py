"""Operators who sign in to the Hub (local accounts; passwords only as argon2 hashes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from psycopg import errors
from psycopg.rows import class_row

from factory.store.database import Database
from factory.store.errors import Conflict, NotFound
from factory.store.models import Operator
from factory.store.validation import clean_email


@dataclass(frozen=True)
class SignInRecord:
    id: uuid.UUID
    email: str
    disabled: bool
    password_hash: str
    token_version: int


class Operators:
    def __init__(self, db: Database):
        self.db = db

    def add(self, email: str, password_hash: str) -> Operator:
        email = clean_email(email)
        try:
            with self.db.connection() as conn:
                row = conn.execute(
                    "insert into public.operators (email, password_hash) values (%s, %s) returning id, created_at",
                    (email, password_hash),
                ).fetchone()
        except errors.UniqueViolation:
            raise Conflict(f"an operator with email {email!r} already exists") from None
        return Operator(row[0], row[1], email, False, None)

    def list(self) -> list[Operator]:
        with self.db.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Operator))
            return cur.execute(
                "select id, created_at, email, disabled, last_sign_in_at from public.operators order by email"
            ).fetchall()

    def for_sign_in(self, email: str) -> SignInRecord | None:
        """The operator, their password hash and current token version, read together (sign-in only)."""
        with self.db.connection() as conn:
            row = conn.execute("select id, email, disabled, password_hash, token_version from public.operators"
                               " where email = lower(%s)", (email.strip(),)).fetchone()
        return SignInRecord(*row) if row else None

    def current_token_version(self, operator_id: uuid.UUID) -> int | None:
        """The version an operator's tokens must carry; None when unknown or disabled (no token is good)."""
        with self.db.connection() as conn:
            row = conn.execute("select token_version, disabled from public.operators where id = %s",
                               (operator_id,)).fetchone()
        return None if row is None or row[1] else row[0]

    def set_password(self, email: str, password_hash: str) -> None:
        with self.db.connection() as conn:
            if conn.execute("update public.operators set password_hash = %s where email = lower(%s)",
                            (password_hash, email.strip())).rowcount == 0:
                raise NotFound(f"no operator {email!r}")

    def set_disabled(self, email: str, disabled: bool) -> None:
        with self.db.connection() as conn:
            if conn.execute("update public.operators set disabled = %s where email = lower(%s)",
                            (disabled, email.strip())).rowcount == 0:
                raise NotFound(f"no operator {email!r}")

    def record_sign_in(self, operator_id: uuid.UUID) -> None:
        with self.db.connection() as conn:
            conn.execute("update public.operators set last_sign_in_at = now() where id = %s", (operator_id,))
