"""The few SQL functions reports need that SQLite and PostgreSQL spell differently.

Dates are grouped by their wall time in the centre's zone (``Occurrence.local_start``),
so a weekly 19:00 series stays at 19:00 across a clock change on both databases.
"""

from sqlalchemy import Float, Integer, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class minutes_between(FunctionElement):  # noqa: N801 (an SQL function)
    """Minutes from the first timestamp to the second (fractions kept)."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"


class month_of(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a timestamp."""

    type = String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    # SQLite keeps a timestamp as ISO text ("2027-03-28 19:00:00.000000"): its first seven characters
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class weekday_of(FunctionElement):  # noqa: N801
    """0 = Sunday … 6 = Saturday on both databases."""

    type = Integer()
    inherit_cache = True


@compiles(weekday_of, "sqlite")
def _weekday_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%w', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(weekday_of, "postgresql")
def _weekday_postgresql(element, compiler, **kw):
    return f"CAST(EXTRACT(DOW FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class minute_of_day(FunctionElement):  # noqa: N801
    """Minutes since midnight of a timestamp."""

    type = Integer()
    inherit_cache = True


@compiles(minute_of_day, "sqlite")
def _minute_sqlite(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%H', {value}) AS INTEGER) * 60 + CAST(strftime('%M', {value}) AS INTEGER))"


@compiles(minute_of_day, "postgresql")
def _minute_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(HOUR FROM {value}) * 60 + EXTRACT(MINUTE FROM {value}) AS INTEGER)"


def json_values(column, dialect: str):
    """The elements of a JSON array column as a table with one column ``value`` (for joins and EXISTS)."""
    if dialect == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").render_derived(with_types=False)
    return func.json_each(column).table_valued("value")
