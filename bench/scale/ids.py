"""Ids drawn from the tables' own sequences ahead of the writes, and rows written by COPY."""

from django.db import connection
from django.utils import timezone

BLOCK = 5000


class Ids:
    """Hands out ids of each model's sequence, fetched a block at a time: rows can point at
    each other (paths, foreign keys) before any of them is written."""

    def __init__(self):
        self._free: dict = {}

    def next(self, model) -> int:
        free = self._free.setdefault(model, [])
        if not free:
            free.extend(reversed(self.take(model, BLOCK)))
        return free.pop()

    @staticmethod
    def take(model, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY `rows` (sequences of Python values) into `table`; returns how many."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_objects(model, objs, *, exclude=()) -> int:
    """COPY unsaved model instances whose ids are already set, every concrete column (auto_now
    columns stamped now), as `save()` would have written them; no history."""
    fields = [f for f in model._meta.concrete_fields if f.name not in exclude]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    attnames = [f.attname for f in fields]
    rows = ([getattr(obj, a) for a in attnames] for obj in objs)
    return copy_rows(model._meta.db_table, [f.column for f in fields], rows)
