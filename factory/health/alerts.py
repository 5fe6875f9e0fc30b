"""Alerts for open and resolved problems, to a Slack-compatible webhook and by e-mail (SMTP).

Like Alertmanager: problems are grouped by a group key — their check kind and their cause, which
names no site — so one cause on many sites (a hosting server down, a record edited across an
account) is ONE message listing the sites. Each open problem is announced once (the row's
`alerted_at`), never again while it stays open; when a sweep resolves it, one "resolved" message
follows (`resolved_alerted_at`), grouped the same way. Which channels a check kind uses is
FACTORY_ALERT_ROUTES; a message is marked sent once every channel it was routed to took it (a
channel that failed is tried again by the next delivery). Text passes through the log redaction,
and no alert carries a credential or the webhook's URL.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

import httpx

from factory.config import Settings
from factory.health import checks
from factory.logs import redact
from factory.store import Problem, Store

CHANNELS = ("webhook", "email")
MAX_SITES_LISTED = 50


@dataclass(frozen=True)
class Message:
    state: str  # firing | resolved
    kind: str
    cause: str
    status: str  # the worst status among the problems: fail | warn
    problems: tuple[Problem, ...]

    @property
    def group_key(self) -> str:
        return f"{self.kind}|{self.cause}"

    @property
    def domains(self) -> list[str]:
        return sorted({p.domain for p in self.problems})

    @property
    def title(self) -> str:
        sites = self.domains
        where = sites[0] if len(sites) == 1 else f"{len(sites)} sites"
        label = "RESOLVED" if self.state == "resolved" else f"FIRING:{self.status.upper()}"
        return redact(f"[{label}] {self.kind} on {where}: {self.cause}")[:300]

    @property
    def text(self) -> str:
        lines = [self.title, ""]
        for p in sorted(self.problems, key=lambda p: (p.domain, p.subject))[:MAX_SITES_LISTED]:
            line = f"- {p.domain}: {p.subject}"
            if self.state == "firing" and (p.observed or p.expected):
                line += f" (seen {p.observed or '-'}, expected {p.expected or '-'})"
            when = p.resolved_at if self.state == "resolved" else p.first_seen
            line += f" {'resolved' if self.state == 'resolved' else 'since'} {when:%Y-%m-%d %H:%M} UTC"
            lines.append(line)
        if len(self.problems) > MAX_SITES_LISTED:
            lines.append(f"... and {len(self.problems) - MAX_SITES_LISTED} more")
        if self.state == "firing" and self.kind in checks.REPAIRABLE:
            lines += ["", "Repair: factory health repair " + " ".join(self.domains[:MAX_SITES_LISTED])]
        return redact("\n".join(lines))


def group(problems: Sequence[Problem], state: str) -> list[Message]:
    """One message per group key (check kind + cause), sites in it sorted."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.check_kind, p.cause), []).append(p)
    return [Message(state, kind, cause, "fail" if any(p.status == "fail" for p in members) else "warn",
                    tuple(members)) for (kind, cause), members in sorted(groups.items())]


def routes(settings: Settings) -> dict[str, tuple[str, ...]]:
    """FACTORY_ALERT_ROUTES parsed: check kind or family -> channels."""
    found: dict[str, tuple[str, ...]] = {}
    for item in (settings.alert_routes or "").split(","):
        kind, sep, channel = item.partition("=")
        if not sep:
            continue
        channel = channel.strip().lower()
        found[kind.strip()] = {"both": CHANNELS, "none": (), "webhook": ("webhook",),
                               "email": ("email",)}.get(channel, CHANNELS)
    return found


def channels_for(settings: Settings, kind: str) -> tuple[str, ...]:
    table = routes(settings)
    wanted = table.get(kind, table.get(checks.family(kind), CHANNELS))
    return tuple(c for c in wanted if c in configured(settings))


def configured(settings: Settings) -> tuple[str, ...]:
    found = []
    if settings.alert_webhook_url is not None:
        found.append("webhook")
    if settings.alert_smtp_host and settings.alert_email_to and settings.alert_email_from:
        found.append("email")
    return tuple(found)


@dataclass(frozen=True)
class Notice:
    """A one-off alert that is not a site problem (a Dagster run that failed)."""

    kind: str
    title: str
    text: str


