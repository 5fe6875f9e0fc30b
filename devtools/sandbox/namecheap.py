"""Namecheap XML API simulator (vendor-apis.md §2, Appendix A).

Always HTTP 200 with an <ApiResponse Status="OK|ERROR"> envelope. Every
ApiUser is its own account; every domain counts as registered in it, except
second-level labels starting with "notmine" (2019166 Domain not found) or
"notassoc" (2016166 Domain is not associated with your account).
ApiKeys starting with "revoked"/"invalid" are rejected (1011102); a ClientIp
outside the whitelist (default {"127.0.0.1"}) gets 1011150.

Each domain has a stable ID, creation and expiry dates, auto-renew and lock flags (tests set them
with `set_domain`, or POST /_sandbox/namecheap/domains) and the moment its nameservers last changed,
which the Cloudflare simulator reads to decide when a zone can activate.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from .clock import Clock
from .wire import Request, Response, first_ci

NS = "http://api.namecheap.com/xml.response"
DEFAULT_NS = ["dns1.registrar-servers.com", "dns2.registrar-servers.com"]
# Two-part public suffixes we accept as a TLD in SLD/TLD splitting.
MULTI_TLDS = {"co.uk", "org.uk", "com.au", "co.nz", "com.br", "co.jp"}
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")

# Sandbox-chosen codes for cases the reference does not pin down.
ERR_TOO_MANY_REQUESTS = "500000"   # rate limit (no documented shape; see README)
ERR_NS_TOO_FEW = "2011170"         # setCustom with < 2 nameservers
ERR_UNKNOWN_COMMAND = "1010104"
ERR_BAD_PARAMETER = "2011166"       # an invalid ListType/SortBy/Page value
CREATED_DEFAULT = date(2024, 1, 15)
EXPIRING_DAYS = 30                 # ListType=EXPIRING: expires within this many days (sandbox choice)
LIST_TYPES = ("ALL", "EXPIRING", "EXPIRED")
SORTS = {"NAME": ("name", False), "NAME_DESC": ("name", True), "EXPIREDATE": ("expires", False),
         "EXPIREDATE_DESC": ("expires", True), "CREATEDATE": ("created", False), "CREATEDATE_DESC": ("created", True)}
WRITE_PREFIXES = ("set", "create", "renew", "reactivate", "delete", "add", "update", "transfer")
CANONICAL = {c.lower(): c for c in (
    "namecheap.domains.dns.setCustom", "namecheap.domains.dns.setDefault", "namecheap.domains.dns.getList",
    "namecheap.domains.getList", "namecheap.domains.getInfo")}


def canonical_command(command: str) -> str:
    return CANONICAL.get(command.lower(), command)


def is_write(command: str) -> bool:
    return command.rsplit(".", 1)[-1].lower().startswith(WRITE_PREFIXES)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _anniversary_after(created: date, after: date) -> date:
    """The first anniversary of `created` later than `after` (a registration renewed yearly)."""
    years = max(1, after.year - created.year)
    while True:
        try:
            candidate = created.replace(year=created.year + years)
        except ValueError:  # 29 February
            candidate = created.replace(year=created.year + years, day=28)
        if candidate > after:
            return candidate
        years += 1


def split_domain(domain: str) -> tuple[str, str]:
    d = domain.lower().rstrip(".")
    labels = d.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in MULTI_TLDS:
        return ".".join(labels[:-2]), ".".join(labels[-2:])
    return ".".join(labels[:-1]), labels[-1]


def envelope(command: str, inner: str = "", errors: list[tuple[str, str]] | None = None) -> Response:
    status = "ERROR" if errors else "OK"
    errs = "".join(f"<Error Number={quoteattr(n)}>{escape(m)}</Error>" for n, m in (errors or []))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<ApiResponse xmlns="{NS}" Status="{status}">',
        f"<Errors>{errs}</Errors>" if errs else "<Errors />",
        "<Warnings />",
        f"<RequestedCommand>{escape(command)}</RequestedCommand>",
    ]
    if not errors:
        parts.append(f"<CommandResponse Type={quoteattr(command)}>{inner}</CommandResponse>")
    parts += ["<Server>SANDBOX</Server>", "<GMTTimeDifference>--5:00</GMTTimeDifference>",
              "<ExecutionTime>0.01</ExecutionTime>", "</ApiResponse>"]
    return Response(200, "\n".join(parts).encode(), "text/xml; charset=utf-8")


def error(command: str, number: str, message: str, headers=None) -> Response:
    r = envelope(command, errors=[(number, message)])
    r.headers.update(headers or {})
    return r


class NamecheapSim:
    vendor = "namecheap"

    def __init__(self, whitelist: set[str] | None = None, clock: Clock | None = None):
        self.whitelist = set(whitelist or {"127.0.0.1"})
        self.clock = clock or Clock()
        self.reset()

    def reset(self) -> None:
        # (api_user, domain) -> {"id", "nameservers", "is_our_dns", "created", "expires" (ISO dates),
        #                        "auto_renew", "locked", "ns_changed_at" (epoch s or None)}
        self.domains: dict[tuple[str, str], dict] = {}
        self._first_key: dict[str, tuple[str, str]] = {}  # domain -> the account that touched it first
        self._next_id = 1000

    def dump(self) -> dict:
        return {"domains": [{"api_user": u, "domain": d, **v} for (u, d), v in self.domains.items()],
                "next_id": self._next_id}

    def load(self, data: dict) -> None:
        self.reset()
        for row in data.get("domains", []):
            row = dict(row)
            key = (row.pop("api_user"), row.pop("domain"))
            self.domains[key] = self._with_defaults(row)
            self._first_key.setdefault(key[1], key)
        self._next_id = max([self._next_id, data.get("next_id", 0)] + [v["id"] + 1 for v in self.domains.values()])

    def nameservers_of(self, domain: str) -> list[str] | None:
        """Current nameservers of `domain` in any account (None if untouched)."""
        found = self.delegation_of(domain)
        return found[0] if found else None

    def delegation_of(self, domain: str) -> tuple[list[str], float | None] | None:
        """(nameservers, epoch seconds they were last changed) of `domain` in any account."""
        key = self._first_key.get(domain)  # an index: Cloudflare asks on every request
        if key is None:
            return None
        v = self.domains[key]
        return list(v["nameservers"]), v.get("ns_changed_at")

    def _with_defaults(self, row: dict) -> dict:
        if "id" not in row:
            row["id"] = self._next_id
            self._next_id += 1
        row.setdefault("nameservers", list(DEFAULT_NS))
        row.setdefault("is_our_dns", True)
        row.setdefault("created", CREATED_DEFAULT.isoformat())
        row.setdefault("expires", _anniversary_after(date.fromisoformat(row["created"]),
                                                     self.clock.today() + timedelta(days=EXPIRING_DAYS)).isoformat())
        row.setdefault("auto_renew", True)
        row.setdefault("locked", False)
        row.setdefault("ns_changed_at", None)
        return row

    def _domain(self, user: str, domain: str) -> dict:
        key = (user, domain)
        if key not in self.domains:
            self.domains[key] = self._with_defaults({})
            self._first_key.setdefault(domain, key)
        return self.domains[key]

    def set_domain(self, api_user: str, domain: str, *, created: date | str | None = None,
                   expires: date | str | None = None, auto_renew: bool | None = None,
                   locked: bool | None = None) -> dict:
        """Register `domain` in `api_user`'s account (or update it): what a test needs for
        expiry and auto-renew probes. Returns the domain's row."""
        domain = domain.lower().rstrip(".")
        dates = {name: (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
                 for name, value in (("created", created), ("expires", expires)) if value is not None}
        d = self._domain(api_user, domain)  # after parsing: bad input changes nothing
        d.update(dates)
        if auto_renew is not None:
            d["auto_renew"] = bool(auto_renew)
        if locked is not None:
            d["locked"] = bool(locked)
        return {"api_user": api_user, "domain": domain, **d}

    # ---- auth (global parameters, §2.4) --------------------------------
    def authenticate(self, form: dict) -> tuple[str, str, Response | None]:
        cmd = first_ci(form, "Command") or ""
        user = first_ci(form, "ApiUser")
        key = first_ci(form, "ApiKey")
        ip = first_ci(form, "ClientIp")
        if not user:
            return cmd, "", error(cmd, "1010101", "Parameter APIUser is missing")
        if not key:
            return cmd, user, error(cmd, "1010102", "Parameter APIKey is missing")
        if not cmd:
            return cmd, user, error(cmd, "1010104", "Parameter Command is missing")
        if not ip:
            return cmd, user, error(cmd, "1010105", "Parameter ClientIp is missing")
        if key.lower().startswith(("revoked", "invalid")):
            return cmd, user, error(cmd, "1011102", "API Key is invalid or API access has not been enabled")
        if ip not in self.whitelist:
            return cmd, user, error(cmd, "1011150", f"Invalid request IP: {ip}")
        return cmd, user, None

    def handle(self, req: Request, form: dict, cmd: str, user: str) -> Response:
        c = cmd.lower()
        if c == "namecheap.domains.dns.setcustom":
            return self.set_custom(form, cmd, user)
        if c == "namecheap.domains.dns.getlist":
            return self.dns_get_list(form, cmd, user)
        if c == "namecheap.domains.dns.setdefault":
            return self.set_default(form, cmd, user)
        if c == "namecheap.domains.getlist":
            return self.domains_get_list(form, cmd, user)
        if c == "namecheap.domains.getinfo":
            return self.get_info(form, cmd, user)
        return error(cmd, ERR_UNKNOWN_COMMAND, f"Invalid Command: {cmd}")

    def _lookup(self, form: dict, cmd: str, user: str, by_name: bool = False):
        if by_name:
            name = (first_ci(form, "DomainName") or "").lower()
            sld, tld = split_domain(name) if "." in name else (name, "")
        else:
            sld = (first_ci(form, "SLD") or "").lower()
            tld = (first_ci(form, "TLD") or "").lower()
        if not sld or not tld:
            missing = "DomainName" if by_name else ("SLD" if not sld else "TLD")
            return None, error(cmd, "2011166" if by_name else "1010106", f"Parameter {missing} is missing")
        if not all(HOST_RE.match(x) for x in sld.split(".")) or not re.match(r"^[a-z]{2,63}(\.[a-z]{2,63})?$", tld):
            return None, error(cmd, "2030166", "Domain is invalid")
        if sld.split(".")[-1].startswith("notmine"):
            return None, error(cmd, "2019166", "Domain not found")
        if sld.split(".")[-1].startswith("notassoc"):
            return None, error(cmd, "2016166", "Domain is not associated with your account")
        return f"{sld}.{tld}", None

    def _set_nameservers(self, d: dict, ns: list[str], ours: bool) -> None:
        if d["nameservers"] != ns:  # the same list again changes nothing at the registry
            d["ns_changed_at"] = self.clock.wall()
        d["nameservers"], d["is_our_dns"] = ns, ours

    def set_custom(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        raw = first_ci(form, "Nameservers") or ""
        ns = [n.strip().lower().rstrip(".") for n in raw.split(",") if n.strip()]
        if len(ns) < 2:
            return error(cmd, ERR_NS_TOO_FEW, "Nameservers: at least two nameservers are required")
        self._set_nameservers(self._domain(user, domain), ns, False)
        return envelope(cmd, f'<DomainDNSSetCustomResult Domain="{domain}" Updated="true" />')

    def set_default(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        self._set_nameservers(self._domain(user, domain), list(DEFAULT_NS), True)
        return envelope(cmd, f'<DomainDNSSetDefaultResult Domain="{domain}" Updated="true" />')

    def dns_get_list(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        d = self._domain(user, domain)
        ns = "".join(f"<Nameserver>{escape(n)}</Nameserver>" for n in d["nameservers"])
        return envelope(cmd, f'<DomainDNSGetListResult Domain="{domain}" IsUsingOurDNS="{_bool(d["is_our_dns"])}">'
                             f"{ns}</DomainDNSGetListResult>")

    def _expired(self, d: dict) -> bool:
        return date.fromisoformat(d["expires"]) < self.clock.today()

    def _domain_xml(self, user: str, domain: str, d: dict) -> str:
        created, expires = date.fromisoformat(d["created"]), date.fromisoformat(d["expires"])
        return (f'<Domain ID="{d["id"]}" Name="{domain}" User="{escape(user)}" Created="{created:%m/%d/%Y}" '
                f'Expires="{expires:%m/%d/%Y}" IsExpired="{_bool(self._expired(d))}" IsLocked="{_bool(d["locked"])}" '
                f'AutoRenew="{_bool(d["auto_renew"])}" WhoisGuard="ENABLED" IsPremium="false" '
                f'IsOurDNS="{_bool(d["is_our_dns"])}"/>')

    def domains_get_list(self, form, cmd, user) -> Response:
        list_type = (first_ci(form, "ListType") or "ALL").upper()
        sort_by = (first_ci(form, "SortBy") or "").upper()
        if list_type not in LIST_TYPES:
            return error(cmd, ERR_BAD_PARAMETER, f"Parameter ListType is invalid: {list_type}")
        if sort_by and sort_by not in SORTS:
            return error(cmd, ERR_BAD_PARAMETER, f"Parameter SortBy is invalid: {sort_by}")
        try:
            page = int(first_ci(form, "Page") or 1)
            size = int(first_ci(form, "PageSize") or 20)
        except ValueError:
            return error(cmd, ERR_BAD_PARAMETER, "Parameter Page or PageSize is invalid")
        if page < 1:
            return error(cmd, ERR_BAD_PARAMETER, "Parameter Page is invalid")
        size = min(max(size, 10), 100)
        rows = [(d, v) for (u, d), v in self.domains.items() if u == user]
        term = (first_ci(form, "SearchTerm") or "").lower()
        if term:
            rows = [r for r in rows if term in r[0]]
        today = self.clock.today()
        if list_type == "EXPIRED":
            rows = [r for r in rows if self._expired(r[1])]
        elif list_type == "EXPIRING":
            soon = today + timedelta(days=EXPIRING_DAYS)
            rows = [r for r in rows if today <= date.fromisoformat(r[1]["expires"]) <= soon]
        # Namecheap's default order is the newest registration first; ties by ID
        field, desc = SORTS.get(sort_by, ("created", True))
        rows.sort(key=lambda r: r[1]["id"])
        rows.sort(key=lambda r: r[0] if field == "name" else r[1][field], reverse=desc)
        chunk = rows[(page - 1) * size: page * size]
        items = "".join(self._domain_xml(user, d, v) for d, v in chunk)
        return envelope(cmd, f"<DomainGetListResult>{items}</DomainGetListResult>"
                             f"<Paging><TotalItems>{len(rows)}</TotalItems><CurrentPage>{page}</CurrentPage>"
                             f"<PageSize>{size}</PageSize></Paging>")

    def get_info(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user, by_name=True)
        if err:
            return err
        d = self._domain(user, domain)
        created, expires = date.fromisoformat(d["created"]), date.fromisoformat(d["expires"])
        status = "Expired" if self._expired(d) else "Locked" if d["locked"] else "Ok"
        provider = "FREE" if d["is_our_dns"] else "CUSTOM"
        ns = "".join(f"<Nameserver>{escape(n)}</Nameserver>" for n in d["nameservers"])
        return envelope(cmd, f'<DomainGetInfoResult Status="{status}" ID="{d["id"]}" DomainName="{domain}" '
                             f'OwnerName="{escape(user)}" IsOwner="true" IsPremium="false">'
                             f"<DomainDetails><CreatedDate>{created:%m/%d/%Y}</CreatedDate>"
                             f"<ExpiredDate>{expires:%m/%d/%Y}</ExpiredDate><NumYears>0</NumYears></DomainDetails>"
                             f'<LockDetails /><Whoisguard Enabled="True"><ID>{d["id"]}</ID>'
                             f"<ExpiredDate>{expires:%m/%d/%Y}</ExpiredDate></Whoisguard>"
                             f'<DnsDetails ProviderType="{provider}" IsUsingOurDNS="{_bool(d["is_our_dns"])}" '
                             f'HostCount="0" EmailType="FWD" DynamicDNSStatus="false" IsFailover="false">'
                             f"{ns}</DnsDetails>"
                             f'<Modificationrights All="true" /></DomainGetInfoResult>')
