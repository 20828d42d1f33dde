"""Provider outcomes the worker acts on: retry later, or fail for good with a reason."""

from __future__ import annotations


class ProviderError(Exception):
    """Base for every provider failure; `reason` is shown to the filmmaker."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientProviderError(ProviderError):
    """429, 5xx, timeouts, connection errors: worth retrying with backoff."""

    def __init__(self, reason: str, retry_after: float | None = None, quota: bool = False,
                 server_retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after  # the delay to use: the server's hint, or our default for the case
        self.quota = quota  # a 429: the provider's quota is used up, not something wrong with this job
        self.server_retry_after = server_retry_after  # what the server itself asked for, if anything


class PermanentProviderError(ProviderError):
    """Invalid input, safety filtering, a failed operation: retrying will not help."""

    def __init__(self, reason: str, kind: str = "failed") -> None:
        super().__init__(reason)
        self.kind = kind  # "invalid" | "safety" | "failed" | "corrupt"


class OperationNotFound(PermanentProviderError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, kind="not_found")
