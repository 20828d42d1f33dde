"""Which ids a request may name, and what kind of id a field holds; their owners are looked up in the store.

The table of ids and the queries that resolve each to its studio (and scene) live in
rushes.store.access (OWNERS): a route whose path names an id not there is refused (see
rushes.web.access), so a new kind of id must be added to it. This module keeps the names that are
not ids at all, and how a JSON body's field names an id.
"""

from __future__ import annotations

from rushes.store.access import OWNERS, TEXT_IDS, Owner, owners

__all__ = ["NOT_IDS", "OWNERS", "TEXT_IDS", "Owner", "id_kind", "owners"]

# Path parameters that are not ids of anything a studio owns.
# format: an export's file type; share_token and invite_token: links, checked by the public page that opens
# them; my_invitation_id and my_token_id: the caller's own invitation or API token, matched to the caller
# by the service (anybody else's answers 404, like one that does not exist).
NOT_IDS = {"stage", "format", "share_token", "invite_token", "my_invitation_id", "my_token_id"}


def id_kind(name: str) -> str | None:
    """The OWNERS entry a (body) field names: `shot_ids` and `after_shot_id` are shot ids."""
    base = name[:-1] if name.endswith("_ids") else name
    if base in OWNERS:
        return base
    for kind in OWNERS:
        if kind.endswith("_id") and base.endswith("_" + kind):
            return kind
    return None
