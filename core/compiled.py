"""A query whose SQL is built once per database and then run with other values.

Building a query with the ORM (filters, joins, subqueries) can cost more than the database takes to run it: a
milliseconds' worth on every request for a query whose shape never changes. The queryset is built once with
stand-in values, which are then replaced in its parameters by the real ones.
"""

from collections.abc import Callable

from django.db import connections

_STAND_IN = (
    -1_999_999_000
)  # below any key, and within a 32-bit integer column (an out-of-range value empties the query)


class CompiledQuery:
    def __init__(self, build: Callable[..., object], arity: int | None = None):
        """`build(*values)` returns the queryset for these values (keys, numbers: each must reach the SQL as a
        parameter of its own); `arity` is how many it takes, or None for any number (built once per number)."""
        self.build, self.arity, self._compiled = build, arity, {}

    def _compile(self, using: str, count: int):
        if (using, count) not in self._compiled:
            stand_ins = [_STAND_IN - index for index in range(count)]
            queryset = self.build(*stand_ins)
            sql, params = queryset.query.get_compiler(using=using).as_sql()
            params = list(params)
            positions = [[i for i, param in enumerate(params) if param == stand_in] for stand_in in stand_ins]
            if not all(positions):
                raise ValueError("a value does not reach the SQL as a parameter of its own")
            self._compiled[using, count] = (sql, params, positions)
        return self._compiled[using, count]

    def sql(self, *values, using: str = "default") -> tuple[str, list]:
        """The SQL and its parameters for these values (to run, or to embed in a larger statement)."""
        if self.arity is not None and len(values) != self.arity:
            raise TypeError(f"{self.arity} values expected, {len(values)} given")
        sql, params, positions = self._compile(using, len(values))
        params = list(params)
        for value, places in zip(values, positions, strict=True):
            for place in places:
                params[place] = value
        return sql, params

    def rows(self, *values, using: str = "default") -> list[tuple]:
        sql, params = self.sql(*values, using=using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
