"""The credit ledger's vocabulary: every row is one of these, and the balance is their sum."""

from __future__ import annotations

from enum import StrEnum


class LedgerKind(StrEnum):
    GRANT = "grant"    # credits added by an owner (never negative)
    CHARGE = "charge"  # credits held for a render at confirm (negative)
    REFUND = "refund"  # credits given back for a render that failed or was cancelled
    KEPT = "kept"      # amount 0: a record that a finished render kept its charge
    RESUBMIT = "resubmit"  # amount 0: a warning that a resubmitted render may be billed twice by the provider


SPENDING_KINDS: tuple[LedgerKind, ...] = (LedgerKind.CHARGE, LedgerKind.REFUND)