def send_run_failure(settings: Settings, job: str, run_id: str, domain: str | None, reason: str,
                     run_url: str | None = None) -> list[str]:
    """Alert that a Dagster run failed (kind `run_failed`, routed like the others). Returns the
    channels that failed (empty: sent, or no channel configured)."""
    where = f" for {domain}" if domain else ""
    title = redact(f"[FAILED] {job}{where}: run {run_id[:8]}")[:300]
    text = redact("\n".join([title, "", (reason or "no reason recorded")[:2000]]
                             + (["", f"Run: {run_url}"] if run_url else [])))
    failures = []
    for channel in channels_for(settings, "run_failed"):
        try:
            SENDERS[channel](settings, Notice("run_failed", title, text))
        except AlertFailed as exc:
            failures.append(str(exc))
    return failures


# -- channels -----------------------------------------------------------------------------------
def send_webhook(settings: Settings, message: Message | Notice | Digest) -> None:
    """POST {"text": ...} (Slack's incoming webhooks, and the many services that accept them)."""
    url = settings.alert_webhook_url.get_secret_value()
    try:
        response = httpx.post(url, json={"text": message.text}, timeout=settings.health_timeout_s)
    except httpx.HTTPError as exc:
        raise AlertFailed(f"webhook: {type(exc).__name__}") from None  # the URL is a secret: not quoted
    if response.status_code >= 300:
        raise AlertFailed(f"webhook: HTTP {response.status_code}")


def send_email(settings: Settings, message: Message | Notice | Digest) -> None:
    email = EmailMessage()
    email["Subject"] = message.title
    email["From"] = settings.alert_email_from
    email["To"] = ", ".join(a.strip() for a in (settings.alert_email_to or "").split(",") if a.strip())
    email.set_content(message.text)
    try:
        with smtplib.SMTP(settings.alert_smtp_host, settings.alert_smtp_port, timeout=settings.health_timeout_s) as smtp:
            if settings.alert_smtp_starttls:
                smtp.starttls()
            if settings.alert_smtp_user and settings.alert_smtp_password:
                smtp.login(settings.alert_smtp_user, settings.alert_smtp_password.get_secret_value())
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertFailed(f"email: {type(exc).__name__}") from None


class AlertFailed(Exception):
    pass


SENDERS: dict[str, Callable[[Settings, Message | Notice | Digest], None]] = {"webhook": send_webhook, "email": send_email}


@dataclass
class Delivery:
    sent: int = 0  # firing messages delivered
    resolved: int = 0  # resolved messages delivered
    problems: int = 0  # problems those messages announced
    failures: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "resolved": self.resolved, "problems": self.problems, "failures": self.failures}


def deliver(settings: Settings, store: Store) -> Delivery:
    """Announce every open problem not yet announced and every resolution not yet announced.
    With FACTORY_ALERT_DIGEST=only they are marked announced without a message: the daily
    digest is the one message."""
    result = Delivery()
    if not configured(settings):
        return result  # nothing announced: problems stay unannounced until a channel is set
    if settings.alert_digest == "only":
        store.health.mark_alerted([p.id for p in store.health.unalerted()])
        store.health.mark_resolved_alerted([p.id for p in store.health.resolved_unannounced()])
        return result
    for state, problems in (("firing", store.health.unalerted()), ("resolved", store.health.resolved_unannounced())):
        for message in group(problems, state):
            failed = False
            routed = channels_for(settings, message.kind)
            for channel in routed:
                try:
                    SENDERS[channel](settings, message)
                except AlertFailed as exc:
                    result.failures.append(str(exc))
                    failed = True
            if failed:
                continue
            ids = [p.id for p in message.problems]
            if state == "firing":
                store.health.mark_alerted(ids)  # routed nowhere ("none"): not sent, not kept pending
                if not routed:
                    continue
                result.sent += 1
                result.problems += len(ids)
            else:
                store.health.mark_resolved_alerted(ids)
                if not routed:
                    continue
                result.resolved += 1
            result.messages.append(message)
    return result


# -- the daily digest ---------------------------------------------------------------------------
DIGEST_KIND = "digest"
DIGEST_SITES_LISTED = 10


