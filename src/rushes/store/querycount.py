"""Count the SQL statements an engine runs: how tests and benches check that cost follows the work."""

from __future__ import annotations

from sqlalchemy import Engine, event


class QueryCounter:
    """Counts statements sent to the database while active (`with QueryCounter(engine) as q: ...; q.count`).

    Every thread's statements count (a request runs in a worker thread), so measure with no render
    worker or other traffic on the engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
