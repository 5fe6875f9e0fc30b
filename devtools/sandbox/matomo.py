"""Matomo Reporting API simulator (vendor-apis.md §4, Appendix A).

`index.php?module=API&method=...&format=JSON&token_auth=...` by GET or POST.
Errors are `{"result":"error","message":...}` with HTTP 200, except a missing
or bad token_auth (prefix "revoked"/"invalid") which is Matomo's
NoAccessException → HTTP 401. Any other token is a superuser.
Visit numbers come from sandbox.traffic.matomo_metrics(main_url host, date);
dates after the server's "today" have no data ([]).
"""
from __future__ import annotations

import re
from datetime import date as Date
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from .clock import Clock
from .traffic import matomo_metrics, normalize_domain
from .wire import Request, Response, first, json_response

NO_ACCESS = "You can't access this resource as it requires 'superuser' access."
DATE_HELP = ("Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword supported by "
             "the strtotime function (see http://php.net/strtotime for more information): {}")


class MatomoError(Exception):
    def __init__(self, message: str, status: int = 200):
        super().__init__(message)
        self.status = status


def err(message: str, status: int = 200) -> Response:
    return json_response({"result": "error", "message": message.replace("\n", " ")}, status)


def list_param(form: dict, name: str) -> list[str]:
    """Matomo array params: name[]=a&name[]=b, name[0]=a, or a comma string."""
    indexed = []
    for k, v in form.items():
        m = re.fullmatch(re.escape(name) + r"\[(\d*)\]", k)
        if m:
            for i, val in enumerate(v):
                indexed.append((int(m.group(1)) if m.group(1) else 10**6 + i, val))
    if indexed:
        return [v for _, v in sorted(indexed)]
    raw = first(form, name)
    return [u.strip() for u in raw.split(",") if u.strip()] if raw else []


