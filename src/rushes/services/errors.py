"""Errors services raise for the web layer to turn into 404 and 409 answers."""

from __future__ import annotations


class NotFound(LookupError):
    """An id that names nothing; the API answers 404."""


class Conflict(Exception):
    """The request is valid but the scene is not in a state that allows it (409)."""

    def __init__(self, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
