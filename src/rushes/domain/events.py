"""What the render side tells the rest of the app: facts that happened, carried by value.

The jobs layer publishes these through its dispatcher (rushes.jobs.events) inside the transaction that
made them true; services subscribe (the notification, queueing QC), so the queue never imports a service.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TakeFinished:
    """The last open job of a take ended: every shot rendered, failed or was cancelled.

    `failed` counts the take's jobs that ended failed (a take with any is a failed take); `cancelled`
    says the filmmaker cancelled it. Handlers read anything else they need in the same transaction.
    """

    take_id: int
    scene_id: int
    failed: int = 0
    cancelled: bool = False

    @property
    def outcome(self) -> str:
        """finished | failed | cancelled: the kind of notification the take gets."""
        if self.failed:
            return "failed"
        return "cancelled" if self.cancelled else "finished"
