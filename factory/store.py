"""The store: the one module through which all code reads and writes the system of record.

Typed functions over psycopg 3. Status values are checked against the spec's vocabulary (and
by CHECK constraints in the schema). Each status update is a single-row UPDATE of only the
columns it changes, so two steps finishing at once cannot overwrite each other. Credentials
go in encrypted and come out only through the `*_credential` functions.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.rows import class_row, dict_row
from psycopg_pool import ConnectionPool

from factory import secrets
from factory.db import database_url
from factory.domains import InvalidDomain, normalize_domain

# The spec's vocabulary (technical-design.md §2.3), per status column.
STATUS_VALUES: dict[str, tuple[str, ...]] = {
    "status_dns": ("pending", "active", "failed"),
    "status_hosting": ("pending", "active", "failed"),
    "status_content": ("pending", "generating", "generated", "failed"),
    "status_deployment": ("pending", "deploying", "deployed", "failed"),
    "gsc_verification_status": ("pending", "verified", "failed"),
}
# Site columns that steps record besides statuses.
SITE_FIELDS = (
    "hosting_doc_root", "matomo_site_id", "brand_name",
    "cloudflare_zone_id", "cloudflare_name_servers", "cloudflare_zone_status",
    "hosting_site_user", "hosting_certificate", "gsc_property",
)


class StoreError(Exception):
    """Base of the store's errors; the message is fit to show an operator."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class InvalidInput(StoreError, ValueError):
    pass


@dataclass(frozen=True)
class CloudflareAccount:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    account_nickname: str
    token_hint: str  # the last 4 characters at most, never the token


@dataclass(frozen=True)
class GscAccount:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    token_hint: str


@dataclass(frozen=True)
class Site:
    id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    seq: int
    domain: str
    brand_name: str | None
    cloudflare_account_id: uuid.UUID
    cloudflare_account: str  # nickname
    gsc_account_id: uuid.UUID | None
    gsc_account: str | None  # email
    status_dns: str
    status_hosting: str
    status_content: str
    status_deployment: str
    hosting_doc_root: str | None
    matomo_site_id: int | None
    gsc_verification_status: str
    error_message: str | None
    error_step: str | None
    cloudflare_zone_id: str | None
    cloudflare_name_servers: list[str] | None
    cloudflare_zone_status: str | None
    hosting_site_user: str | None
    hosting_certificate: bool
    gsc_property: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class NewSite:
    """One site to add: references accounts by nickname (Cloudflare) and email (Google)."""

    domain: str
    cloudflare_account: str
    gsc_account: str | None = None
    brand_name: str | None = None


PUBLISH_FIELDS = ("content_model", "content_prompt_version", "content_hash", "build_hash",
                  "deployed_hash", "deployed_release")


@dataclass(frozen=True)
class PublishState:
    """What was last generated, built and deployed for a site (site_publishing)."""

    domain: str
    content_model: str | None
    content_prompt_version: str | None
    content_hash: str | None
    build_hash: str | None
    deployed_hash: str | None
    deployed_release: str | None


@dataclass(frozen=True)
class AnalyticsRow:
    date: dt.date
    site_id: uuid.UUID
    matomo_visits: int | None
    gsc_clicks: int | None
    gsc_impressions: int | None


_SITE_SELECT = """
select s.id, s.created_at, s.updated_at, s.seq, s.domain, s.brand_name,
       s.cloudflare_account_id, c.account_nickname as cloudflare_account,
       s.gsc_account_id, g.email as gsc_account,
       s.status_dns, s.status_hosting, s.status_content, s.status_deployment,
       s.hosting_doc_root, s.matomo_site_id, s.gsc_verification_status,
       s.error_message, s.error_step,
       s.cloudflare_zone_id, s.cloudflare_name_servers, s.cloudflare_zone_status,
       s.hosting_site_user, s.hosting_certificate, s.gsc_property
  from public.sites s
  join public.cloudflare_accounts c on c.id = s.cloudflare_account_id
  left join public.gsc_accounts g on g.id = s.gsc_account_id
"""


def _clean_text(value: str | None, what: str, *, required: bool = True, max_len: int = 200) -> str | None:
    if value is None or value.strip() == "":
        if required:
            raise InvalidInput(f"{what} is required")
        return None
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(f"{what} is longer than {max_len} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{what} contains a control character")
    return value


