"""The `sites` table: adding sites (one or many, all or nothing), finding them, listing them
with filters, and the fields the steps record."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.rows import class_row, dict_row
from psycopg.types.json import Jsonb, set_json_loads
from pydantic_core import from_json

from factory.domains import InvalidDomain, normalize_domain
from factory.store.database import Database
from factory.store.errors import Conflict, InvalidInput, NotFound
from factory.store.models import NewSite, Site
from factory.store.validation import STATUS_VALUES, check_status, clean_domain, clean_text, is_uuid, like_pattern

# Site columns that steps record besides statuses (and the brand name, which operators edit).
SITE_FIELDS = (
    "hosting_doc_root", "matomo_site_id", "brand_name",
    "cloudflare_zone_id", "cloudflare_name_servers", "cloudflare_zone_status",
    "hosting_site_user", "hosting_certificate", "gsc_property",
)

_SELECT = """
select s.id, s.created_at, s.updated_at, s.seq, s.domain, s.brand_name,
       s.cloudflare_account_id, c.account_nickname as cloudflare_account,
       s.gsc_account_id, g.email as gsc_account,
       s.status_dns, s.status_hosting, s.status_content, s.status_deployment,
       s.hosting_doc_root, s.matomo_site_id, s.gsc_verification_status,
       s.error_message, s.error_step,
       s.cloudflare_zone_id, s.cloudflare_name_servers, s.cloudflare_zone_status,
       s.hosting_site_user, s.hosting_certificate, s.gsc_property, s.decommissioned_at, s.theme, s.lang,
       s.site_state as state
  from public.sites s
  join public.cloudflare_accounts c on c.id = s.cloudflare_account_id
  left join public.gsc_accounts g on g.id = s.gsc_account_id
"""


# A page of the sites list as the Hub shows it: the columns of a site there, and each recorded step
# (as JSON, in onboarding order). The page's ids are chosen first from a narrow scan (an index on
# the sort key, where there is one) and only those rows are read in full.
_PAGE_COLUMNS = """
select s.id, s.created_at, s.updated_at, s.domain, s.brand_name,
       s.cloudflare_account_id, c.account_nickname as cloudflare_account,
       s.gsc_account_id, g.email as gsc_account,
       s.status_dns, s.status_hosting, s.status_content, s.status_deployment, s.gsc_verification_status,
       s.hosting_doc_root, s.matomo_site_id, s.error_message, s.error_step,
       s.cloudflare_zone_id, s.cloudflare_zone_status, s.gsc_property, s.decommissioned_at,
       s.site_state as state,
       coalesce((select json_agg(json_build_object(
                    'step', t.step, 'state', t.state, 'since', t.since, 'waiting_for', t.waiting_for,
                    'waiting_since', t.waiting_since, 'next_check_at', t.next_check_at,
                    'deadline_at', t.deadline_at, 'checks', t.checks, 'last_error', t.last_error,
                    'last_error_at', t.last_error_at)
                  order by array_position(%s::text[], t.step), t.step)
                   from public.site_steps t where t.site_id = s.id), '[]') as steps
