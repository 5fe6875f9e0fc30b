"""Failed sign-ins, counted in Postgres so every Hub worker and process sees the same counts.

Two limits, both keyed by the client address the Hub can vouch for (see client_address.py),
so nobody elsewhere can lock an operator out:
- per account and address: `attempts` failures per minute, then 429 until the oldest expires;
- per address: failures on `accounts` distinct accounts within 15 minutes (password spraying),
  then every sign-in from that address waits.
An attempt is written *before* the password is checked and deleted if it succeeds, so guesses
sent in parallel are counted as they arrive, not after argon2 has answered.
"""

from __future__ import annotations

import hashlib
import math

from factory.store import Store

ACCOUNT_WINDOW_SECONDS = 60.0
ADDRESS_WINDOW_SECONDS = 900.0


class TooManySignIns(Exception):
    def __init__(self, retry_after: int, why: str):
        super().__init__(why)
        self.retry_after = retry_after


def account_key(email: str) -> bytes:
    """What is stored for an email: its SHA-256 (what people type as an email may be a password)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).digest()


class SignInLimiter:
    def __init__(self, store: Store, attempts: int, accounts: int,
                 account_window: float = ACCOUNT_WINDOW_SECONDS, address_window: float = ADDRESS_WINDOW_SECONDS):
        self.store = store
        self.attempts = attempts
        self.accounts = accounts
        self.account_window = account_window
        self.address_window = address_window

    def begin(self, email: str, client: str) -> int:
        """Record an attempt and return its id, or raise TooManySignIns (nothing recorded)."""
        account = account_key(email)
        with self.store.connection() as conn:
            # One decision at a time per address: two parallel guesses cannot both see room for one.
            conn.execute("select pg_advisory_xact_lock(7246103, hashtext(%s))", (client,))
            conn.execute("delete from public.sign_in_attempts where at < now() - make_interval(secs => %s)",
                         (max(self.account_window, self.address_window),))
            failures, account_wait = conn.execute(
                "select count(*), extract(epoch from min(at) + make_interval(secs => %(w)s) - now())"
                "  from public.sign_in_attempts"
                " where client = %(c)s and account = %(a)s and at > now() - make_interval(secs => %(w)s)",
                {"c": client, "a": account, "w": self.account_window}).fetchone()
            if failures >= self.attempts:
                raise TooManySignIns(_seconds(account_wait), "too many failed sign-ins for this account")
            accounts, address_wait = conn.execute(
                "select count(*), extract(epoch from min(last) + make_interval(secs => %(w)s) - now())"
                "  from (select max(at) as last from public.sign_in_attempts"
                "         where client = %(c)s and at > now() - make_interval(secs => %(w)s) group by account) a",
                {"c": client, "w": self.address_window}).fetchone()
            if accounts >= self.accounts:
                raise TooManySignIns(_seconds(address_wait), "too many failed sign-ins from this address")
            return conn.execute("insert into public.sign_in_attempts (account, client) values (%s, %s) returning id",
                                (account, client)).fetchone()[0]

    def succeeded(self, attempt_id: int, email: str, client: str) -> None:
        """The attempt was right: it and this address's earlier failures on the account no longer count."""
        with self.store.connection() as conn:
            conn.execute("delete from public.sign_in_attempts where id = %s or (client = %s and account = %s)",
                         (attempt_id, client, account_key(email)))


def _seconds(value: object) -> int:
    return max(1, math.ceil(float(value or 1)))