class MatomoSim:
    vendor = "matomo"

    def __init__(self, clock: Clock):
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.sites: dict[int, dict] = {}
        self.next_id = 1

    def dump(self) -> dict:
        return {"sites": [dict(s) for s in self.sites.values()], "next_id": self.next_id}

    def load(self, data: dict) -> None:
        self.reset()
        for s in data.get("sites", []):
            self.sites[int(s["idsite"])] = s
        self.next_id = data.get("next_id", max(self.sites, default=0) + 1)

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path.endswith("/matomo.js"):
            return Response(200, b"/* Matomo sandbox tracker */ window.Matomo = window.Matomo || {};",
                            "application/javascript")
        if path.endswith("/matomo.php"):
            return Response(204, b"", "image/gif")
        form = req.form()
        if (first(form, "module") or "") != "API":
            return Response(400, b"<html><body>Sandbox Matomo: only module=API is simulated</body></html>",
                            "text/html; charset=utf-8")
        token = first(form, "token_auth") or ""
        if not token or token.lower().startswith(("revoked", "invalid")):
            return err(NO_ACCESS, 401)
        fmt = (first(form, "format") or "xml").lower()
        if fmt != "json":
            return Response(400, b"<?xml version=\"1.0\"?><result><error message=\"Sandbox Matomo only renders format=JSON\" /></result>",
                            "text/xml; charset=utf-8")
        try:
            return json_response(self.call(form))
        except MatomoError as e:
            return err(str(e), e.status)

    # ---- dispatch ------------------------------------------------------
    def call(self, form: dict):
        method = first(form, "method") or ""
        fn = {
            "SitesManager.addSite": self.add_site,
            "SitesManager.getSitesIdFromSiteUrl": self.get_ids_from_url,
            "SitesManager.getSiteFromId": self.get_site,
            "SitesManager.getAllSites": self.get_all_sites,
            "SitesManager.getAllSitesId": lambda f: [str(i) for i in sorted(self.sites)],
            "SitesManager.deleteSite": self.delete_site,
            "SitesManager.getJavascriptTag": self.js_tag,
            "VisitsSummary.get": self.visits_summary,
            "API.getBulkRequest": self.bulk,
            "API.getMatomoVersion": lambda f: {"value": "5.2.0-sandbox"},
        }.get(method)
        if fn is None:
            plugin = method.split(".")[0] if "." in method else method
            raise MatomoError(f"The plugin {plugin} is not enabled. You can activate the plugin on "
                              f"Settings > Plugins page in Matomo." if "." in method
                              else f"The method '{method}' does not exist or is not available in the module.")
        return fn(form)

    def bulk(self, form: dict):
        out = []
        for sub in list_param(form, "urls"):
            sub_form = {k: v for k, v in parse_qs(sub, keep_blank_values=True).items()}
            if first(sub_form, "method") == "API.getBulkRequest":
                continue  # nested bulk requests are skipped, like Matomo
            for k in ("token_auth", "module"):
                sub_form.setdefault(k, form.get(k, ["API"]))
            sub_form["format"] = ["json"]
            try:
                out.append(self.call(sub_form))
            except MatomoError as e:
                out.append({"result": "error", "message": str(e)})
        return out

    # ---- SitesManager --------------------------------------------------
    @staticmethod
    def _check_url(u: str) -> str:
        parts = urlsplit(u if "://" in u else "http://" + u)
        if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
            raise MatomoError(f"The url '{u}' is not a valid URL.")
        return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"

    def add_site(self, form: dict):
        name = (first(form, "siteName") or "").strip()
        if not name:
            raise MatomoError("The website name can't be empty.")
        urls = [self._check_url(u) for u in list_param(form, "urls")]
        if not urls:
            raise MatomoError("You must specify at least one URL for the site.")
        idsite = self.next_id
        self.next_id += 1
        today = self.clock.today()
        self.sites[idsite] = {
            "idsite": idsite, "name": name, "main_url": urls[0], "alias_urls": urls[1:],
            "ts_created": f"{today.isoformat()} 00:00:00",
            "timezone": first(form, "timezone") or "UTC", "currency": first(form, "currency") or "USD",
            "ecommerce": int(first(form, "ecommerce") or 0), "group": first(form, "group") or "",
            "type": first(form, "type") or "website",
        }
        return {"value": idsite}

    @staticmethod
    def _host_variants(url: str) -> set[str]:
        return {normalize_domain(url)}

    def get_ids_from_url(self, form: dict):
        url = (first(form, "url") or "").strip().rstrip("/")
        if not url:
            raise MatomoError("Please specify a value for 'url'.")
        want = normalize_domain(url)
        want_path = urlsplit(url if "://" in url else "http://" + url).path.rstrip("/")
        rows = []
        for s in self.sites.values():
            for u in [s["main_url"], *s["alias_urls"]]:
                if normalize_domain(u) == want and urlsplit(u).path.rstrip("/") == want_path:
                    rows.append({"idsite": str(s["idsite"])})
                    break
        return rows

    def _site_row(self, s: dict) -> dict:
        return {"idsite": str(s["idsite"]), "name": s["name"], "main_url": s["main_url"],
                "ts_created": s["ts_created"], "ecommerce": str(s["ecommerce"]), "sitesearch": "1",
                "timezone": s["timezone"], "currency": s["currency"], "group": s["group"], "type": s["type"],
                "exclude_unknown_urls": "0", "keep_url_fragment": "0", "creator_login": "sandbox"}

    def _site(self, raw) -> dict:
        try:
            s = self.sites.get(int(raw))
        except (TypeError, ValueError):
            s = None
        if s is None:
            raise MatomoError(f"An unexpected website was found in the request: website id was set to '{raw}' .")
        return s

    def get_site(self, form: dict):
        return self._site_row(self._site(first(form, "idSite")))

    def delete_site(self, form: dict):
        # Matomo: deletes the site and its data; an unknown id is an error (superuser only).
        site_id = int(self._site(first(form, "idSite"))["idsite"])
        del self.sites[site_id]
        return {"result": "success", "message": "ok"}

    def get_all_sites(self, form: dict):
        return {str(i): self._site_row(s) for i, s in sorted(self.sites.items())}

    def js_tag(self, form: dict):
        s = self._site(first(form, "idSite"))
        url = first(form, "piwikUrl") or "matomo.example.com"
        return {"value": f"<!-- Matomo --><script>var _paq=window._paq=window._paq||[];_paq.push(['trackPageView']);"
                         f"(function(){{var u='//{url.rstrip('/')}/';_paq.push(['setTrackerUrl',u+'matomo.php']);"
                         f"_paq.push(['setSiteId','{s['idsite']}']);}})();</script><!-- End Matomo Code -->"}

    # ---- VisitsSummary -------------------------------------------------
    def _parse_day(self, s: str) -> Date:
        today = self.clock.today()
        s = s.strip()
        if s == "today" or s == "now":
            return today
        if s == "yesterday":
            return today - timedelta(days=1)
        try:
            return Date.fromisoformat(s)
        except ValueError:
            raise MatomoError(DATE_HELP.format(s)) from None

    def _dates(self, raw: str, period: str) -> tuple[list[Date], bool]:
        """Returns (days, multi) for period=day; multi=True when the date is a list form."""
        today = self.clock.today()
        m = re.fullmatch(r"(last|previous)(\d+)", raw)
        if m:
            n = int(m.group(2))
            end = today if m.group(1) == "last" else today - timedelta(days=1)
            return [end - timedelta(days=i) for i in range(n - 1, -1, -1)], True
        if "," in raw:
            a, b = (self._parse_day(x) for x in raw.split(",", 1))
            if b < a:
                raise MatomoError(f"The date range '{raw}' is invalid: end date is before start date.")
            return [a + timedelta(days=i) for i in range((b - a).days + 1)], True
        return [self._parse_day(raw)], False

    def _row(self, site: dict, day: Date):
        if day > self.clock.today():
            return []
        return matomo_metrics(site["main_url"], day) or []

    def _range_row(self, site: dict, days: list[Date]):
        rows = [r for r in (self._row(site, d) for d in days) if r]
        if not rows:
            return []
        keys = ["nb_visits", "nb_actions", "nb_visits_converted", "bounce_count", "sum_visit_length"]
        tot = {k: sum(r[k] for r in rows) for k in keys}
        v = tot["nb_visits"]
        return {"nb_visits": v, "nb_actions": tot["nb_actions"], "nb_visits_converted": 0,
                "bounce_count": tot["bounce_count"], "sum_visit_length": tot["sum_visit_length"],
                "max_actions": max(r["max_actions"] for r in rows),
                "bounce_rate": f"{round(100 * tot['bounce_count'] / v)}%",
                "nb_actions_per_visit": round(tot["nb_actions"] / v, 1),
                "avg_time_on_site": round(tot["sum_visit_length"] / v)}

    def visits_summary(self, form: dict):
        id_raw = (first(form, "idSite") or "").strip()
        period = (first(form, "period") or "").strip()
        date_raw = (first(form, "date") or "").strip()
        if not id_raw:
            raise MatomoError("Please specify a value for 'idSite'.")
        if not period:
            raise MatomoError("Please specify a value for 'period'.")
        if not date_raw:
            raise MatomoError("Please specify a value for 'date'.")
        if period not in ("day", "range"):
            raise MatomoError(f"The period '{period}' is not supported. Try any of the following instead: day, range "
                              f"(the sandbox simulates day and range only)")
        if id_raw == "all":
            sites, multi_site = [self.sites[i] for i in sorted(self.sites)], True
        else:
            ids = [x for x in id_raw.split(",") if x.strip()]
            sites, multi_site = [self._site(x.strip()) for x in ids], len(ids) > 1
        days, multi_date = self._dates(date_raw, period)

        cols = [c.strip() for c in (first(form, "columns") or "").split(",") if c.strip()]

        def pick(row):  # Matomo's `columns` filter: only the named metrics, [] stays []
            return {k: v for k, v in row.items() if k in cols} if cols and row else row

        def per_site(site):
            if period == "range":
                return pick(self._range_row(site, days))
            if multi_date:
                return {d.isoformat(): pick(self._row(site, d)) for d in days}
            return pick(self._row(site, days[0]))

        if multi_site:
            # PHP renders an empty array as [] (not {})
            return {str(s["idsite"]): per_site(s) for s in sites} or []
        return per_site(sites[0])
