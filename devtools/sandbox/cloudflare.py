"""Cloudflare API v4 simulator (vendor-apis.md §1, Appendix A, "Time and the real world").

Accounts: every bearer token is its own user with one account whose id is
`account_id_for(token)`; zones belong to the token that created them and are
invisible to other tokens. Tokens starting with "revoked" (or a missing
Authorization header) get 403 code 10000 "Authentication error".
Tokens are zone-scoped by default (Zone:Edit, DNS:Edit, Zone Settings:Edit, the
least-privilege token docs/production.md prescribes): `GET /accounts` is refused
with 403 9109. Tokens starting with "acct-", tokens granted with
`set_token_scope(token, "account")`, or every token when the server's
`token_scope="account"`, may list accounts.

Zone activation: a new zone is "pending". Cloudflare's periodic check activates it
a random delay (`Delays.activation_min_s..max_s`, seeded per account + name) after
the Namecheap simulator starts delegating to exactly the zone's two
`name_servers`; `PUT /zones/{id}/activation_check` (once per
`activation_check_interval_s` per zone) activates it at once if the delegation is
at least `activation_propagation_s` old. Optionally `auto_activate_after_s`
activates a zone that long after creation whatever the registrar says. Zones
still pending after `pending_zone_ttl_s` (28 days) are deleted. All durations are
vendor seconds, multiplied by the server's time_scale.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from urllib.parse import unquote

from .clock import Clock, iso_at, iso_now
from .delays import Delays
from .ratelimit import retry_after_headers
from .wire import Request, Response, json_response

NS_NAMES = ["ada", "bob", "cruz", "dina", "elle", "finn", "gail", "hugo", "iris", "jack",
            "kate", "liam", "mona", "nash", "olga", "pete", "quin", "rita", "sam", "tess"]
SETTING_DEFAULTS = {"ssl": "flexible", "always_use_https": "off", "min_tls_version": "1.0",
                    "automatic_https_rewrites": "off", "brotli": "on"}
SETTING_VALUES = {"ssl": {"off", "flexible", "full", "strict", "origin_pull"},
                  "always_use_https": {"on", "off"}, "automatic_https_rewrites": {"on", "off"}}
ACCOUNT_SCOPED_PREFIX = "acct-"
SCOPES = ("zone", "account")
# Errors of the new rules. 9109 is Cloudflare's missing-permission error; the activation-check
# codes are sandbox choices (Cloudflare documents the limit, not the error it answers with).
MISSING_PERMISSION = (9109, "Unauthorized to access requested resource")
ACCOUNT_REQUIRED = (1001, "Invalid request: account.id is required")
CHECK_TOO_SOON = (1224, "You can only request an activation check once per hour for a Free zone; please wait")
CHECK_ACTIVE_ZONE = (1225, "This zone is already active; activation checks are for pending zones")
TOKEN_VALID = {"code": 10000, "message": "This API Token is valid and active", "type": None}
INVALID_TOKEN = (1000, "Invalid API Token")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def account_id_for(token: str) -> str:
    """Deterministic account id of the (single) account a sandbox token owns."""
    return hashlib.md5(("acct:" + token).encode()).hexdigest()


def name_servers_for(zone_name: str, account_id: str, generation: int = 0) -> list[str]:
    """The pair Cloudflare assigns: fixed for an account + name, but a zone added again after a
    deletion (generation 1, 2, ...) gets another pair, as Cloudflare may do."""
    seed = f"{account_id}:{zone_name}" + (f":{generation}" if generation else "")
    h = hashlib.sha256(seed.encode()).digest()
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


def verify_response(token: str | None) -> Response:
    """GET /user/tokens/verify: any valid token may call it; Cloudflare's shape."""
    if not token_is_valid(token):
        return error(401, INVALID_TOKEN)
    body = {"success": True, "errors": [], "messages": [TOKEN_VALID],
            "result": {"id": hashlib.md5(token.encode()).hexdigest(), "status": "active"}}
    return json_response(body)


