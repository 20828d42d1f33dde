"""Keyset pagination for the API's lists: `limit` and an `after` cursor, the next page in a Link header.

A list answers at most `limit` items; when more follow, the response carries
`Link: <...?after=CURSOR&limit=N>; rel="next"` and `X-Next-Cursor: CURSOR`. A cursor names the last item
seen in the list's own order (an id, a scene number, ...), so pages stay stable while rows are added,
and a page costs one indexed query however deep it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Query, Request, Response

from rushes.domain.text import MAX_ID

MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    limit: int
    after: str | None

    def fetch(self) -> int:
        """Rows to ask for: one more than a page, to learn whether another page follows."""
        return self.limit + 1

    def cursor(self, parse):
        """The `after` cursor parsed by `parse`, or None; a cursor that does not parse is a 422 naming it."""
        if self.after is None:
            return None
        try:
            value = parse(self.after)
            # An id or number cursor must fit the database's 64-bit integers, or the query itself fails.
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise ValueError(self.after)
            return value
        except (TypeError, ValueError):
            raise HTTPException(422, [{"loc": ["query", "after"], "msg": "not a cursor from this list",
                                       "type": "value_error"}]) from None


def page_params(default: int):
    """A dependency reading `limit` (1..500, default `default`) and `after` from the query string."""

    def params(limit: int = Query(default, ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})"),
               after: str | None = Query(None, max_length=64,
                                         description="cursor from the previous page's Link / X-Next-Cursor header")) -> Page:
        return Page(limit, after)

    return params


def finish(request: Request, response: Response, page: Page, rows: list, cursor_of) -> list:
    """Trim rows fetched with page.fetch() to one page and announce the next page if there is one."""
    if len(rows) <= page.limit:
        return rows
    rows = rows[:page.limit]
    cursor = str(cursor_of(rows[-1]))
    url = request.url.include_query_params(after=cursor, limit=page.limit)
    response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    response.headers["X-Next-Cursor"] = cursor
    return rows
