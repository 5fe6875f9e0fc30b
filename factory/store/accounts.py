"""Cloudflare and Google (Search Console) accounts. Tokens go in encrypted and come out only
through `credential()`, for the one client about to call the vendor; what is shown of a token
is its stored hint (its last 4 characters at most)."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import errors, sql

from factory import secrets
from factory.store.database import Database
from factory.store.errors import Conflict, NotFound
from factory.store.models import CloudflareAccount, GscAccount
from factory.store.validation import clean_account_id, clean_email, clean_secret, clean_text, is_uuid


class _Accounts:
    """What both kinds share: a table, a secret column, a vendor name for messages."""

    table: str
    secret_column: str
    vendor: str
    token_what: str

    def __init__(self, db: Database):
        self.db = db

    def credential(self, account_id: uuid.UUID) -> str:
        """The decrypted token, for the vendor client only."""
        with self.db.connection() as conn:
            row = conn.execute(sql.SQL("select {} from public.{} where id = %s").format(
                sql.Identifier(self.secret_column), sql.Identifier(self.table)), (account_id,)).fetchone()
        if row is None:
            raise NotFound(f"no {self.vendor} account {account_id}")
        return secrets.decrypt(row[0])

    def delete(self, account_id: uuid.UUID) -> None:
        try:
            with self.db.connection() as conn:
                cur = conn.execute(sql.SQL("delete from public.{} where id = %s").format(sql.Identifier(self.table)),
                                   (account_id,))
                if cur.rowcount == 0:
                    raise NotFound(f"no {self.vendor} account {account_id}")
        except errors.ForeignKeyViolation:
            raise Conflict(f"the {self.vendor} account is used by sites; move or delete them first") from None

    def _encrypted(self, token: str) -> dict[str, str]:
        token = clean_secret(token, self.token_what)
        return {self.secret_column: secrets.encrypt(token), "token_hint": secrets.mask(token)}

    def _update(self, account_id: uuid.UUID, changes: dict[str, Any]) -> None:
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes)
        table = sql.Identifier(self.table)
        try:
            with self.db.connection() as conn:
                if not changes:
                    found = conn.execute(sql.SQL("select 1 from public.{} where id = %s").format(table),
                                         (account_id,)).fetchone()
                else:
                    found = conn.execute(sql.SQL("update public.{} set {} where id = %s returning 1").format(
                        table, assignments), [*changes.values(), account_id]).fetchone()
        except errors.UniqueViolation as exc:
            field = "nickname" if "nickname" in str(exc.diag.constraint_name) else "email"
            raise Conflict(f"another {self.vendor} account already has that {field}") from None
        if found is None:
            raise NotFound(f"no {self.vendor} account {account_id}")

    @staticmethod
    def _hint(stored_hint: str | None, ciphertext: str) -> str:
        if stored_hint is not None:
            return stored_hint
        try:  # rows written before hints were stored
            return secrets.mask(secrets.decrypt(ciphertext))
        except secrets.SecretKeyError:
            return "…"


class CloudflareAccounts(_Accounts):
    table, secret_column, vendor, token_what = "cloudflare_accounts", "api_token", "Cloudflare", "Cloudflare API token"
    _SELECT = ("select id, created_at, email, account_nickname, token_hint, api_token, account_id"
               " from public.cloudflare_accounts")

    def add(self, email: str, nickname: str, api_token: str, account_id: str | None = None) -> CloudflareAccount:
        email = clean_email(email)
        nickname = clean_text(nickname, "nickname", max_len=100)
        values = {"email": email, "account_nickname": nickname, "account_id": clean_account_id(account_id),
                  **self._encrypted(api_token)}
        try:
            with self.db.connection() as conn:
                row = conn.execute(
                    "insert into public.cloudflare_accounts (email, account_nickname, api_token, token_hint, account_id)"
                    " values (%(email)s, %(account_nickname)s, %(api_token)s, %(token_hint)s, %(account_id)s)"
                    " returning id, created_at", values).fetchone()
        except errors.UniqueViolation as exc:
            field = "nickname" if "account_nickname" in str(exc.diag.constraint_name) else "email"
            raise Conflict(f"a Cloudflare account with {field} "
                           f"{(nickname if field == 'nickname' else email)!r} already exists") from None
        return CloudflareAccount(row[0], row[1], email, nickname, values["token_hint"], values["account_id"])

    def list(self) -> list[CloudflareAccount]:
        with self.db.connection() as conn:
            rows = conn.execute(self._SELECT + " order by account_nickname").fetchall()
        return [self._account(r) for r in rows]

    def get(self, ref: str | uuid.UUID) -> CloudflareAccount:
        """By id, nickname or email."""
        ref = str(ref).strip()
        with self.db.connection() as conn:
            if is_uuid(ref):
                row = conn.execute(self._SELECT + " where id = %s", (ref,)).fetchone()
            else:
                row = conn.execute(self._SELECT + " where account_nickname = %s or email = lower(%s)"
                                   " order by account_nickname = %s desc limit 1", (ref, ref, ref)).fetchone()
        if row is None:
            raise NotFound(f"no Cloudflare account {ref!r}")
        return self._account(row)

    def update(self, account_id: uuid.UUID, *, email: str | None = None, nickname: str | None = None,
               api_token: str | None = None, cloudflare_account_id: str | None = None) -> CloudflareAccount:
        changes: dict[str, Any] = {}
        if cloudflare_account_id is not None:
            changes["account_id"] = clean_account_id(cloudflare_account_id)
        if email is not None:
            changes["email"] = clean_email(email)
        if nickname is not None:
            changes["account_nickname"] = clean_text(nickname, "nickname", max_len=100)
        if api_token is not None:
            changes.update(self._encrypted(api_token))
        self._update(account_id, changes)
        return self.get(account_id)

    def _account(self, row: tuple) -> CloudflareAccount:
        return CloudflareAccount(row[0], row[1], row[2], row[3], self._hint(row[4], row[5]), row[6])


class GscAccounts(_Accounts):
    table, secret_column, vendor, token_what = "gsc_accounts", "oauth_refresh_token", "Google", "Google refresh token"
    _SELECT = "select id, created_at, email, token_hint, oauth_refresh_token from public.gsc_accounts"

    def add(self, email: str, refresh_token: str) -> GscAccount:
        email = clean_email(email)
        values = {"email": email, **self._encrypted(refresh_token)}
        try:
            with self.db.connection() as conn:
                row = conn.execute(
                    "insert into public.gsc_accounts (email, oauth_refresh_token, token_hint)"
                    " values (%(email)s, %(oauth_refresh_token)s, %(token_hint)s) returning id, created_at",
                    values).fetchone()
        except errors.UniqueViolation:
            raise Conflict(f"a Google account with email {email!r} already exists") from None
        return GscAccount(row[0], row[1], email, values["token_hint"])

    def list(self) -> list[GscAccount]:
        with self.db.connection() as conn:
            rows = conn.execute(self._SELECT + " order by email").fetchall()
        return [self._account(r) for r in rows]

    def get(self, ref: str | uuid.UUID) -> GscAccount:
        """By id or email."""
        ref = str(ref).strip()
        with self.db.connection() as conn:
            if is_uuid(ref):
                row = conn.execute(self._SELECT + " where id = %s", (ref,)).fetchone()
            else:
                row = conn.execute(self._SELECT + " where email = lower(%s)", (ref,)).fetchone()
        if row is None:
            raise NotFound(f"no Google account {ref!r}")
        return self._account(row)

    def update(self, account_id: uuid.UUID, *, email: str | None = None,
               refresh_token: str | None = None) -> GscAccount:
        changes: dict[str, Any] = {}
        if email is not None:
            changes["email"] = clean_email(email)
        if refresh_token is not None:
            changes.update(self._encrypted(refresh_token))
        self._update(account_id, changes)
        return self.get(account_id)

    def _account(self, row: tuple) -> GscAccount:
        return GscAccount(row[0], row[1], row[2], self._hint(row[3], row[4]))