"""

# The site as a whole (sites.site_state, kept by triggers), in the order "status" sorts by.
SITE_STATES = ("failed", "onboarding", "pending", "live")

# What the sites list sorts by; ties go by domain.
_SORTS: dict[str, str] = {
    "created": "s.seq",
    "domain": "s.domain",
    "brand": "lower(coalesce(s.brand_name, ''))",
    "account": "lower(c.account_nickname)",
    "status": "array_position(array['failed', 'onboarding', 'pending', 'live'], s.site_state)",
}
SITE_SORTS = tuple(_SORTS)


@dataclass(frozen=True)
class SiteChanges:
    """What changed since a cursor: the sites (as they are now) and the domains removed.
    `more`: more changed than the limit allows (reload instead); `cursor`: pass it next time."""

    cursor: str
    changed: list[Site]
    deleted: list[str]
    more: bool


@dataclass(frozen=True)
class SiteQuery:
    """Which sites: every filter given must hold. No limit = all of them, oldest first."""

    status: dict[str, str] = field(default_factory=dict)  # status column -> value
    failed: bool | None = None  # any status column 'failed' (or none)
    search: str | None = None  # part of the domain or brand name
    cloudflare_account_id: uuid.UUID | None = None
    gsc_account_id: uuid.UUID | None = None
    decommissioned: bool | None = False  # False: the live fleet; True: only decommissioned; None: all
    state: str | None = None  # the site as a whole (SITE_STATES)
    sort: str = "created"  # one of SITE_SORTS
    descending: bool = False
    limit: int | None = None
    offset: int = 0

    def order_by(self) -> sql.Composable:
        if self.sort not in _SORTS:
            raise InvalidInput(f"cannot sort by {self.sort!r} (one of {', '.join(SITE_SORTS)})")
        direction = " desc" if self.descending else ""
        tie = "" if self.sort == "created" else ", s.domain"
        return sql.SQL(f" order by {_SORTS[self.sort]}{direction}{tie}")

    def where(self, *extra: sql.Composable) -> tuple[sql.Composable, list[Any]]:
        clauses: list[sql.Composable] = list(extra)
        params: list[Any] = []
        if self.decommissioned is not None:
            clauses.append(sql.SQL("s.decommissioned_at is not null" if self.decommissioned
                                   else "s.decommissioned_at is null"))
        for column, value in self.status.items():
            check_status(column, value)
            clauses.append(sql.SQL("s.{} = %s").format(sql.Identifier(column)))
            params.append(value)
        if self.state is not None:
            if self.state not in SITE_STATES:
                raise InvalidInput(f"{self.state!r} is not a site state ({', '.join(SITE_STATES)})")
            clauses.append(sql.SQL("s.site_state = %s"))
            params.append(self.state)
        if self.failed is not None:
            any_failed = sql.SQL(" or ").join(sql.SQL("s.{} = 'failed'").format(sql.Identifier(c))
                                              for c in STATUS_VALUES)
            clauses.append(sql.SQL("({})" if self.failed else "not ({})").format(any_failed))
        if self.search:
            # lower(domain): what the trigram index covers (the domain is lower-case already)
            clauses.append(sql.SQL("(lower(s.domain) ilike %s or s.brand_name ilike %s)"))
            params += [like_pattern(self.search)] * 2
        if self.cloudflare_account_id:
            clauses.append(sql.SQL("s.cloudflare_account_id = %s"))
            params.append(self.cloudflare_account_id)
        if self.gsc_account_id:
            clauses.append(sql.SQL("s.gsc_account_id = %s"))
            params.append(self.gsc_account_id)
        if not clauses:
            return sql.SQL(""), params
        return sql.SQL(" where ") + sql.SQL(" and ").join(clauses), params


class Sites:
    def __init__(self, db: Database):
        self.db = db

    # -- adding -----------------------------------------------------------------------------
    def validate_new(self, new: NewSite, conn: psycopg.Connection | None = None) -> dict[str, Any]:
        """Check one site against the rules and the accounts; return the row to insert.

        Raises InvalidInput, NotFound (unknown account) or Conflict (domain exists).
        """
        domain = clean_domain(new.domain)
        brand = clean_text(new.brand_name, "brand name", required=False)
        cf_ref = clean_text(new.cloudflare_account, "Cloudflare account")
        gsc_ref = clean_text(new.gsc_account, "Google account", required=False)

        def run(c: psycopg.Connection) -> dict[str, Any]:
            cf = c.execute("select id from public.cloudflare_accounts where account_nickname = %s"
                           " or email = lower(%s) or id::text = %s", (cf_ref, cf_ref, cf_ref)).fetchone()
            if cf is None:
                raise NotFound(f"no Cloudflare account {cf_ref!r}")
            gsc_id = None
            if gsc_ref is not None:
                gsc = c.execute("select id from public.gsc_accounts where email = lower(%s) or id::text = %s",
                                (gsc_ref, gsc_ref)).fetchone()
                if gsc is None:
                    raise NotFound(f"no Google account {gsc_ref!r}")
                gsc_id = gsc[0]
            if c.execute("select 1 from public.sites where domain = %s", (domain,)).fetchone():
                raise Conflict(f"the site {domain} already exists")
            return {"domain": domain, "brand_name": brand, "cloudflare_account_id": cf[0], "gsc_account_id": gsc_id}

        if conn is not None:
            return run(conn)
        with self.db.connection() as c:
            return run(c)

    def add(self, new: NewSite) -> Site:
        return self.add_many([new])[0]

    def add_many(self, batch: Sequence[NewSite]) -> list[Site]:
        """Add several sites in one transaction: all of them, or (on any error) none."""
        domains: list[str] = []
        try:
            with self.db.connection() as conn:
                for new in batch:
                    if clean_domain(new.domain) in domains:
                        raise Conflict(f"the site {clean_domain(new.domain)} is listed twice")
                    row = self.validate_new(new, conn)
                    conn.execute("insert into public.sites (domain, brand_name, cloudflare_account_id, gsc_account_id)"
                                 " values (%(domain)s, %(brand_name)s, %(cloudflare_account_id)s, %(gsc_account_id)s)",
                                 row)
                    domains.append(row["domain"])
        except errors.UniqueViolation:
            # Another writer added one of these domains between our check and insert.
            if len(batch) == 1:
                raise Conflict(f"the site {clean_domain(batch[0].domain)} already exists") from None
            raise Conflict("one of the sites was added by someone else at the same time; nothing was written") from None
        return self.by_domains(domains)

    # -- reading ----------------------------------------------------------------------------
    def get(self, ref: str | uuid.UUID) -> Site:
        """By id or (any spelling of) domain."""
        with self.db.connection() as conn:
            cur = conn.cursor(row_factory=class_row(Site))
            if isinstance(ref, uuid.UUID) or is_uuid(ref):
                row = cur.execute(_SELECT + " where s.id = %s", (str(ref),)).fetchone()
            else:
                try:
                    domain = normalize_domain(ref)
                except InvalidDomain:
                    domain = None
                row = cur.execute(_SELECT + " where s.domain = %s", (domain,)).fetchone() if domain else None
        if row is None:
            raise NotFound(f"no site {str(ref)!r}")
        return row

    def onboarding_queue(self) -> list[tuple[str, uuid.UUID, bool, str | None, dt.datetime | None, dt.datetime | None]]:
        """(domain, Cloudflare account id, zone active, what the DNS step waits for, since when, since
        when the step is in its state) of every site still to be onboarded (pending or onboarding,
        not failed or decommissioned), oldest first: only the columns the ETA needs, so a queue of
        10,000 reads in milliseconds, not whole rows."""
        with self.db.connection() as conn:
            return conn.execute("select s.domain, s.cloudflare_account_id, s.status_dns = 'active',"
                                " t.waiting_for, t.waiting_since, t.since from public.sites s"
                                " left join public.site_steps t on t.site_id = s.id and t.step = 'dns_zone'"
                                " where s.site_state in ('pending', 'onboarding') and s.decommissioned_at is null"
                                " order by s.seq").fetchall()

    def live_since(self, after: dt.datetime) -> list[dt.datetime]:
        """When each site that went live after `after` (and still is) did, oldest first."""
        with self.db.connection() as conn:
            rows = conn.execute("select live_since from public.sites where live_since > %s"
                                " and decommissioned_at is null order by live_since", (after,)).fetchall()
        return [r[0] for r in rows]

    def by_domains(self, domains: Sequence[str]) -> list[Site]:
        """The sites with these (canonical) domains, in the order given; unknown ones are left out."""
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=class_row(Site)).execute(
                _SELECT + " where s.domain = any(%s)", (list(domains),)).fetchall()
        by_domain = {s.domain: s for s in rows}
        return [by_domain[d] for d in domains if d in by_domain]

    def list(self, query: SiteQuery | None = None) -> list[Site]:
        query = query or SiteQuery()
        where, params = query.where()
        statement = sql.SQL(_SELECT) + where + query.order_by()
        if query.limit is not None:
            statement += sql.SQL(" limit %s offset %s")
            params += [query.limit, query.offset]
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Site)).execute(statement, params).fetchall()

    def page(self, query: SiteQuery, step_order: Sequence[str]) -> list[dict[str, Any]]:
        """The sites of one page as plain rows (SiteOut's fields, `steps` a list of dicts), sorted."""
        if query.sort == "account":
            # Account by account in nickname order, each account's sites by domain: the sort goes a
            # group at a time (an incremental sort) and stops at the page, instead of sorting the fleet.
            where, params = query.where(sql.SQL("s.cloudflare_account_id = c.id"))
            ids = (sql.SQL("select s.id from (select id, lower(account_nickname) as nickname"
                           " from public.cloudflare_accounts order by nickname) c cross join lateral (select s.id, s.domain"
                           " from public.sites s") + where + sql.SQL(" order by s.domain) s order by c.nickname")
                   + sql.SQL(" desc" if query.descending else "") + sql.SQL(", s.domain"))
        else:
            where, params = query.where()
            ids = sql.SQL("select s.id from public.sites s") + where + query.order_by()
        if query.limit is not None:
            ids += sql.SQL(" limit %s offset %s")
            params += [query.limit, query.offset]
        statement = (sql.SQL(_PAGE_COLUMNS) + sql.SQL(" from unnest(array(") + ids + sql.SQL(
            ")) with ordinality p(id, n) join public.sites s on s.id = p.id"
            " join public.cloudflare_accounts c on c.id = s.cloudflare_account_id"
            " left join public.gsc_accounts g on g.id = s.gsc_account_id order by p.n"))
        with self.db.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            set_json_loads(from_json, cur)  # the steps' JSON, parsed by pydantic-core
            return cur.execute(statement, [list(step_order), *params]).fetchall()

    def count(self, query: SiteQuery | None = None) -> int:
        where, params = (query or SiteQuery()).where()
        with self.db.connection() as conn:
            return conn.execute(sql.SQL("select count(*) from public.sites s") + where, params).fetchone()[0]

    def count_by_state(self) -> dict[str, int]:
        """How many sites of the live fleet stand in each state, and how many were decommissioned."""
        with self.db.connection() as conn:
            # Index-only: the live fleet's states (sites_live_state_idx), the decommissioned apart.
            rows = conn.execute("select site_state, count(*) from public.sites where decommissioned_at is null"
                                " group by 1 union all select 'decommissioned', count(*) from public.sites"
                                " where decommissioned_at is not null").fetchall()
        counts = dict.fromkeys((*SITE_STATES, "decommissioned"), 0)
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def changes(self, cursor: str | None, limit: int = 500) -> SiteChanges:
        """Sites changed (and domains deleted) since `cursor`; without one, just the cursor to start from.

        The cursor is the oldest transaction still running when asked: every row changed by a
        transaction at or after it is returned next time, so a change that commits late is never
        missed (a row may come twice)."""
        since: int | None = None
        if cursor is not None:
            if not cursor.isdigit() or len(cursor) > 20:
                raise InvalidInput("the cursor is the one a previous answer gave (digits)")
            since = int(cursor)
        with self.db.connection() as conn:
            # First the cursor, then the reads (each statement sees at least what the cursor covers).
            now = conn.execute("select pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()[0]
            if since is None:
                return SiteChanges(cursor=now, changed=[], deleted=[], more=False)
            changed = conn.cursor(row_factory=class_row(Site)).execute(
                _SELECT + " where s.change_xid >= %s::text::xid8 order by s.change_xid, s.seq limit %s",
                (str(since), limit + 1)).fetchall()
            deleted = [r[0] for r in conn.execute(
                "select domain from public.site_deletions where change_xid >= %s::text::xid8"
                " order by change_xid, seq limit %s", (str(since), limit + 1)).fetchall()]
        more = len(changed) > limit or len(deleted) > limit
        return SiteChanges(cursor=now, changed=changed[:limit], deleted=deleted[:limit], more=more)

    def existing_domains(self, domains: Sequence[str]) -> set[str]:
        with self.db.connection() as conn:
            rows = conn.execute("select domain from public.sites where domain = any(%s)", (list(domains),)).fetchall()
        return {r[0] for r in rows}

    def after(self, seq: int, limit: int = 1000) -> list[Site]:
        """Sites inserted after `seq`, oldest first (the new-sites sensor's cursor)."""
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Site)).execute(
                _SELECT + " where s.seq > %s order by s.seq limit %s", (seq, limit)).fetchall()

    def admitted_not_started(self, seq: int) -> int:
        """Sites up to `seq` (admitted by the new-sites sensor) whose first step has not started."""
        with self.db.connection() as conn:
            return conn.execute(
                "select count(*) from public.sites s where s.seq <= %s and s.decommissioned_at is null"
                " and not exists (select 1 from public.site_steps st where st.site_id = s.id and st.step = 'dns_zone')",
                (seq,)).fetchone()[0]

    def ever_deleted(self, domains: Sequence[str]) -> set[str]:
        """Domains a site was deleted under before (a new site with one is a new onboarding)."""
        with self.db.connection() as conn:
            rows = conn.execute("select distinct domain from public.site_deletions where domain = any(%s)",
                                (list(domains),)).fetchall()
        return {r[0] for r in rows}

    def deletions_after(self, seq: int, limit: int = 1000) -> list[tuple[int, str]]:
        """(seq, domain) of sites deleted after `seq`, oldest first."""
        with self.db.connection() as conn:
            return conn.execute("select seq, domain from public.site_deletions where seq > %s order by seq limit %s",
                                (seq, limit)).fetchall()

    def count_by_account(self) -> dict[uuid.UUID, int]:
        """How many sites use each account (Cloudflare and Google ids together)."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "select cloudflare_account_id, count(*) from public.sites group by 1"
                " union all select gsc_account_id, count(*) from public.sites where gsc_account_id is not null group by 1"
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    # -- changing ---------------------------------------------------------------------------
    def update(self, site_id: uuid.UUID, **changes: Any) -> None:
        """Change recorded fields (SITE_FIELDS) in one UPDATE of those columns only."""
        unknown = set(changes) - set(SITE_FIELDS)
        if unknown:
            raise InvalidInput(f"cannot update {', '.join(sorted(unknown))}")
        if "brand_name" in changes:
            changes["brand_name"] = clean_text(changes["brand_name"], "brand name", required=False)
        if not changes:
            return
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes)
        with self.db.connection() as conn:
            if conn.execute(sql.SQL("update public.sites set {} where id = %s").format(assignments),
                            [*changes.values(), site_id]).rowcount == 0:
                raise NotFound(f"no site {site_id}")

    def set_theme(self, site_id: uuid.UUID, theme: str | None) -> None:
        """The operator's theme ("ledger" or "ledger/ink"; None: back to the one picked from the
        domain). The caller checks the name against the theme registry."""
        with self.db.connection() as conn:
            if conn.execute("update public.sites set theme = %s where id = %s", (theme, site_id)).rowcount == 0:
                raise NotFound(f"no site {site_id}")

    def set_accounts(self, site_id: uuid.UUID, *, cloudflare_account_id: uuid.UUID | None = None,
                     gsc_account_id: uuid.UUID | None = None, clear_gsc_account: bool = False) -> None:
        """Move a site to another Cloudflare and/or Google account."""
        changes: dict[str, Any] = {}
        if cloudflare_account_id is not None:
            changes["cloudflare_account_id"] = cloudflare_account_id
        if clear_gsc_account:
            changes["gsc_account_id"] = None
        elif gsc_account_id is not None:
            changes["gsc_account_id"] = gsc_account_id
        if changes:
            assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in changes)
            with self.db.connection() as conn:
                conn.execute(sql.SQL("update public.sites set {} where id = %s").format(assignments),
                             [*changes.values(), site_id])

    def delete(self, ref: str | uuid.UUID) -> Site:
        """Remove a site that has no history; one that has analytics must be decommissioned instead."""
        site = self.get(ref)
        try:
            with self.db.connection() as conn:
                conn.execute("delete from public.sites where id = %s", (site.id,))
        except errors.ForeignKeyViolation:
            raise Conflict(f"{site.domain} has analytics history, which is kept: decommission it instead "
                           "(factory sites decommission)") from None
        return site

    def mark_decommissioned(self, site_id: uuid.UUID, options: dict[str, Any]) -> None:
        with self.db.connection() as conn:
            conn.execute("update public.sites set decommissioned_at = coalesce(decommissioned_at, now()),"
                         " decommission_options = %s where id = %s", (Jsonb(options), site_id))

    def decommissioned_domains(self) -> set[str]:
        with self.db.connection() as conn:
            return {r[0] for r in conn.execute(
                "select domain from public.sites where decommissioned_at is not null").fetchall()}