def _clean_email(value: str | None) -> str:
    email = _clean_text(value, "email", max_len=254)
    local, at, host = email.partition("@")
    if not at or not local or "." not in host or any(ch.isspace() for ch in email):
        raise InvalidInput(f"{email!r} is not an email address")
    return email.lower()


def _clean_secret(value: str | None, what: str) -> str:
    if value is None or value.strip() == "":
        raise InvalidInput(f"{what} is required")
    value = value.strip()
    if len(value) > 4096 or any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{what} is not a valid token")
    return value


def _domain(value: str) -> str:
    try:
        return normalize_domain(value)
    except InvalidDomain as exc:
        raise InvalidInput(str(exc)) from None


class Store:
    """Typed access to the system of record. One per process; thread-safe."""

    def __init__(self, url: str | None = None, *, max_connections: int = 8):
        self._url = url
        self._max = max_connections
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------
    def _get_pool(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self._url or database_url(), min_size=0, max_size=self._max, open=True,
                    kwargs={"autocommit": False}, name="factory-store",
                )
            return self._pool

    def connection(self):
        """A pooled connection; the block is one transaction (commit on success)."""
        return self._get_pool().connection()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    # -- Cloudflare accounts ----------------------------------------------------------------
    def add_cloudflare_account(self, email: str, nickname: str, api_token: str) -> CloudflareAccount:
        email = _clean_email(email)
        nickname = _clean_text(nickname, "nickname", max_len=100)
        token = _clean_secret(api_token, "Cloudflare API token")
        try:
            with self.connection() as conn:
                row = conn.execute(
                    "insert into public.cloudflare_accounts (email, account_nickname, api_token)"
                    " values (%s, %s, %s) returning id, created_at",
                    (email, nickname, secrets.encrypt(token)),
                ).fetchone()
        except errors.UniqueViolation as exc:
            field = "nickname" if "account_nickname" in str(exc.diag.constraint_name) else "email"
            value = nickname if field == "nickname" else email
            raise Conflict(f"a Cloudflare account with {field} {value!r} already exists") from None
        return CloudflareAccount(row[0], row[1], email, nickname, secrets.mask(token))

    def list_cloudflare_accounts(self) -> list[CloudflareAccount]:
        with self.connection() as conn:
            rows = conn.execute(
                "select id, created_at, email, account_nickname, api_token"
                " from public.cloudflare_accounts order by account_nickname"
            ).fetchall()
        return [CloudflareAccount(r[0], r[1], r[2], r[3], self._hint(r[4])) for r in rows]

    def get_cloudflare_account(self, ref: str | uuid.UUID) -> CloudflareAccount:
        """By id, nickname or email."""
        for account in self.list_cloudflare_accounts():
            if str(ref) in (str(account.id), account.account_nickname, account.email):
                return account
        raise NotFound(f"no Cloudflare account {str(ref)!r}")

    def cloudflare_credential(self, account_id: uuid.UUID) -> str:
        """The decrypted API token, for the Cloudflare client only."""
        with self.connection() as conn:
            row = conn.execute(
                "select api_token from public.cloudflare_accounts where id = %s", (account_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no Cloudflare account {account_id}")
        return secrets.decrypt(row[0])

    def update_cloudflare_token(self, account_id: uuid.UUID, api_token: str) -> None:
        token = _clean_secret(api_token, "Cloudflare API token")
        with self.connection() as conn:
            cur = conn.execute(
                "update public.cloudflare_accounts set api_token = %s where id = %s",
                (secrets.encrypt(token), account_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no Cloudflare account {account_id}")

    def delete_cloudflare_account(self, account_id: uuid.UUID) -> None:
        try:
            with self.connection() as conn:
                cur = conn.execute("delete from public.cloudflare_accounts where id = %s", (account_id,))
                if cur.rowcount == 0:
                    raise NotFound(f"no Cloudflare account {account_id}")
        except errors.ForeignKeyViolation:
            raise Conflict("the Cloudflare account is used by sites; move or delete them first") from None

    # -- Google (Search Console) accounts -----------------------------------------------------
    def add_gsc_account(self, email: str, refresh_token: str) -> GscAccount:
        email = _clean_email(email)
        token = _clean_secret(refresh_token, "Google refresh token")
        try:
            with self.connection() as conn:
                row = conn.execute(
                    "insert into public.gsc_accounts (email, oauth_refresh_token) values (%s, %s)"
                    " returning id, created_at",
                    (email, secrets.encrypt(token)),
                ).fetchone()
        except errors.UniqueViolation:
            raise Conflict(f"a Google account with email {email!r} already exists") from None
        return GscAccount(row[0], row[1], email, secrets.mask(token))

    def list_gsc_accounts(self) -> list[GscAccount]:
        with self.connection() as conn:
            rows = conn.execute(
                "select id, created_at, email, oauth_refresh_token from public.gsc_accounts order by email"
            ).fetchall()
        return [GscAccount(r[0], r[1], r[2], self._hint(r[3])) for r in rows]

    def get_gsc_account(self, ref: str | uuid.UUID) -> GscAccount:
        """By id or email."""
        for account in self.list_gsc_accounts():
            if str(ref).lower() in (str(account.id), account.email):
                return account
        raise NotFound(f"no Google account {str(ref)!r}")

    def gsc_credential(self, account_id: uuid.UUID) -> str:
        """The decrypted refresh token, for the Google client only."""
        with self.connection() as conn:
            row = conn.execute(
                "select oauth_refresh_token from public.gsc_accounts where id = %s", (account_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no Google account {account_id}")
        return secrets.decrypt(row[0])

    def delete_gsc_account(self, account_id: uuid.UUID) -> None:
        try:
            with self.connection() as conn:
                cur = conn.execute("delete from public.gsc_accounts where id = %s", (account_id,))
                if cur.rowcount == 0:
                    raise NotFound(f"no Google account {account_id}")
        except errors.ForeignKeyViolation:
            raise Conflict("the Google account is used by sites; move or delete them first") from None

    @staticmethod
    def _hint(ciphertext: str) -> str:
        try:
            return secrets.mask(secrets.decrypt(ciphertext))
        except secrets.SecretKeyError:
            return "…"

    # -- sites ------------------------------------------------------------------------------
    def validate_new_site(self, new: NewSite, conn: psycopg.Connection | None = None) -> dict[str, Any]:
        """Check one site against the rules and the accounts; return the row to insert.

        Raises InvalidInput, NotFound (unknown account) or Conflict (domain exists).
        """
        domain = _domain(new.domain)
        brand = _clean_text(new.brand_name, "brand name", required=False)
        cf_ref = _clean_text(new.cloudflare_account, "Cloudflare account")
        gsc_ref = _clean_text(new.gsc_account, "Google account", required=False)

        def run(c: psycopg.Connection) -> dict[str, Any]:
            cf = c.execute(
                "select id from public.cloudflare_accounts where account_nickname = %s or email = lower(%s)"
                " or id::text = %s",
                (cf_ref, cf_ref, cf_ref),
            ).fetchone()
            if cf is None:
                raise NotFound(f"no Cloudflare account {cf_ref!r}")
            gsc_id = None
            if gsc_ref is not None:
                gsc = c.execute(
                    "select id from public.gsc_accounts where email = lower(%s) or id::text = %s",
                    (gsc_ref, gsc_ref),
                ).fetchone()
                if gsc is None:
                    raise NotFound(f"no Google account {gsc_ref!r}")
                gsc_id = gsc[0]
            if c.execute("select 1 from public.sites where domain = %s", (domain,)).fetchone():
                raise Conflict(f"the site {domain} already exists")
            return {"domain": domain, "brand_name": brand, "cloudflare_account_id": cf[0], "gsc_account_id": gsc_id}

        if conn is not None:
            return run(conn)
        with self.connection() as c:
            return run(c)

    def add_site(self, new: NewSite) -> Site:
        return self.add_sites([new])[0]

    def add_sites(self, batch: Sequence[NewSite]) -> list[Site]:
        """Add several sites in one transaction: all of them, or (on any error) none."""
        domains: list[str] = []
        try:
            with self.connection() as conn:
                for new in batch:
                    if _domain(new.domain) in domains:
                        raise Conflict(f"the site {_domain(new.domain)} is listed twice")
                    row = self.validate_new_site(new, conn)
                    conn.execute(
                        "insert into public.sites (domain, brand_name, cloudflare_account_id, gsc_account_id)"
                        " values (%(domain)s, %(brand_name)s, %(cloudflare_account_id)s, %(gsc_account_id)s)",
                        row,
                    )
                    domains.append(row["domain"])
        except errors.UniqueViolation:
            # Another writer added one of these domains between our check and insert.
            if len(batch) == 1:
                raise Conflict(f"the site {_domain(batch[0].domain)} already exists") from None
            raise Conflict("one of the sites was added by someone else at the same time; nothing was written") from None
        return self.sites_by_domain(domains)

    def sites_by_domain(self, domains: Sequence[str]) -> list[Site]:
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Site))
            rows = cur.execute(_SITE_SELECT + " where s.domain = any(%s)", (list(domains),)).fetchall()
        by_domain = {s.domain: s for s in rows}
        return [by_domain[d] for d in domains if d in by_domain]

    def get_site(self, ref: str | uuid.UUID) -> Site:
        """By id or (any spelling of) domain."""
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Site))
            if isinstance(ref, uuid.UUID) or _is_uuid(ref):
                row = cur.execute(_SITE_SELECT + " where s.id = %s", (str(ref),)).fetchone()
            else:
                try:
                    domain = normalize_domain(ref)
                except InvalidDomain:
                    domain = None
                row = cur.execute(_SITE_SELECT + " where s.domain = %s", (domain,)).fetchone() if domain else None
        if row is None:
            raise NotFound(f"no site {str(ref)!r}")
        return row

    def list_sites(
        self,
        *,
        status: dict[str, str] | None = None,
        search: str | None = None,
        cloudflare_account_id: uuid.UUID | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Site]:
        clauses, params = _site_filters(status=status, search=search, cloudflare_account_id=cloudflare_account_id)
        query = sql.SQL(_SITE_SELECT)
        if clauses:
            query += sql.SQL(" where ") + sql.SQL(" and ").join(clauses)
        query += sql.SQL(" order by s.seq")
        if limit is not None:
            query += sql.SQL(" limit %s offset %s")
            params += [limit, offset]
        with self.connection() as conn:
            return conn.cursor(row_factory=class_row(Site)).execute(query, params).fetchall()

    def sites_after(self, seq: int, limit: int = 1000) -> list[Site]:
        """Sites inserted after `seq`, oldest first (the new-sites sensor's cursor)."""
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Site))
            return cur.execute(_SITE_SELECT + " where s.seq > %s order by s.seq limit %s", (seq, limit)).fetchall()

    def deletions_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        """(seq, domain) of sites deleted after `seq`, oldest first."""
        with self.connection() as conn:
            return conn.execute(
                "select seq, domain from public.site_deletions where seq > %s order by seq limit %s", (seq, limit)
            ).fetchall()

    def update_site(self, ref: str | uuid.UUID, **changes: Any) -> Site:
        """Change recorded fields (SITE_FIELDS: what the steps record, and the brand name)."""
        unknown = set(changes) - set(SITE_FIELDS)
        if unknown:
            raise InvalidInput(f"cannot update {', '.join(sorted(unknown))}")
        if "brand_name" in changes:
            changes["brand_name"] = _clean_text(changes["brand_name"], "brand name", required=False)
        site = self.get_site(ref)
        if changes:
            assignments = sql.SQL(", ").join(
                sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes
            )
            with self.connection() as conn:
                conn.execute(
                    sql.SQL("update public.sites set {} where id = %s").format(assignments),
                    [*changes.values(), site.id],
                )
        return self.get_site(site.id)

    def delete_site(self, ref: str | uuid.UUID) -> Site:
        site = self.get_site(ref)
        with self.connection() as conn:
            conn.execute("delete from public.sites where id = %s", (site.id,))
        return site

    # -- statuses ---------------------------------------------------------------------------
    def set_status(self, ref: str | uuid.UUID, column: str, status: str, error: str | None = None) -> None:
        """Record a step's status. 'failed' needs an error, which becomes error_message;
        any other status clears error_message if (and only if) this step had set it.

        One UPDATE of this step's columns only: concurrent steps never lose each other's writes.
        """
        _check_status(column, status)
        site = self.get_site(ref)
        with self.connection() as conn:
            if status == "failed":
                message = (error or "failed without a message").strip()[:2000]
                conn.execute(
                    sql.SQL("update public.sites set {} = %s, error_message = %s, error_step = %s where id = %s").format(
                        sql.Identifier(column)
                    ),
                    (status, message, column, site.id),
                )
            else:
                message = None
                conn.execute(
                    sql.SQL(
                        "update public.sites set {col} = %s,"
                        " error_message = case when error_step = %s then null else error_message end,"
                        " error_step = case when error_step = %s then null else error_step end"
                        " where id = %s"
                    ).format(col=sql.Identifier(column)),
                    (status, column, column, site.id),
                )
            conn.execute(
                "insert into public.site_events (site_id, step, status, message) values (%s, %s, %s, %s)",
                (site.id, column, status, message),
            )

    def record_failure(self, ref: str | uuid.UUID, step: str, message: str) -> None:
        """A failure of a step that has no status column of its own (e.g. matomo_site)."""
        site = self.get_site(ref)
        message = (message or "failed without a message").strip()[:2000]
        with self.connection() as conn:
            conn.execute("update public.sites set error_message = %s, error_step = %s where id = %s",
                         (message, step, site.id))
            conn.execute("insert into public.site_events (site_id, step, status, message) values (%s, %s, 'failed', %s)",
                         (site.id, step, message))

    def clear_failure(self, ref: str | uuid.UUID, step: str) -> None:
        """The step succeeded: drop error_message if (and only if) it was this step's."""
        site = self.get_site(ref)
        with self.connection() as conn:
            conn.execute("update public.sites set error_message = null, error_step = null"
                         " where id = %s and error_step = %s", (site.id, step))

    def existing_domains(self, domains: Sequence[str]) -> set[str]:
        with self.connection() as conn:
            rows = conn.execute("select domain from public.sites where domain = any(%s)", (list(domains),)).fetchall()
        return {r[0] for r in rows}

    def site_events(self, ref: str | uuid.UUID, limit: int = 100) -> list[dict[str, Any]]:
        site = self.get_site(ref)
        with self.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            return cur.execute(
                "select at, step, status, message from public.site_events where site_id = %s"
                " order by id desc limit %s",
                (site.id, limit),
            ).fetchall()

    # -- publishing (content, build, deploy bookkeeping) -----------------------------------------
    def publish_states(self, domains: Sequence[str]) -> dict[str, PublishState]:
        """The publishing row of each site that has one, by domain."""
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(PublishState))
            rows = cur.execute(
                "select s.domain, p.content_model, p.content_prompt_version, p.content_hash, p.build_hash,"
                " p.deployed_hash, p.deployed_release from public.site_publishing p"
                " join public.sites s on s.id = p.site_id where s.domain = any(%s)",
                (list(domains),),
            ).fetchall()
        return {r.domain: r for r in rows}

    def record_publishing(self, ref: str | uuid.UUID, **values: Any) -> None:
        """Upsert some of: content_model, content_prompt_version, content_hash, build_hash,
        deployed_hash, deployed_release (timestamps follow the hash they belong to)."""
        unknown = set(values) - set(PUBLISH_FIELDS)
        if unknown:
            raise InvalidInput(f"cannot record {', '.join(sorted(unknown))}")
        site = self.get_site(ref)
        stamps = {"content_hash": "content_generated_at", "build_hash": "built_at", "deployed_hash": "deployed_at"}
        columns = dict(values)
        columns.update({stamps[k]: dt.datetime.now(dt.timezone.utc) for k in values if k in stamps})
        names = sql.SQL(", ").join(sql.Identifier(k) for k in columns)
        updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(k)) for k in columns)
        with self.connection() as conn:
            conn.execute(
                sql.SQL("insert into public.site_publishing (site_id, {names}) values (%s, {params})"
                        " on conflict (site_id) do update set {updates}, updated_at = now()").format(
                    names=names, params=sql.SQL(", ").join(sql.Placeholder() * len(columns)), updates=updates),
                [site.id, *columns.values()],
            )

    # -- analytics --------------------------------------------------------------------------
    def upsert_daily_analytics(self, rows: Iterable[AnalyticsRow]) -> int:
        """Insert or replace rows keyed by (date, site_id); returns how many were written."""
        batch = [(r.date, r.site_id, r.matomo_visits, r.gsc_clicks, r.gsc_impressions) for r in rows]
        if not batch:
            return 0
        with self.connection() as conn:
            with conn.cursor() as cur:
                cur.execute(
                    "create temp table _analytics (like public.daily_analytics including defaults) on commit drop"
                )
                with cur.copy(
                    "copy _analytics (date, site_id, matomo_visits, gsc_clicks, gsc_impressions) from stdin"
                ) as copy:
                    for record in batch:
                        copy.write_row(record)
                cur.execute(
                    "insert into public.daily_analytics select distinct on (date, site_id) * from _analytics"
                    " on conflict (date, site_id) do update set matomo_visits = excluded.matomo_visits,"
                    " gsc_clicks = excluded.gsc_clicks, gsc_impressions = excluded.gsc_impressions"
                )
        return len(batch)

    def daily_analytics(
        self, start: dt.date, end: dt.date, site_ids: Sequence[uuid.UUID] | None = None
    ) -> list[AnalyticsRow]:
        """Rows with start <= date <= end, ordered by date then site."""
        query = "select date, site_id, matomo_visits, gsc_clicks, gsc_impressions from public.daily_analytics" \
                " where date between %s and %s"
        params: list[Any] = [start, end]
        if site_ids is not None:
            query += " and site_id = any(%s)"
            params.append(list(site_ids))
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(AnalyticsRow))
            return cur.execute(query + " order by date, site_id", params).fetchall()

    # -- Hub API: operators, account updates, paging and analytics aggregates ----------------
    def add_operator(self, email: str, password_hash: str) -> Operator:
        email = _clean_email(email)
        try:
            with self.connection() as conn:
                row = conn.execute(
                    "insert into public.operators (email, password_hash) values (%s, %s) returning id, created_at",
                    (email, password_hash),
                ).fetchone()
        except errors.UniqueViolation:
            raise Conflict(f"an operator with email {email!r} already exists") from None
        return Operator(row[0], row[1], email, False, None)

    def list_operators(self) -> list[Operator]:
        with self.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Operator))
            return cur.execute(
                "select id, created_at, email, disabled, last_sign_in_at from public.operators order by email"
            ).fetchall()

    def operator_password_hash(self, email: str) -> tuple[Operator, str] | None:
        """The operator and their password hash, for sign-in only; None if unknown."""
        with self.connection() as conn:
            row = conn.execute(
                "select id, created_at, email, disabled, last_sign_in_at, password_hash"
                " from public.operators where email = lower(%s)", (email.strip(),),
            ).fetchone()
        return (Operator(*row[:5]), row[5]) if row else None

    def set_operator_password(self, email: str, password_hash: str) -> None:
        with self.connection() as conn:
            if conn.execute("update public.operators set password_hash = %s where email = lower(%s)",
                            (password_hash, email.strip())).rowcount == 0:
                raise NotFound(f"no operator {email!r}")

    def set_operator_disabled(self, email: str, disabled: bool) -> None:
        with self.connection() as conn:
            if conn.execute("update public.operators set disabled = %s where email = lower(%s)",
                            (disabled, email.strip())).rowcount == 0:
                raise NotFound(f"no operator {email!r}")

    def record_operator_sign_in(self, operator_id: uuid.UUID) -> None:
        with self.connection() as conn:
            conn.execute("update public.operators set last_sign_in_at = now() where id = %s", (operator_id,))

    def update_cloudflare_account(
        self, account_id: uuid.UUID, *, email: str | None = None, nickname: str | None = None,
        api_token: str | None = None,
    ) -> CloudflareAccount:
        changes: dict[str, Any] = {}
        if email is not None:
            changes["email"] = _clean_email(email)
        if nickname is not None:
            changes["account_nickname"] = _clean_text(nickname, "nickname", max_len=100)
        if api_token is not None:
            changes["api_token"] = secrets.encrypt(_clean_secret(api_token, "Cloudflare API token"))
        self._update_account("cloudflare_accounts", account_id, changes, "Cloudflare")
        return self.get_cloudflare_account(account_id)

    def update_gsc_account(
        self, account_id: uuid.UUID, *, email: str | None = None, refresh_token: str | None = None
    ) -> GscAccount:
        changes: dict[str, Any] = {}
        if email is not None:
            changes["email"] = _clean_email(email)
        if refresh_token is not None:
            changes["oauth_refresh_token"] = secrets.encrypt(_clean_secret(refresh_token, "Google refresh token"))
        self._update_account("gsc_accounts", account_id, changes, "Google")
        return self.get_gsc_account(account_id)

    def _update_account(self, table: str, account_id: uuid.UUID, changes: dict[str, Any], vendor: str) -> None:
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes)
        try:
            with self.connection() as conn:
                if not changes:
                    found = conn.execute(sql.SQL("select 1 from public.{} where id = %s").format(
                        sql.Identifier(table)), (account_id,)).fetchone()
                else:
                    found = conn.execute(sql.SQL("update public.{} set {} where id = %s returning 1").format(
                        sql.Identifier(table), assignments), [*changes.values(), account_id]).fetchone()
        except errors.UniqueViolation as exc:
            field = "nickname" if "nickname" in str(exc.diag.constraint_name) else "email"
            raise Conflict(f"another {vendor} account already has that {field}") from None
        if found is None:
            raise NotFound(f"no {vendor} account {account_id}")

    def account_site_counts(self) -> dict[uuid.UUID, int]:
        """How many sites use each account (Cloudflare and Google ids together)."""
        with self.connection() as conn:
            rows = conn.execute(
                "select cloudflare_account_id, count(*) from public.sites group by 1"
                " union all select gsc_account_id, count(*) from public.sites where gsc_account_id is not null group by 1"
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def set_site_accounts(
        self, ref: str | uuid.UUID, *, cloudflare_account: str | None = None,
        gsc_account: str | None = None, clear_gsc_account: bool = False,
    ) -> Site:
        """Move a site to another Cloudflare and/or Google account (by id, nickname or email)."""
        site = self.get_site(ref)
        changes: dict[str, Any] = {}
        if cloudflare_account is not None:
            changes["cloudflare_account_id"] = self.get_cloudflare_account(cloudflare_account.strip()).id
        if clear_gsc_account:
            changes["gsc_account_id"] = None
        elif gsc_account is not None:
            changes["gsc_account_id"] = self.get_gsc_account(gsc_account.strip()).id
        if changes:
            assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes)
            with self.connection() as conn:
                conn.execute(sql.SQL("update public.sites set {} where id = %s").format(assignments),
                             [*changes.values(), site.id])
        return self.get_site(site.id)

    def site_page(
        self, *, status: dict[str, str] | None = None, failed: bool | None = None, search: str | None = None,
        cloudflare_account_id: uuid.UUID | None = None, gsc_account_id: uuid.UUID | None = None,
        limit: int = 50, offset: int = 0,
    ) -> tuple[list[Site], int]:
        """One page of sites (oldest first) and how many match in all."""
        clauses, params = _site_filters(status=status, failed=failed, search=search,
                                        cloudflare_account_id=cloudflare_account_id, gsc_account_id=gsc_account_id)
        where = sql.SQL(" where ") + sql.SQL(" and ").join(clauses) if clauses else sql.SQL("")
        with self.connection() as conn:
            rows = conn.cursor(row_factory=class_row(Site)).execute(
                sql.SQL(_SITE_SELECT) + where + sql.SQL(" order by s.seq limit %s offset %s"), [*params, limit, offset]
            ).fetchall()
            if offset == 0 and len(rows) < limit:
                total = len(rows)  # the whole result fits in this page: no count needed
            else:
                total = conn.execute(sql.SQL("select count(*) from public.sites s") + where, params).fetchone()[0]
        return rows, total

    def analytics_page(
        self, start: dt.date, end: dt.date, site_ids: Sequence[uuid.UUID] | None = None,
        limit: int = 1000, offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Daily rows (with the site's domain), ordered by date then domain, and their count."""
        where = " where a.date between %s and %s"
        params: list[Any] = [start, end]
        if site_ids is not None:
            where += " and a.site_id = any(%s)"
            params.append(list(site_ids))
        with self.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            total = cur.execute("select count(*) as n from public.daily_analytics a" + where, params).fetchone()["n"]
            rows = cur.execute(
                "select a.date, a.site_id, s.domain, a.matomo_visits, a.gsc_clicks, a.gsc_impressions"
                " from public.daily_analytics a join public.sites s on s.id = a.site_id" + where
                + " order by a.date, s.domain limit %s offset %s", [*params, limit, offset],
            ).fetchall()
        return rows, total

    def analytics_site_totals(
        self, start: dt.date, end: dt.date, *, search: str | None = None, order_by: str = "matomo_visits",
        descending: bool = True, limit: int = 50, offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Per-site sums over the date range (every site, zeros where no rows), and the site count."""
        if order_by not in ("domain", "days", "matomo_visits", "gsc_clicks", "gsc_impressions"):
            raise InvalidInput(f"cannot sort by {order_by!r}")
        where = sql.SQL("")
        params: list[Any] = [start, end]
        if search:
            where = sql.SQL(" where s.domain ilike %s or s.brand_name ilike %s")
            pattern = _like_pattern(search)
            params += [pattern, pattern]
        direction = sql.SQL("desc nulls last" if descending else "asc nulls first")
        query = sql.SQL(
            "select s.id as site_id, s.domain, count(a.date)::int as days,"
            " coalesce(sum(a.matomo_visits), 0)::bigint as matomo_visits,"
            " coalesce(sum(a.gsc_clicks), 0)::bigint as gsc_clicks,"
            " coalesce(sum(a.gsc_impressions), 0)::bigint as gsc_impressions,"
            " count(*) over () as total"
            " from public.sites s left join public.daily_analytics a"
            " on a.site_id = s.id and a.date between %s and %s{where}"
            " group by s.id, s.domain order by {col} {dir}, s.domain limit %s offset %s"
        ).format(where=where, col=sql.Identifier(order_by), dir=direction)
        with self.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(query, [*params, limit, offset]).fetchall()
            if rows:
                total = rows[0]["total"]
            else:
                total = conn.execute(sql.SQL("select count(*) from public.sites s") + where, params[2:]).fetchone()[0]
        for row in rows:
            row.pop("total")
        return rows, total

    def fleet_daily_totals(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Fleet totals per day (from the rollup the triggers keep), oldest first."""
        with self.connection() as conn:
            return conn.cursor(row_factory=dict_row).execute(
                "select date, sites, matomo_visits, gsc_clicks, gsc_impressions"
                " from public.fleet_daily_analytics where date between %s and %s order by date", (start, end),
            ).fetchall()


@dataclass(frozen=True)
class Operator:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    disabled: bool
    last_sign_in_at: dt.datetime | None


def _like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` literally anywhere (its wildcards escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _site_filters(
    *, status: dict[str, str] | None = None, failed: bool | None = None, search: str | None = None,
    cloudflare_account_id: uuid.UUID | None = None, gsc_account_id: uuid.UUID | None = None,
) -> tuple[list[sql.Composable], list[Any]]:
    """WHERE clauses (over `sites s`) and their parameters for the site list filters."""
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for column, value in (status or {}).items():
        _check_status(column, value)
        clauses.append(sql.SQL("s.{} = %s").format(sql.Identifier(column)))
        params.append(value)
    if failed is not None:
        any_failed = sql.SQL(" or ").join(sql.SQL("s.{} = 'failed'").format(sql.Identifier(c)) for c in STATUS_VALUES)
        clauses.append(sql.SQL("({})").format(any_failed) if failed else sql.SQL("not ({})").format(any_failed))
    if search:
        clauses.append(sql.SQL("(s.domain ilike %s or s.brand_name ilike %s)"))
        pattern = _like_pattern(search)
        params += [pattern, pattern]
    if cloudflare_account_id:
        clauses.append(sql.SQL("s.cloudflare_account_id = %s"))
        params.append(cloudflare_account_id)
    if gsc_account_id:
        clauses.append(sql.SQL("s.gsc_account_id = %s"))
        params.append(gsc_account_id)
    return clauses, params


def _check_status(column: str, status: str) -> None:
    allowed = STATUS_VALUES.get(column)
    if allowed is None:
        raise InvalidInput(f"{column!r} is not a status column ({', '.join(STATUS_VALUES)})")
    if status not in allowed:
        raise InvalidInput(f"{status!r} is not a valid {column} ({', '.join(allowed)})")


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
