"""Namecheap XML API simulator (vendor-apis.md §2, Appendix A).

Always HTTP 200 with an <ApiResponse Status="OK|ERROR"> envelope. Every
ApiUser is its own account; every domain counts as registered in it, except
second-level labels starting with "notmine" (2019166 Domain not found) or
"notassoc" (2016166 Domain is not associated with your account).
ApiKeys starting with "revoked"/"invalid" are rejected (1011102); a ClientIp
outside the whitelist (default {"127.0.0.1"}) gets 1011150.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

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

    def __init__(self, whitelist: set[str] | None = None):
        self.whitelist = set(whitelist or {"127.0.0.1"})
        self.reset()

    def reset(self) -> None:
        # (api_user, domain) -> {"nameservers": [...], "is_our_dns": bool, "created": date iso}
        self.domains: dict[tuple[str, str], dict] = {}

    def dump(self) -> dict:
        return {"domains": [{"api_user": u, "domain": d, **v} for (u, d), v in self.domains.items()]}

    def load(self, data: dict) -> None:
        self.reset()
        for row in data.get("domains", []):
            row = dict(row)
            self.domains[(row.pop("api_user"), row.pop("domain"))] = row

    def nameservers_of(self, domain: str) -> list[str] | None:
        """Current nameservers of `domain` in any account (None if untouched)."""
        for (_, d), v in self.domains.items():
            if d == domain:
                return list(v["nameservers"])
        return None

    def _domain(self, user: str, domain: str) -> dict:
        key = (user, domain)
        if key not in self.domains:
            self.domains[key] = {"nameservers": list(DEFAULT_NS), "is_our_dns": True,
                                 "created": (date(2024, 1, 15)).isoformat()}
        return self.domains[key]

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

    def set_custom(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        raw = first_ci(form, "Nameservers") or ""
        ns = [n.strip().lower().rstrip(".") for n in raw.split(",") if n.strip()]
        if len(ns) < 2:
            return error(cmd, ERR_NS_TOO_FEW, "Nameservers: at least two nameservers are required")
        d = self._domain(user, domain)
        d["nameservers"] = ns
        d["is_our_dns"] = False
        return envelope(cmd, f'<DomainDNSSetCustomResult Domain="{domain}" Updated="true" />')

    def set_default(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        d = self._domain(user, domain)
        d["nameservers"], d["is_our_dns"] = list(DEFAULT_NS), True
        return envelope(cmd, f'<DomainDNSSetDefaultResult Domain="{domain}" Updated="true" />')

    def dns_get_list(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user)
        if err:
            return err
        d = self._domain(user, domain)
        ns = "".join(f"<Nameserver>{escape(n)}</Nameserver>" for n in d["nameservers"])
        return envelope(cmd, f'<DomainDNSGetListResult Domain="{domain}" IsUsingOurDNS="{str(d["is_our_dns"]).lower()}">'
                             f"{ns}</DomainDNSGetListResult>")

    def _domain_xml(self, idx: int, user: str, domain: str, d: dict) -> str:
        created = date.fromisoformat(d["created"])
        expires = created + timedelta(days=365 * 3)
        return (f'<Domain ID="{1000 + idx}" Name="{domain}" User="{escape(user)}" Created="{created:%m/%d/%Y}" '
                f'Expires="{expires:%m/%d/%Y}" IsExpired="false" IsLocked="false" AutoRenew="true" '
                f'WhoisGuard="ENABLED" IsPremium="false" IsOurDNS="{str(d["is_our_dns"]).lower()}"/>')

    def domains_get_list(self, form, cmd, user) -> Response:
        rows = sorted((d, v) for (u, d), v in self.domains.items() if u == user)
        term = (first_ci(form, "SearchTerm") or "").lower()
        if term:
            rows = [r for r in rows if term in r[0]]
        if (first_ci(form, "SortBy") or "").upper() == "NAME_DESC":
            rows.reverse()
        page = int(first_ci(form, "Page") or 1)
        size = min(max(int(first_ci(form, "PageSize") or 20), 10), 100)
        chunk = rows[(page - 1) * size: page * size]
        items = "".join(self._domain_xml(i, user, d, v) for i, (d, v) in enumerate(chunk))
        return envelope(cmd, f"<DomainGetListResult>{items}</DomainGetListResult>"
                             f"<Paging><TotalItems>{len(rows)}</TotalItems><CurrentPage>{page}</CurrentPage>"
                             f"<PageSize>{size}</PageSize></Paging>")

    def get_info(self, form, cmd, user) -> Response:
        domain, err = self._lookup(form, cmd, user, by_name=True)
        if err:
            return err
        d = self._domain(user, domain)
        provider = "FREE" if d["is_our_dns"] else "CUSTOM"
        ns = "".join(f"<Nameserver>{escape(n)}</Nameserver>" for n in d["nameservers"])
        return envelope(cmd, f'<DomainGetInfoResult Status="Ok" ID="1000" DomainName="{domain}" OwnerName="{escape(user)}" '
                             f'IsOwner="true" IsPremium="false"><DomainDetails><CreatedDate>'
                             f'{date.fromisoformat(d["created"]):%m/%d/%Y}</CreatedDate></DomainDetails>'
                             f'<DnsDetails ProviderType="{provider}" IsUsingOurDNS="{str(d["is_our_dns"]).lower()}">'
                             f"{ns}</DnsDetails></DomainGetInfoResult>")
