"""Outgoing mail (invitations): a protocol, a recording mock and the real SMTP adapter.

With no RUSHES_SMTP_HOST there is no mailer at all, and the members page shows the invitation
link for the owner to hand over instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The port lives in base.py so the SMTP adapter can import it without importing this package back.
from rushes.providers.mail.base import MailFailed, Mailer

__all__ = ["MailFailed", "Mailer", "RecordingMailer", "mailer_from"]


@dataclass
class RecordingMailer:
    """The mock: keeps what it was asked to send, in order."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


def mailer_from(settings) -> Mailer | None:
    if not settings.smtp_host:
        return None
    from rushes.providers.mail.smtp import SmtpMailer

    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_security,
                      settings.smtp_username, settings.smtp_password, settings.smtp_timeout_seconds)
