"""One threaded HTTP server on 127.0.0.1 routing to every simulator.

Routing (first path segment = vendor):
  /cloudflare/client/v4/...        Cloudflare API v4
  /namecheap/xml.response          Namecheap XML API
  /matomo/index.php                Matomo Reporting API (+ matomo.js / matomo.php stubs)
  /google/token                    Google OAuth token endpoint
  /google/siteVerification/v1/...  Site Verification v1
  /google/webmasters/v3/...        Search Console v1 (its method paths)
  /openai/v1/...                   OpenAI chat completions / responses (sandbox/openai.py)
  /_sandbox/...                    admin API (health, requests, stats, reset, faults, state, ...)

Pipeline for a vendor request: optional latency -> fault decision (before any
processing, so faults never mutate state) -> auth + per-credential rate limit
-> simulator under one global lock -> request log (with the API method it
called and whether it was a write, for the counters in stats()).

How slow the world is: `Delays` (devtools/sandbox/delays.py), realistic by
default; `SandboxServer(instant=True)` for tests that need vendors that react at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import threading
import time
from datetime import date as Date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import cloudflare as cf
from . import namecheap as nc
from .clock import Clock
from .delays import Delays
from .env import settings
from .faults import FaultInjector
from .google import GoogleSim, gerror
from .matomo import MatomoSim
from .openai import OpenAISim
from .openai import fault_response as openai_fault_response
from .ratelimit import (
    CLOUDFLARE_WINDOWS,
    NAMECHEAP_WINDOWS,
    SEARCH_ANALYTICS_LIMIT,
    SEARCH_ANALYTICS_WINDOW_S,
    RateLimiter,
    retry_after_headers,
)
from .wire import Request, Response, json_response

VENDORS = ("cloudflare", "namecheap", "matomo", "google", "openai")
MALFORMED = {"openai": b'{"id": "chatcmpl-', "cloudflare": b'{"success": true, "errors": [], "result": {"id": "',
             "namecheap": b'<?xml version="1.0" encoding="UTF-8"?>\n<ApiResponse xmlns="http://api.namecheap.com/xml.response" Sta',
             "matomo": b'{"value": ', "google": b'{"siteEntry": [{"siteUrl": '}


CLPCTL_WRITES = ("site:add:static", "site:delete", "lets-encrypt:install:certificate")
_ID = re.compile(r"^[0-9a-f]{32}$")


def _credential_id(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()[:12]


def _operation(vendor: str, req: Request, segs: list[str]) -> tuple[str, bool]:
    """(the API method a request called, whether it is a write) for the counters.
    Cloudflare/Google/OpenAI: "METHOD path" with ids as {id}; Namecheap: the Command;
    Matomo: the API method."""
    m = req.method
    if vendor == "namecheap":
        cmd = nc.canonical_command(str(req.form_ci("Command") or ""))
        return cmd or "(no command)", nc.is_write(cmd)
    if vendor == "matomo":
        method = str(req.form_ci("method") or "")
        name = method.rsplit(".", 1)[-1]
        return method or req.path, name.startswith(("add", "update", "delete", "set"))
    if vendor == "cloudflare":
        path = "/".join("{id}" if _ID.match(x) else x for x in segs[3:])
        return f"{m} /{path}", m in ("POST", "PUT", "PATCH", "DELETE")
    if vendor == "google":
        rest = segs[1:]
        if rest[:2] == ["webmasters", "v3"] and len(rest) >= 4 and rest[2] == "sites":
            rest = rest[:3] + ["{siteUrl}"] + (["{feedpath}" if rest[4:5] == ["sitemaps"] and x != "sitemaps" else x
                                               for x in rest[4:]])
        elif rest[:3] == ["siteVerification", "v1", "webResource"] and len(rest) > 3:
            rest = rest[:3] + ["{id}"]
        op = f"{m} {'/'.join(rest)}"
        write = (m in ("PUT", "DELETE", "PATCH") or (m == "POST" and rest[:3] == ["siteVerification", "v1", "webResource"]))
        return op, write
    return f"{m} {req.path}", False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WebsiteFactorySandbox/1.0"

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without TCP_NODELAY,
        # Nagle + delayed ACK add ~40 ms to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.sandbox._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.sandbox._track(self.connection, False)

    def log_message(self, fmt, *args):  # keep test output clean; see /_sandbox/requests
        pass

    def _any(self):
        self.server.sandbox._dispatch(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class SandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, time_scale: float = 1.0, latency_s: float = 0.0,
                 state_dir: str | os.PathLike | None = None, auto_activate_after_s: float | None = None,
                 require_active_zone: bool = True, namecheap_whitelist: set[str] | None = None, *,
                 instant: bool = False, activation_min_s: float | None = None, activation_max_s: float | None = None,
                 activation_check_interval_s: float | None = None, activation_propagation_s: float | None = None,
                 pending_zone_ttl_s: float | None = None, txt_propagation_s: float | None = None,
                 seed: int | None = None, token_scope: str = "zone"):
        """All durations are vendor seconds (× time_scale). Defaults are realistic (minutes);
        `instant=True` zeroes the waits (activation, propagation) unless given explicitly."""
        self.host, self.port = host, port
        self.clock = Clock(time_scale)
        self.latency_s = latency_s
        self.state_dir = Path(state_dir) if state_dir else None
        self.delays = Delays.build(instant, activation_min_s=activation_min_s, activation_max_s=activation_max_s,
                                   activation_check_interval_s=activation_check_interval_s,
                                   activation_propagation_s=activation_propagation_s,
                                   pending_zone_ttl_s=pending_zone_ttl_s, txt_propagation_s=txt_propagation_s,
                                   seed=seed)
        self.lock = threading.RLock()  # one lock: Google reads Cloudflare, Cloudflare reads Namecheap
        self.namecheap = nc.NamecheapSim(namecheap_whitelist, self.clock)
        self.cloudflare = cf.CloudflareSim(self.clock, self.namecheap, auto_activate_after_s, self.delays, token_scope)
        self.matomo = MatomoSim(self.clock)
        self.google = GoogleSim(self.clock, self.cloudflare, require_active_zone, self.delays)
        self.openai = OpenAISim()
        self.faults = FaultInjector()
        self.limiters = {
            "cloudflare": RateLimiter(self.clock, CLOUDFLARE_WINDOWS),
            "namecheap": RateLimiter(self.clock, NAMECHEAP_WINDOWS),
            "search_console": RateLimiter(self.clock, SEARCH_ANALYTICS_LIMIT, SEARCH_ANALYTICS_WINDOW_S),
        }
        self.clpctl_counters: dict = {}
        self._reset_clpctl_counters()
        self._log: list[dict] = []
        self._log_lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._stopping = threading.Event()
        self._state_changed = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if self.state_dir and (self.state_dir / "state.json").exists():
            self._load_state()

    # ---- lifecycle -------------------------------------------------------
    def start(self) -> SandboxServer:
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()
        if self.state_dir:
            threading.Thread(target=self._save_state_when_changed, name=f"sandbox-state-{self.port}",
                             daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases held "timeout" connections
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._conn_lock:
            for s in list(self._conns):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if self._thread:
            self._thread.join(timeout=5)
        self._save_state()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def serve_forever(self) -> None:
        """Block until Ctrl-C (starts the server if needed)."""
        if self._httpd is None:
            self.start()
        try:
            while self._thread and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def settings(self) -> dict[str, str]:
        return settings(self.url)

    def _track(self, conn, add: bool) -> None:
        with self._conn_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # ---- knobs -----------------------------------------------------------
    @property
    def today(self) -> Date:
        return self.clock.today()

    @today.setter
    def today(self, value: Date | None) -> None:
        self.clock.today_override = value

    @property
    def time_scale(self) -> float:
        return self.clock.time_scale

    def set_faults(self, vendor: str = "all", **kwargs) -> dict:
        return self.faults.set(vendor, **kwargs)

    def clear_faults(self) -> None:
        self.faults.reset()

    def set_delays(self, **values) -> dict:
        """Change delays at run time (vendor seconds); new zones draw from the new range."""
        with self.lock:
            self.delays.update(**values)
            return self.delays.describe()

    def _reset_clpctl_counters(self) -> None:
        self.clpctl_counters = {"total": 0, "calls": {}, "writes": 0, "orders": 0, "failed_validations": 0,
                                "rate_limited": 0, "certificates": 0}

    def record_clpctl(self, report: dict) -> None:
        """What one `clpctl` run did (the stand-in reports it when it knows the sandbox URL)."""
        with self.lock:
            c = self.clpctl_counters
            command = str(report.get("command") or "(none)")
            c["total"] += 1
            c["calls"][command] = c["calls"].get(command, 0) + 1
            c["writes"] += 1 if command in CLPCTL_WRITES else 0
            for key in ("orders", "failed_validations", "rate_limited", "certificates"):
                c[key] += int(report.get(key) or 0)

    def reset(self) -> None:
        with self.lock:
            self._reset_clpctl_counters()
            for sim in (self.namecheap, self.cloudflare, self.matomo, self.google, self.openai):
                sim.reset()
            for lim in self.limiters.values():
                lim.reset()
            self.faults.reset()
            with self._log_lock:
                self._log.clear()
            self._save_state()

    # ---- inspection --------------------------------------------------------
    @property
    def state(self) -> dict:
        with self.lock:
            cfd = self.cloudflare.dump()
            return {
                "cloudflare": {"zones": [self.cloudflare.public_zone(z) | {"token": z["_token"]} for z in cfd["zones"]],
                               "records": cfd["records"], "settings": cfd["settings"]},
                "namecheap": {"domains": self.namecheap.dump()["domains"]},
                "matomo": {"sites": self.matomo.dump()["sites"]},
                "google": {"verified": self.google.dump()["verified"], "gsc_sites": self.google.dump()["gsc_sites"]},
            }

    @property
    def requests(self) -> list[dict]:
        with self._log_lock:
            return [dict(r) for r in self._log]

    def count(self, vendor: str | None = None, method: str | None = None, path_contains: str | None = None,
              status: int | None = None, fault: str | None = None) -> int:
        n = 0
        for r in self.requests:
            if vendor and r["vendor"] != vendor:
                continue
            if method and r["method"] != method.upper():
                continue
            if path_contains and path_contains not in r["path"]:
                continue
            if status is not None and r["status"] != status:
                continue
            if fault and r["fault"] != fault:
                continue
            n += 1
        return n

    def stats(self) -> dict:
        """Per vendor: `total`, `by_status`, `rate_limited`, `faults`, `calls` (per API method),
        `writes`; Cloudflare adds `activation`, Google `verification`; `clpctl` what the
        stand-in reported (calls per command, writes, orders, failed validations)."""
        out: dict = {}
        for r in self.requests:
            v = out.setdefault(r["vendor"], {"total": 0, "by_status": {}, "rate_limited": 0, "faults": {},
                                             "calls": {}, "writes": 0})
            v["total"] += 1
            key = str(r["status"]) if r["status"] is not None else "no_response"
            v["by_status"][key] = v["by_status"].get(key, 0) + 1
            if r["status"] == 429 or r.get("rate_limited"):
                v["rate_limited"] += 1
            if r["fault"]:
                v["faults"][r["fault"]] = v["faults"].get(r["fault"], 0) + 1
            op = r.get("op") or r["path"]
            v["calls"][op] = v["calls"].get(op, 0) + 1
            v["writes"] += 1 if r.get("write") else 0
        empty = {"total": 0, "by_status": {}, "rate_limited": 0, "faults": {}, "calls": {}, "writes": 0}
        with self.lock:
            out.setdefault("cloudflare", dict(empty))["activation"] = dict(self.cloudflare.counters)
            out.setdefault("google", dict(empty))["verification"] = dict(self.google.counters)
            out["clpctl"] = json.loads(json.dumps(self.clpctl_counters))
        return out

    # ---- persistence (optional) -----------------------------------------------
    STATE_SAVE_INTERVAL_S = 1.0

    def _save_state_when_changed(self) -> None:
        """Saves the state at most once a STATE_SAVE_INTERVAL_S after requests changed it (and
        once more on stop): a save writes every vendor's whole state, which at 10,000 sites is
        megabytes, and saving after each request made the simulator the bottleneck of a run."""
        while not self._stopping.is_set():
            if self._state_changed.wait(0.2):
                self._state_changed.clear()
                self._save_state()
                self._stopping.wait(self.STATE_SAVE_INTERVAL_S)

    def _save_state(self) -> None:
        if not self.state_dir:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # Under the state lock to the end: concurrent requests each save, and a save must not
        # move another's half-written file into place (or find its temporary file gone).
        with self.lock:
            data = {"cloudflare": self.cloudflare.dump(), "namecheap": self.namecheap.dump(),
                    "matomo": self.matomo.dump(), "google": self.google.dump(),
                    "clpctl_counters": self.clpctl_counters}
            tmp = self.state_dir / "state.json.tmp"
            tmp.write_text(json.dumps(data, indent=1, default=str))
            tmp.replace(self.state_dir / "state.json")

    def _load_state(self) -> None:
        data = json.loads((self.state_dir / "state.json").read_text())
        self.cloudflare.load(data.get("cloudflare", {}))
        self.namecheap.load(data.get("namecheap", {}))
        self.clpctl_counters.update(data.get("clpctl_counters", {}))
        self.matomo.load(data.get("matomo", {}))
        self.google.load(data.get("google", {}))

    # ---- request pipeline ------------------------------------------------------
    def _read_request(self, h: BaseHTTPRequestHandler) -> Request:
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        if not length and (h.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(h.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    h.rfile.readline()
                    break
                chunks.append(h.rfile.read(size))
                h.rfile.readline()
            body = b"".join(chunks)
        return Request(method=h.command, path=split.path, query=parse_qs(split.query, keep_blank_values=True),
                       headers={k.lower(): v for k, v in h.headers.items()}, body=body,
                       client_ip=h.client_address[0])

    def _send(self, h: BaseHTTPRequestHandler, resp: Response) -> None:
        h.send_response(resp.status)
        h.send_header("Content-Type", resp.content_type)
        h.send_header("Content-Length", str(len(resp.body)))
        for k, v in resp.headers.items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(resp.body)

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        started = time.time()
        req = self._read_request(h)
        segs = [s for s in req.path.split("/") if s]
        vendor = segs[0] if segs else ""
        if vendor == "_sandbox":
            self._send(h, self._admin(req, segs[1:]))
            return
        if vendor not in VENDORS:
            self._send(h, json_response({"error": f"no simulator at {req.path}"}, 404))
            return
        if self.latency_s:
            time.sleep(self.latency_s)
        op, write = _operation(vendor, req, segs)
        entry = {"t": started, "vendor": vendor, "method": req.method, "path": req.path,
                 "query": {k: v if len(v) > 1 else v[0] for k, v in req.query.items()},
                 "body": req.body_summary(), "status": None, "fault": None, "rate_limited": False,
                 "op": op, "write": write}
        kind, cfg = self.faults.decide(vendor)
        logged = False

        def log() -> None:
            nonlocal logged
            if not logged:
                logged = True
                entry["duration_ms"] = round((time.time() - started) * 1000, 2)
                with self._log_lock:
                    entry["id"] = len(self._log) + 1
                    self._log.append(entry)

        try:
            if kind in ("timeout", "drop"):
                entry["fault"] = kind
                if kind == "timeout":
                    self._stopping.wait(cfg.timeout_hold_s)
                h.close_connection = True
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if kind:
                entry["fault"] = kind
                resp = self._fault_response(vendor, kind, cfg)
            else:
                resp = self._vendor(vendor, req, segs, entry)
            entry["status"] = resp.status
            log()  # before the answer leaves: a client that reads the log right after sees its request
            self._send(h, resp)
            if req.method != "GET" and not kind and self.state_dir:
                self._state_changed.set()
        finally:
            log()

    def _fault_response(self, vendor: str, kind: str, cfg) -> Response:
        if kind == "malformed":
            ctype = "text/xml" if vendor == "namecheap" else "application/json"
            return Response(200, MALFORMED[vendor], ctype)
        if vendor == "openai":
            return openai_fault_response(kind, self.clock.scaled(cfg.retry_after_s))
        if kind == "429":
            hdrs = retry_after_headers(self.clock.scaled(cfg.retry_after_s))
            if vendor == "cloudflare":
                return cf.error(429, (971, "Please wait and consider throttling your request speed"), headers=hdrs)
            if vendor == "google":
                return gerror(429, "Quota exceeded for quota metric 'Queries' (sandbox fault injection).",
                              "rateLimitExceeded", headers=hdrs)
            if vendor == "namecheap":
                r = nc.error("", nc.ERR_TOO_MANY_REQUESTS, "Too many requests", hdrs)
                r.status = 429
                return r
            r = json_response({"result": "error", "message": "Too many requests"}, 429, hdrs)
            return r
        # 5xx
        if vendor == "cloudflare":
            return cf.error(503, (10001, "Service temporarily unavailable (sandbox fault injection)"))
        if vendor == "google":
            return gerror(503, "The service is currently unavailable.", "backendError")
        return Response(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")

    def _vendor(self, vendor: str, req: Request, segs: list[str], entry: dict) -> Response:
        if vendor == "cloudflare":
            if segs[1:3] != ["client", "v4"]:
                return cf.error(400, (7000, "No route for that URI"))
            token = cf.bearer_token(req)
            if segs[3:] == ["user", "tokens", "verify"] and not cf.token_is_valid(token):
                return cf.verify_response(token)  # its own answer: 401 "Invalid API Token"
            if not cf.token_is_valid(token):
                return cf.auth_error()
            entry["credential"] = _credential_id(token)  # which rate-limit bucket (benchmarks' lower bound)
            wait = self.limiters["cloudflare"].check(token)
            if wait is not None:
                entry["rate_limited"] = True
                return cf.error(429, (971, "Please wait and consider throttling your request speed"),
                                headers=retry_after_headers(wait))
            with self.lock:
                return self.cloudflare.handle(req, token)
        if vendor == "namecheap":
            if req.path != "/namecheap/xml.response":  # exactly the documented URL (no trailing slash)
                return Response(404, b"Not Found", "text/plain")
            form = req.form()
            with self.lock:
                cmd, user, err = self.namecheap.authenticate(form)
            if err:
                return err
            entry["credential"] = _credential_id(user)
            wait = self.limiters["namecheap"].check(user)
            if wait is not None:
                entry["rate_limited"] = True
                headers = retry_after_headers(wait) | {"X-Sandbox-Limit": f"{wait.limit}/{wait.window_s:g}s"}
                return nc.error(cmd, nc.ERR_TOO_MANY_REQUESTS, "Too many requests", headers)
            with self.lock:
                return self.namecheap.handle(req, form, cmd, user)
        if vendor == "matomo":
            with self.lock:
                return self.matomo.handle(req)
        if vendor == "openai":
            return self.openai.handle(req, segs[1:])  # thread-safe itself; no shared state
        # google
        rest = [unquote(s) for s in segs[1:]]
        with self.lock:
            if rest == ["token"] and req.method == "POST":
                return self.google.token(req)
            raw_rest = segs[1:]  # keep percent-encoding for ids that contain "/"
            if rest[:2] == ["siteVerification", "v1"]:
                acct = self.google.account_for(req)
                return self.google.site_verification(req, acct, raw_rest[2:]) if acct else self.google.unauthenticated()
            if rest[:2] == ["webmasters", "v3"]:
                acct = self.google.account_for(req)
                if not acct:
                    return self.google.unauthenticated()
                if rest[-2:] == ["searchAnalytics", "query"]:
                    # Search Analytics' per-user quota (what a concurrent analytics run must stay within).
                    entry["credential"] = _credential_id(acct)
                    wait = self.limiters["search_console"].check(acct)
                    if wait is not None:
                        entry["rate_limited"] = True
                        return gerror(429, "Quota exceeded for quota metric 'Search Analytics queries' and limit "
                                           "'Queries per minute per user'.", "rateLimitExceeded",
                                      headers=retry_after_headers(wait))
                return self.google.search_console(req, acct, raw_rest[2:])
        return gerror(404, f"Not Found: {req.path}", "notFound")

    # ---- admin API -------------------------------------------------------------
    def _admin(self, req: Request, rest: list[str]) -> Response:
        m = req.method
        if rest == ["health"]:
            return json_response({"ok": True, "time_scale": self.time_scale, "today": self.today.isoformat(),
                                  "delays": self.delays.describe()})
        if rest == ["delays"] and m in ("GET", "POST"):
            if m == "POST":
                try:
                    self.set_delays(**(req.json() or {}))
                except (ValueError, TypeError) as e:
                    return json_response({"error": str(e)}, 400)
            return json_response(self.delays.describe())
        if rest == ["cloudflare", "tokens"] and m in ("GET", "POST"):
            with self.lock:
                if m == "POST":
                    body = req.json() or {}
                    try:
                        self.cloudflare.set_token_scope(str(body.get("token") or ""), str(body.get("scope") or ""))
                    except ValueError as e:
                        return json_response({"error": str(e)}, 400)
                return json_response({"default_scope": self.cloudflare.token_scope,
                                      "account_scoped_prefix": cf.ACCOUNT_SCOPED_PREFIX,
                                      "granted": {cf.account_id_for(t): s for t, s in self.cloudflare.token_scopes.items()}})
        if rest == ["namecheap", "domains"] and m in ("GET", "POST"):
            with self.lock:
                if m == "POST":
                    body = req.json() or {}
                    try:
                        row = self.namecheap.set_domain(
                            str(body.get("api_user") or "sandboxuser"), str(body["domain"]), created=body.get("created"),
                            expires=body.get("expires"), auto_renew=body.get("auto_renew"), locked=body.get("locked"))
                    except (KeyError, ValueError) as e:
                        return json_response({"error": f"bad domain settings: {e}"}, 400)
                    self._save_state()
                    return json_response(row)
                return json_response(self.namecheap.dump())
        if rest == ["clpctl", "report"] and m == "POST":
            self.record_clpctl(req.json() or {})
            return json_response({"ok": True})
        if rest == ["requests"] and m == "GET":
            reqs = self.requests
            if req.q("vendor"):
                reqs = [r for r in reqs if r["vendor"] == req.q("vendor")]
            return json_response({"requests": reqs})
        if rest == ["stats"] and m == "GET":
            return json_response(self.stats())
        if rest == ["reset"] and m == "POST":
            self.reset()
            return json_response({"ok": True})
        if rest == ["state"] and m == "GET":
            return json_response(self.state)
        if rest == ["settings"] and m == "GET":
            return json_response(self.settings())
        if rest == ["faults"]:
            if m == "GET":
                return json_response(self.faults.describe())
            if m == "POST":
                body = req.json() or {}
                vendor = body.pop("vendor", "all")
                try:
                    return json_response(self.set_faults(vendor, **body))
                except (ValueError, TypeError) as e:
                    return json_response({"error": str(e)}, 400)
            if m == "DELETE":
                self.clear_faults()
                return json_response(self.faults.describe())
        if rest == ["today"] and m in ("GET", "POST"):
            if m == "POST":
                val = (req.json() or {}).get("today")
                self.today = Date.fromisoformat(val) if val else None
            return json_response({"today": self.today.isoformat()})
        if rest == ["openai", "output"] and m == "POST":
            body = req.json() or {}
            try:
                self.openai.set_output(body.get("mode", "valid"), body.get("count"), body.get("source"))
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            return json_response(self.openai.dump())
        if rest == ["cloudflare", "zone-status"] and m == "GET":
            with self.lock:
                return json_response(self.cloudflare.zone_status(req.q("name") or "") | {"time_scale": self.time_scale})
        if rest == ["limits"] and m == "GET":
            from .ratelimit import LIMITS
            return json_response({"time_scale": self.time_scale, "limits": LIMITS})
        return json_response({"error": f"unknown admin endpoint {req.path}"}, 404)
