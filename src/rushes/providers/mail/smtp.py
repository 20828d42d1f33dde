"""Mail through an SMTP server with the standard library's smtplib (plain, STARTTLS or SSL)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from rushes.providers.mail.base import MailFailed


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, security: str = "starttls", username: str | None = None,
                 password: str | None = None, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender, self.security = host, port, sender, security
        self.username, self.password, self.timeout = username, password, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as err:
            # The reason, never the credentials: smtplib's errors carry the server's reply only.
            raise MailFailed(f"mail to {to} was not sent: {type(err).__name__}: {err}"[:300]) from None
