"""The mail port: what an outgoing mailer does and how it says it failed (shared by every adapter)."""

from __future__ import annotations

from typing import Protocol


class MailFailed(Exception):
    """The message was not accepted by the mail server (the reason is in the message)."""


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...
