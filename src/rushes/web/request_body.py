"""A request's body as the access guard reads it: by the same rule, from the same cached bytes, as the route.

FastAPI parses a body as JSON when it has no Content-Type or an `application/json` / `application/*+json`
one in any letter case and with any parameters; the guard does the same, so no spelling of the header
lets ids past it. A non-empty body of any other type (forms aside) no route here parses: `unsupported`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import Request

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


@dataclass(frozen=True)
class Body:
    """The ids a JSON object or form names (`*_id`, `*_ids` fields), a form's CSRF field."""

    ids: dict[str, list] = field(default_factory=dict)
    form_csrf: str | None = None
    unsupported: bool = False  # refused (415) once the caller is known


def media_type(header: str | None) -> str | None:
    """The Content-Type's media type, lower case and without parameters (None when absent)."""
    if header is None:
        return None
    return header.split(";", 1)[0].strip().lower()


def parsed_as_json(media: str | None) -> bool:
    """Whether FastAPI parses a body of this media type as JSON."""
    if media is None:
        return True
    main, _, sub = media.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


async def read_body(request: Request, csrf_field: str) -> Body:
    """Starlette caches what it reads, so the route later parses exactly these bytes."""
    if request.method in SAFE_METHODS:
        return Body()
    media = media_type(request.headers.get("content-type"))
    if media in FORM_TYPES:
        form = await request.form()
        value = form.get(csrf_field)
        return Body(_named_ids({name: form.getlist(name) for name in form}),
                    form_csrf=value if isinstance(value, str) else None)
    raw = await request.body()
    if not parsed_as_json(media):
        return Body(unsupported=bool(raw.strip()))
    if not raw.strip():
        return Body()
    try:
        data = json.loads(raw)
    except ValueError:
        return Body()  # FastAPI answers the malformed body with 422
    return Body(_named_ids(data) if isinstance(data, dict) else {})


def _named_ids(fields: dict) -> dict[str, list]:
    """The `*_id` and `*_ids` fields of a body, each as a list of at most 1000 values."""
    ids: dict[str, list] = {}
    for name, value in fields.items():
        if not name.endswith(("_id", "_ids")) or value is None:
            continue
        values = value if isinstance(value, list) else [value]
        ids[name] = values[:1000]
    return ids