@dataclass(frozen=True)
class Digest:
    day: dt.date
    open_problems: int
    sites_affected: int
    kinds: list[dict]  # check_kind, status, problems, sites (sorted), causes, new (opened in the last day)
    resolved: int  # problems resolved in the last day
    title: str
    text: str

    @property
    def kind(self) -> str:
        return DIGEST_KIND

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "open_problems": self.open_problems,
                "sites_affected": self.sites_affected, "resolved_last_day": self.resolved,
                "kinds": self.kinds, "title": self.title, "text": self.text}


def digest(store: Store, *, now: dt.datetime | None = None) -> Digest:
    """The day's summary of the open problems, by check kind: how many, on which sites, the
    causes, how many are new since yesterday; and how many were resolved. Names no secret (the
    text passes through the log redaction)."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=1)
    problems = store.health.problems(limit=1_000_000)
    resolved = store.health.resolved_since(since)
    by_kind: dict[str, list[Problem]] = {}
    for p in problems:
        by_kind.setdefault(p.check_kind, []).append(p)
    kinds = []
    for kind, members in sorted(by_kind.items()):
        sites = sorted({p.domain for p in members})
        kinds.append({"check_kind": kind, "status": "fail" if any(p.status == "fail" for p in members) else "warn",
                      "problems": len(members), "sites": sites,
                      "causes": sorted({redact(p.cause) for p in members})[:5],
                      "new": sum(1 for p in members if p.first_seen >= since),
                      "repairable": kind in checks.REPAIRABLE})
    sites_affected = len({p.domain for p in problems})
    title = redact(f"[DIGEST] {now:%Y-%m-%d}: {len(problems)} open problem(s) on {sites_affected} site(s)"
                   + (f", {len(resolved)} resolved in the last day" if resolved else ""))
    lines = [title, ""]
    for k in kinds:
        listed = ", ".join(k["sites"][:DIGEST_SITES_LISTED])
        more = f" and {len(k['sites']) - DIGEST_SITES_LISTED} more" if len(k["sites"]) > DIGEST_SITES_LISTED else ""
        lines.append(f"- {k['check_kind']} ({k['status']}): {k['problems']} problem(s) on {len(k['sites'])} site(s)"
                     + (f", {k['new']} new" if k["new"] else "") + f": {listed}{more}")
        lines += [f"    {cause}" for cause in k["causes"]]
    repairable = sorted({d for k in kinds if k["repairable"] for d in k["sites"]})
    if repairable:
        lines += ["", f"Repair: factory health repair --all ({len(repairable)} site(s) with drift)"]
    return Digest(now.date(), len(problems), sites_affected, kinds, len(resolved), title[:300],
                  redact("\n".join(lines)))


@dataclass
class DigestSent:
    sent: bool
    reason: str  # why not sent, or the channels it went to
    digest: Digest
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "reason": self.reason, "failures": self.failures, **self.digest.as_dict()}


def send_digest(settings: Settings, store: Store, *, now: dt.datetime | None = None,
                force: bool = False) -> DigestSent:
    """Send the day's digest, at most once a day (claimed in `alert_digests`), and only with the
    digest on (FACTORY_ALERT_DIGEST) unless `force`; nothing when no problem is open (a healthy
    fleet is quiet) and none was resolved in the last day."""
    found = digest(store, now=now)
    if settings.alert_digest == "off" and not force:
        return DigestSent(False, "the digest is off (FACTORY_ALERT_DIGEST)", found)
    routed = channels_for(settings, DIGEST_KIND)
    if not routed:
        return DigestSent(False, "no alert channel is configured for the digest", found)
    if found.open_problems == 0 and found.resolved == 0:
        return DigestSent(False, "nothing open and nothing resolved in the last day", found)
    if not store.health.claim_digest(found.day, found.open_problems, found.sites_affected):
        return DigestSent(False, f"the digest of {found.day} was already sent", found)
    failures = []
    for channel in routed:
        try:
            SENDERS[channel](settings, found)
        except AlertFailed as exc:
            failures.append(str(exc))
    if len(failures) == len(routed):
        store.health.release_digest(found.day)  # tried again by the next attempt
        return DigestSent(False, "every channel failed", found, failures)
    return DigestSent(True, "sent to " + ", ".join(routed), found, failures)