class CloudflareSim:
    vendor = "cloudflare"

    def __init__(self, clock: Clock, namecheap=None, auto_activate_after_s: float | None = None,
                 delays: Delays | None = None, token_scope: str = "zone"):
        if token_scope not in SCOPES:
            raise ValueError(f"token_scope must be one of {SCOPES}")
        self.clock = clock
        self.namecheap = namecheap  # NamecheapSim, for NS-based activation
        self.auto_activate_after_s = auto_activate_after_s
        self.delays = delays if delays is not None else Delays()
        self.token_scope = token_scope  # the scope of a token nobody granted anything
        self.reset()

    def reset(self) -> None:
        self.zones: dict[str, dict] = {}      # zone id -> zone (incl. private "_token", "_created_at", ...)
        self.records: dict[str, dict] = {}    # record id -> record (incl. "zone_id", "_written_at")
        self.settings: dict[str, dict] = {}   # zone id -> {setting: value}
        self.token_scopes: dict[str, str] = {}  # token -> "zone" | "account" (granted explicitly)
        self.generations: dict[str, int] = {}   # "account:name" -> zones created so far (new pair each time)
        self.counters = {"activation_checks": 0, "activation_checks_activated": 0,
                         "activation_checks_refused": 0, "zones_activated": 0, "zones_expired": 0}

    # ---- tokens --------------------------------------------------------
    def set_token_scope(self, token: str, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        self.token_scopes[token] = scope

    def scope_of(self, token: str) -> str:
        if token in self.token_scopes:
            return self.token_scopes[token]
        return "account" if token.startswith(ACCOUNT_SCOPED_PREFIX) else self.token_scope

    # ---- state helpers -------------------------------------------------
    def dump(self) -> dict:
        return {"zones": [dict(z) for z in self.zones.values()],
                "records": [dict(r) for r in self.records.values()],
                "settings": {k: dict(v) for k, v in self.settings.items()},
                "token_scopes": dict(self.token_scopes), "counters": dict(self.counters),
                "generations": dict(self.generations)}

    def load(self, data: dict) -> None:
        self.reset()
        now = self.clock.wall()
        for z in data.get("zones", []):
            z.setdefault("_created_at", now)  # state written before these fields existed
            z.setdefault("_activation_delay_s", 0.0)
            self.zones[z["id"]] = z
        for r in data.get("records", []):
            r.setdefault("_written_at", now)
            self.records[r["id"]] = r
        self.settings = data.get("settings", {})
        self.token_scopes = dict(data.get("token_scopes", {}))
        self.generations = dict(data.get("generations", {}))
        self.counters.update(data.get("counters", {}))

    # ---- activation ------------------------------------------------------
    def delegated_since(self, zone: dict) -> float | None:
        """Since when (epoch s) the registrar delegates to exactly this zone's pair, or None.
        Cloudflare can only see a delegation once the zone exists."""
        found = self.namecheap.delegation_of(zone["name"]) if self.namecheap is not None else None
        if not found:
            return None
        ns, changed_at = found
        if sorted(n.lower() for n in ns) != sorted(zone["name_servers"]):
            return None
        return max(changed_at or zone["_created_at"], zone["_created_at"])

    def _activate(self, zone: dict, at: float) -> None:
        zone["status"] = "active"
        zone["_activated_at"] = at
        zone["activated_on"] = iso_at(at)
        zone["modified_on"] = iso_at(at)
        zone["meta"]["step"] = 4
        self.counters["zones_activated"] += 1

    def _refresh_status(self, zone: dict) -> None:
        """Cloudflare's periodic check, evaluated lazily whenever the zone is looked at."""
        if zone["status"] == "active":
            return
        since = self.delegated_since(zone)
        if since is not None:
            due = since + self.clock.scaled(zone["_activation_delay_s"])
            if self.clock.wall() >= due:
                self._activate(zone, due)
                return
        if self.auto_activate_after_s is not None:
            due = zone["_created_at"] + self.clock.scaled(self.auto_activate_after_s)
            if self.clock.wall() >= due:
                self._activate(zone, due)

    def sweep(self) -> None:
        """Delete zones still pending `pending_zone_ttl_s` after creation (Cloudflare: 28 days)."""
        ttl = self.clock.scaled(self.delays.pending_zone_ttl_s)
        now = self.clock.wall()
        for zone in list(self.zones.values()):
            self._refresh_status(zone)
            if zone["status"] != "active" and now - zone["_created_at"] >= ttl:
                self._delete_zone(zone)
                self.counters["zones_expired"] += 1

    def _delete_zone(self, zone: dict) -> None:
        for rid in [r["id"] for r in self.records.values() if r["zone_id"] == zone["id"]]:
            del self.records[rid]
        del self.zones[zone["id"]]
        self.settings.pop(zone["id"], None)

    def activation_check(self, zone: dict) -> Response:
        """PUT /zones/{id}/activation_check: re-run the check now (limited per zone)."""
        self.counters["activation_checks"] += 1
        if zone["status"] == "active":
            self.counters["activation_checks_refused"] += 1
            return error(400, CHECK_ACTIVE_ZONE)
        now = self.clock.wall()
        last = zone.get("_last_check_at")
        interval = self.clock.scaled(self.delays.activation_check_interval_s)
        if last is not None and now - last < interval:
            self.counters["activation_checks_refused"] += 1
            return error(429, CHECK_TOO_SOON, headers=retry_after_headers(last + interval - now))
        zone["_last_check_at"] = now
        since = self.delegated_since(zone)
        if since is not None and now - since >= self.clock.scaled(self.delays.activation_propagation_s):
            self._activate(zone, now)
            self.counters["activation_checks_activated"] += 1
        return envelope({"id": zone["id"]})

    def visible_since(self, zone: dict, record: dict) -> float | None:
        """Since when the public DNS can serve `record` (epoch s): its zone is active and the
        record is written; None while the zone is pending."""
        if zone["status"] != "active":
            return None
        return max(zone.get("_activated_at") or 0.0, record.get("_written_at") or 0.0)

    def zone_status(self, name: str) -> dict:
        """Status of the zone serving `name` (apex or sub-domain), across all tokens, and the
        addresses the public DNS gives for `name` (A records, one CNAME hop inside the zone)."""
        self.sweep()
        name = name.lower().rstrip(".")
        best = None
        for z in self.zones.values():
            serves = name == z["name"] or name.endswith("." + z["name"])
            if serves and (best is None or z["status"] == "active"):
                best = z
        if best is None:
            return {"name": name, "zone": None, "status": "none", "a": []}
        return {"name": name, "zone": best["name"], "zone_id": best["id"], "status": best["status"],
                "name_servers": best["name_servers"], "a": self._addresses(best, name)}

    def _addresses(self, zone: dict, name: str, hops: int = 3) -> list[str]:
        if zone["status"] != "active":
            return []  # resolvers still follow the registrar's old delegation
        recs = [r for r in self.records.values() if r["zone_id"] == zone["id"] and r["name"] == name]
        a = [r["content"] for r in recs if r["type"] == "A"]
        if a or hops == 0:
            return a
        cname = next((r["content"].lower().rstrip(".") for r in recs if r["type"] == "CNAME"), None)
        return self._addresses(zone, cname, hops - 1) if cname else []

    def txt_records(self, domain: str) -> list[tuple[dict, dict]]:
        """(zone, record) pairs of TXT records at `domain` in any token's zone."""
        self.sweep()
        out = []
        for r in self.records.values():
            if r["type"] == "TXT" and r["name"] == domain:
                z = self.zones.get(r["zone_id"])
                if z:
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
        self.sweep()
        if p == ["accounts"] and m == "GET":
            if self.scope_of(token) != "account":
                return error(403, MISSING_PERMISSION)
            return envelope([{"id": acct, "name": "Sandbox account", "type": "standard"}],
                            {"page": 1, "per_page": 20, "count": 1, "total_count": 1, "total_pages": 1})
        if p == ["user", "tokens", "verify"] and m == "GET":
            return verify_response(token)
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
                    self._delete_zone(zone)
                    return envelope({"id": zone["id"]})
                if m == "PATCH":
                    body = req.json()
                    for k in ("paused", "type", "vanity_name_servers"):
                        if k in body:
                            zone[k] = body[k]
                    zone["modified_on"] = iso_now()
                    return envelope(self.public_zone(zone))
            if rest == ["activation_check"] and m == "PUT":
                return self.activation_check(zone)
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
        acct_req = (body.get("account") or {}).get("id")
        if not acct_req:
            return error(400, ACCOUNT_REQUIRED)
        if acct_req != acct:
            return error(403, MISSING_PERMISSION)
        if not DOMAIN_RE.match(name):
            return error(400, (1049, f"{name} is not a registered domain"))
        ztype = body.get("type") or "full"
        for z in self.zones.values():
            if z["name"] == name and z["_token"] == token:
                return error(400, (1061, f"{name} already exists"))
        zid = uuid.uuid4().hex
        now = iso_now()
        generation = self.generations.get(f"{acct}:{name}", 0)
        self.generations[f"{acct}:{name}"] = generation + 1
        zone = {
            "id": zid, "name": name, "status": "pending", "paused": False, "type": ztype,
            "development_mode": 0, "name_servers": name_servers_for(name, acct, generation),
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
            "_token": token, "_created_at": self.clock.wall(),
            "_activation_delay_s": self.delays.activation_delay_s(acct, name),
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
        changed = rec is None or rec["content"] != content or rec["name"] != name or rec["type"] != rtype
        new = {
            "id": rec["id"] if rec else uuid.uuid4().hex, "zone_id": zone["id"], "zone_name": zone["name"],
            "name": name, "type": rtype, "content": content, "proxiable": proxiable, "proxied": proxied,
            "ttl": ttl, "settings": body.get("settings", base.get("settings", {})) or {}, "meta": {},
            "comment": body.get("comment", base.get("comment")), "tags": body.get("tags", base.get("tags", [])) or [],
            "created_on": rec["created_on"] if rec else now, "modified_on": now,
            "_written_at": self.clock.wall() if changed else rec.get("_written_at", self.clock.wall()),
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
