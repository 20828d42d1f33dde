"""How long a sign-in must wait after failures: a few free tries, then a delay that doubles, with a ceiling.

Delays instead of a lockout: whoever knows the password gets in once the delay has passed, and a
guesser gets a handful of tries an hour instead of thousands. Pure arithmetic; the counting is
done by the database (rushes.services.throttle).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int          # failures allowed before any delay
    base: float        # seconds to wait after the first failure beyond the free ones
    ceiling: float     # the longest wait
    forget_after: float  # seconds without a failure after which the count starts again


# One account: 5 free tries, then 2 s, 4 s, 8 s … up to 15 minutes.
ACCOUNT = ThrottlePolicy(free=5, base=2.0, ceiling=15 * 60, forget_after=6 * 3600)
# One address (a studio behind one NAT shares it): 20 free tries, then 1 s doubling up to 5 minutes.
ADDRESS = ThrottlePolicy(free=20, base=1.0, ceiling=5 * 60, forget_after=3600)


def delay_after(policy: ThrottlePolicy, failures: int) -> float:
    """Seconds the next attempt waits once `failures` have been counted."""
    if failures < policy.free:
        return 0.0
    steps = failures - policy.free
    if steps >= 30:  # 2**30 seconds is past any ceiling
        return policy.ceiling
    return min(policy.ceiling, policy.base * 2 ** steps)
