"""Cloudflare API v4 simulator (vendor-apis.md §1, Appendix A).

Accounts: every bearer token is its own user with one account whose id is
`account_id_for(token)`; zones belong to the token that created them and are
invisible to other tokens. Tokens starting with "revoked" (or a missing
Authorization header) get 403 code 10000 "Authentication error".

Zone activation: a new zone is "pending" and becomes "active" as soon as the
Namecheap simulator holds exactly the zone's two `name_servers` for that
domain (checked on every read, like Cloudflare's periodic activation check),
or — optionally — `auto_activate_after_s` (vendor seconds, time-scaled) after
creation.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from urllib.parse import unquote

from .clock import Clock, iso_now
from .wire import Request, Response, json_response

NS_NAMES = ["ada", "bob", "cruz", "dina", "elle", "finn", "gail", "hugo", "iris", "jack",
            "kate", "liam", "mona", "nash", "olga", "pete", "quin", "rita", "sam", "tess"]
SETTING_DEFAULTS = {"ssl": "flexible", "always_use_https": "off", "min_tls_version": "1.0",
                    "automatic_https_rewrites": "off", "brotli": "on"}
SETTING_VALUES = {"ssl": {"off", "flexible", "full", "strict", "origin_pull"},
                  "always_use_https": {"on", "off"}, "automatic_https_rewrites": {"on", "off"}}
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def account_id_for(token: str) -> str:
    """Deterministic account id of the (single) account a sandbox token owns."""
    return hashlib.md5(("acct:" + token).encode()).hexdigest()


def name_servers_for(zone_name: str, account_id: str) -> list[str]:
    h = hashlib.sha256(f"{account_id}:{zone_name}".encode()).digest()
    a = h[0] % len(NS_NAMES)
    b = (a + 1 + h[1] % (len(NS_NAMES) - 1)) % len(NS_NAMES)
    return [f"{NS_NAMES[a]}.ns.cloudflare.com", f"{NS_NAMES[b]}.ns.cloudflare.com"]


def envelope(result, result_info=None, status=200, headers=None) -> Response:
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return json_response(body, status, headers)


def error(status: int, *errors: tuple[int, str], headers=None) -> Response:
    return json_response({"success": False, "errors": [{"code": c, "message": m} for c, m in errors],
                          "messages": [], "result": None}, status, headers)


def auth_error() -> Response:
    return error(403, (10000, "Authentication error"))


def bearer_token(req: Request) -> str | None:
    auth = req.header("authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def token_is_valid(token: str | None) -> bool:
    return bool(token) and not token.startswith("revoked")


class CloudflareSim:
    vendor = "cloudflare"

    def __init__(self, clock: Clock, namecheap=None, auto_activate_after_s: float | None = None):
        self.clock = clock
        self.namecheap = namecheap  # NamecheapSim, for NS-based activation
        self.auto_activate_after_s = auto_activate_after_s
        self.reset()

    def reset(self) -> None:
        self.zones: dict[str, dict] = {}      # zone id -> zone (incl. private "_token")
        self.records: dict[str, dict] = {}    # record id -> record (incl. "zone_id")
        self.settings: dict[str, dict] = {}   # zone id -> {setting: value}

    # ---- state helpers -------------------------------------------------
    def dump(self) -> dict:
        return {"zones": [dict(z) for z in self.zones.values()],
                "records": [dict(r) for r in self.records.values()],
                "settings": {k: dict(v) for k, v in self.settings.items()}}

    def load(self, data: dict) -> None:
        self.reset()
        for z in data.get("zones", []):
            self.zones[z["id"]] = z
        for r in data.get("records", []):
            self.records[r["id"]] = r
        self.settings = data.get("settings", {})

    def _refresh_status(self, zone: dict) -> None:
        if zone["status"] == "active":
            return
        active = False
        if self.namecheap is not None:
            ns = self.namecheap.nameservers_of(zone["name"])
            if ns is not None and sorted(n.lower() for n in ns) == sorted(zone["name_servers"]):
                active = True
        if (not active and self.auto_activate_after_s is not None
                and self.clock.now() - zone["_created_mono"] >= self.clock.scaled(self.auto_activate_after_s)):
            active = True
        if active:
            zone["status"] = "active"
            zone["activated_on"] = iso_now()
            zone["meta"]["step"] = 4

    def zone_status(self, name: str) -> dict:
        """Status of the zone serving `name` (apex or sub-domain), across all tokens."""
        name = name.lower().rstrip(".")
        best = None
        for z in self.zones.values():
            if name == z["name"] or name.endswith("." + z["name"]):
                self._refresh_status(z)
                if best is None or z["status"] == "active":
                    best = z
        if best is None:
            return {"name": name, "zone": None, "status": "none"}
        return {"name": name, "zone": best["name"], "zone_id": best["id"], "status": best["status"],
                "name_servers": best["name_servers"]}

    def txt_records(self, domain: str) -> list[tuple[dict, dict]]:
        """(zone, record) pairs of TXT records at `domain` in any token's zone."""
        out = []
        for r in self.records.values():
            if r["type"] == "TXT" and r["name"] == domain:
                z = self.zones.get(r["zone_id"])
                if z:
                    self._refresh_status(z)
                    out.append((z, r))
        return out

    @staticmethod
    def public_zone(z: dict) -> dict:
        return {k: v for k, v in z.items() if not k.startswith("_")}

    @staticmethod
    def public_record(r: dict) -> dict:
        return {k: v for k, v in r.items() if not k.startswith("_")}

    # ---- dispatch ------------------------------------------------------
    def handle(self, req: Request, token: str) -> Response:
        parts = [unquote(p) for p in req.path.split("/") if p]
        # parts[0:3] == ["cloudflare", "client", "v4"]
        p = parts[3:]
        m = req.method
        acct = account_id_for(token)
        if p == ["accounts"] and m == "GET":
            return envelope([{"id": acct, "name": "Sandbox account", "type": "standard"}],
                            {"page": 1, "per_page": 20, "count": 1, "total_count": 1, "total_pages": 1})
        if p == ["user", "tokens", "verify"] and m == "GET":
            return envelope({"id": hashlib.md5(token.encode()).hexdigest(), "status": "active"})
        if p == ["zones"]:
            if m == "GET":
                return self.list_zones(req, token)
            if m == "POST":
                return self.create_zone(req, token)
        if len(p) >= 2 and p[0] == "zones":
            zone = self.zones.get(p[1])
            if zone is None or zone["_token"] != token:
                return error(404, (7003, f"Could not route to /client/v4/zones/{p[1]}, perhaps your object identifier is invalid?"),
                             (7000, "No route for that URI"))
            self._refresh_status(zone)
            rest = p[2:]
            if not rest:
                if m == "GET":
                    return envelope(self.public_zone(zone))
                if m == "DELETE":
                    for rid in [r["id"] for r in self.records.values() if r["zone_id"] == zone["id"]]:
                        del self.records[rid]
                    del self.zones[zone["id"]]
                    self.settings.pop(zone["id"], None)
                    return envelope({"id": zone["id"]})
                if m == "PATCH":
                    body = req.json()
                    for k in ("paused", "type", "vanity_name_servers"):
                        if k in body:
                            zone[k] = body[k]
                    zone["modified_on"] = iso_now()
                    return envelope(self.public_zone(zone))
            if rest == ["activation_check"] and m == "PUT":
                return envelope({"id": zone["id"]})
            if rest and rest[0] == "dns_records":
                return self.handle_records(req, zone, rest[1:])
            if rest and rest[0] == "settings" and len(rest) == 2:
                return self.handle_setting(req, zone, rest[1])
        return error(400, (7000, "No route for that URI"))

    # ---- zones ---------------------------------------------------------
    def list_zones(self, req: Request, token: str) -> Response:
        zones = [z for z in self.zones.values() if z["_token"] == token]
        for z in zones:
            self._refresh_status(z)
        name = req.q("name") or req.q("name.equal")
        if name:
            zones = [z for z in zones if z["name"] == name.lower()]
        if req.q("name.contains"):
            zones = [z for z in zones if req.q("name.contains").lower() in z["name"]]
        if req.q("name.starts_with"):
            zones = [z for z in zones if z["name"].startswith(req.q("name.starts_with").lower())]
        if req.q("name.ends_with"):
            zones = [z for z in zones if z["name"].endswith(req.q("name.ends_with").lower())]
        acct = req.q("account.id")
        if acct:
            zones = [z for z in zones if z["account"]["id"] == acct]
        if req.q("status"):
            zones = [z for z in zones if z["status"] == req.q("status")]
        zones.sort(key=lambda z: z["name"])
        if req.q("direction") == "desc":
            zones.reverse()
        return self.paginate(req, [self.public_zone(z) for z in zones])

    @staticmethod
    def paginate(req: Request, items: list) -> Response:
        # Page past the end returns result: [] (the SDK iterates until empty).
        try:
            page = max(1, int(float(req.q("page") or 1)))
            per_page = int(float(req.q("per_page") or 20))
        except ValueError:
            return error(400, (1001, "Invalid pagination parameters"))
        per_page = min(max(per_page, 5), 5000)
        total = len(items)
        chunk = items[(page - 1) * per_page: page * per_page]
        return envelope(chunk, {"page": page, "per_page": per_page, "count": len(chunk),
                                "total_count": total, "total_pages": (total + per_page - 1) // per_page})

    def create_zone(self, req: Request, token: str) -> Response:
        try:
            body = req.json()
        except ValueError:
            return error(400, (1001, "Malformed JSON in request body"))
        name = str(body.get("name") or "").lower().rstrip(".")
        acct = account_id_for(token)
        acct_req = (body.get("account") or {}).get("id") or acct
        if acct_req != acct:
            return error(403, (9109, "Unauthorized to access requested resource"))
        if not DOMAIN_RE.match(name):
            return error(400, (1049, f"{name} is not a registered domain"))
        ztype = body.get("type") or "full"
        for z in self.zones.values():
            if z["name"] == name and z["_token"] == token:
                return error(400, (1061, f"{name} already exists"))
        zid = uuid.uuid4().hex
        now = iso_now()
        zone = {
            "id": zid, "name": name, "status": "pending", "paused": False, "type": ztype,
            "development_mode": 0, "name_servers": name_servers_for(name, acct),
            "original_name_servers": ["dns1.registrar-servers.com", "dns2.registrar-servers.com"],
            "original_registrar": None, "original_dnshost": None,
            "created_on": now, "modified_on": now, "activated_on": None,
            "meta": {"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3, "phishing_detected": False},
            "owner": {"id": None, "type": "user", "name": None},
            "account": {"id": acct, "name": "Sandbox account"},
            "tenant": {"id": None, "name": None}, "tenant_unit": {"id": None},
            "permissions": ["#zone:read", "#zone:edit"],
            "plan": {"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "price": 0, "currency": "USD",
                     "frequency": "", "is_subscribed": False, "can_subscribe": False, "legacy_id": "free",
                     "legacy_discount": False, "externally_managed": False},
            "vanity_name_servers": [], "verification_key": None, "cname_suffix": None,
            "_token": token, "_created_mono": self.clock.now(),
        }
        self.zones[zid] = zone
        self.settings[zid] = dict(SETTING_DEFAULTS)
        self._refresh_status(zone)
        return envelope(self.public_zone(zone))

    # ---- dns records ---------------------------------------------------
    @staticmethod
    def fqdn(name: str, zone_name: str) -> str:
        name = (name or "@").lower().rstrip(".")
        if name in ("@", ""):
            return zone_name
        if name == zone_name or name.endswith("." + zone_name):
            return name
        return f"{name}.{zone_name}"

    def handle_records(self, req: Request, zone: dict, rest: list[str]) -> Response:
        m = req.method
        if not rest:
            if m == "GET":
                return self.list_records(req, zone)
            if m == "POST":
                return self.write_record(req, zone, None, full=True)
        elif len(rest) == 1:
            rec = self.records.get(rest[0])
            if rec is None or rec["zone_id"] != zone["id"]:
                return error(404, (81044, "Record does not exist."))
            if m == "GET":
                return envelope(self.public_record(rec))
            if m == "DELETE":
                del self.records[rec["id"]]
                return envelope({"id": rec["id"]})
            if m in ("PUT", "PATCH"):
                return self.write_record(req, zone, rec, full=(m == "PUT"))
        return error(400, (7000, "No route for that URI"))

    def list_records(self, req: Request, zone: dict) -> Response:
        recs = [r for r in self.records.values() if r["zone_id"] == zone["id"]]
        rtype = req.q("type")
        if rtype:
            recs = [r for r in recs if r["type"] == rtype.upper()]
        for field in ("name", "content"):
            exact = req.q(field) or req.q(f"{field}.exact")
            if exact:
                val = self.fqdn(exact, zone["name"]) if field == "name" else exact
                recs = [r for r in recs if (r[field].lower() == val.lower())]
            for op, fn in (("contains", lambda a, b: b in a), ("startswith", str.startswith),
                           ("endswith", str.endswith)):
                v = req.q(f"{field}.{op}")
                if v:
                    recs = [r for r in recs if fn(r[field].lower(), v.lower())]
        recs.sort(key=lambda r: (r["type"], r["name"], r["created_on"]))
        return self.paginate(req, [self.public_record(r) for r in recs])

    def write_record(self, req: Request, zone: dict, rec: dict | None, full: bool) -> Response:
        try:
            body = req.json()
        except ValueError:
            return error(400, (1001, "Malformed JSON in request body"))
        base = {} if (rec is None or full) else rec
        rtype = str(body.get("type", base.get("type", ""))).upper()
        name = self.fqdn(body.get("name", base.get("name", "@")), zone["name"])
        content = body.get("content", base.get("content"))
        if rtype not in {"A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA", "SRV"}:
            return error(400, (9005, "Content for record is invalid. Invalid type."))
        if content in (None, ""):
            return error(400, (9007, "Content for record is required"))
        content = str(content)
        if rtype == "A" and not re.match(r"^\d{1,3}(\.\d{1,3}){3}$", content):
            return error(400, (9005, "Content for A record is invalid. Must be a valid IPv4 address"))
        proxiable = rtype in ("A", "AAAA", "CNAME")
        proxied = bool(body.get("proxied", base.get("proxied", False))) and proxiable
        ttl = int(body.get("ttl", base.get("ttl", 1)))
        if proxied:
            ttl = 1
        elif ttl != 1 and not (60 <= ttl <= 86400):
            return error(400, (9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic."))
        for other in self.records.values():
            if other["zone_id"] != zone["id"] or (rec is not None and other["id"] == rec["id"]):
                continue
            if other["name"] != name:
                continue
            if other["type"] == rtype and other["content"] == content:
                return error(400, (81058, "An identical record already exists."))
            if rtype == "CNAME" and other["type"] == "CNAME":
                return error(400, (81057, "Record already exists."))
            if (rtype == "CNAME" and other["type"] in ("A", "AAAA")) or \
                    (other["type"] == "CNAME" and rtype in ("A", "AAAA")):
                return error(400, (81053, "An A, AAAA, or CNAME record with that host already exists."))
        now = iso_now()
        new = {
            "id": rec["id"] if rec else uuid.uuid4().hex, "zone_id": zone["id"], "zone_name": zone["name"],
            "name": name, "type": rtype, "content": content, "proxiable": proxiable, "proxied": proxied,
            "ttl": ttl, "settings": body.get("settings", base.get("settings", {})) or {}, "meta": {},
            "comment": body.get("comment", base.get("comment")), "tags": body.get("tags", base.get("tags", [])) or [],
            "created_on": rec["created_on"] if rec else now, "modified_on": now,
        }
        if "priority" in body or "priority" in base:
            new["priority"] = body.get("priority", base.get("priority"))
        self.records[new["id"]] = new
        return envelope(self.public_record(new))

    # ---- settings ------------------------------------------------------
    def handle_setting(self, req: Request, zone: dict, setting: str) -> Response:
        values = self.settings.setdefault(zone["id"], dict(SETTING_DEFAULTS))
        if setting not in values and setting not in SETTING_VALUES:
            return error(404, (1003, f"Invalid or unknown zone setting: {setting}"))
        if req.method == "PATCH":
            value = req.json().get("value")
            allowed = SETTING_VALUES.get(setting)
            if value is None or (allowed and value not in allowed):
                return error(400, (1007, f"Invalid value for zone setting {setting}"))
            values[setting] = value
            values[f"_mod_{setting}"] = iso_now()
        elif req.method != "GET":
            return error(400, (7000, "No route for that URI"))
        return envelope({"id": setting, "value": values.get(setting), "editable": True,
                         "modified_on": values.get(f"_mod_{setting}")})
