"""The real local webhook receiver and SMTP server (aiosmtpd) for every alert test here."""

from tests.health.test_alerts import mailbox, receiver  # noqa: F401 - fixtures
