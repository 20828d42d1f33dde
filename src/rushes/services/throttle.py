"""Sign-in throttling per account and per address: increasing delays, counted by the database.

Every attempt is counted before its password is checked (one conditional UPDATE per key, see
store/throttles.py), so thirty attempts sent at once get the free tries and no more; a right
password then takes its attempt back. An attempt made while a key waits is refused without being
counted, so it does not lengthen the wait: whoever has the password gets in once the delay passes.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from rushes.domain.throttle import ACCOUNT, ADDRESS, ThrottlePolicy, delay_after
from rushes.store import throttles

# The clock the throttle reads (epoch seconds); tests move it instead of sleeping.
clock = time.time


class _Waiting(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _keys(email: str, address: str) -> list[tuple[str, str, ThrottlePolicy]]:
    keys = [("account", email, ACCOUNT)] if email else []
    return keys + [("address", address, ADDRESS)]


def begin_attempt(session: Session, email: str, address: str) -> float:
    """Count one sign-in attempt for the account and the address: 0 when admitted, else seconds to wait."""
    moment = clock()
    try:
        with session.begin_nested():  # a refused attempt counts against neither key
            for scope, key, policy in _keys(email, address):
                throttles.ensure_row(session, scope, key)
                count = throttles.take_attempt(session, scope, key, moment, moment - policy.forget_after)
                if count is None:
                    raise _Waiting(max(1.0, throttles.blocked_until(session, scope, key) - moment))
                wait = delay_after(policy, count)
                if wait:
                    throttles.set_blocked_until(session, scope, key, moment + wait)
    except _Waiting as waiting:
        return waiting.seconds
    return 0.0


def succeeded(session: Session, email: str, address: str) -> None:
    """The password was right: the account starts afresh, the address gets its attempt back."""
    throttles.clear(session, "account", email)
    throttles.forgive(session, "address", address, ADDRESS.free)


def clear_account(session: Session, email: str) -> bool:
    """An owner lets a member try again at once."""
    return throttles.clear(session, "account", email) > 0


def account_states(session: Session, emails: list[str]) -> dict[str, dict]:
    """Failures counted and how long each account still waits (0 when it may try now)."""
    moment = clock()
    return {email: {"failures": failures, "wait_seconds": max(0.0, round(until - moment, 1))}
            for email, (failures, until) in throttles.states(session, "account", emails).items()}
