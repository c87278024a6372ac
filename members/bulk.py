"""Bulk writes that keep history, in a few statements: imports of thousands of members, the demo.

django-simple-history's bulk_*_with_history build a model object per row and per history row,
and Django's bulk_update writes a CASE per field and row: on this project's 2-core machine,
bulk_update_with_history of 10,000 members × 20 fields took 82 s, and bulk_create_with_history of
10,000 members with their 20,000 events ~10 s, against the 10 s budget of a whole import
(DESIGN.md). Here rows go in by COPY (PostgreSQL) or multi-row INSERT (SQLite), are changed by
one UPDATE joined to the new values copied into a scratch table (PostgreSQL) or one executemany
(SQLite), and their history rows are copied from them by INSERT … SELECT with one author and
one time, so the history is the one `save()` would have left.

Callers validate first (`full_clean`), set derived columns (search and sort keys) and hold the
transaction.
"""

from datetime import datetime
from itertools import batched

from django.db import models, transaction
from django.utils import timezone

CHUNK_ROWS = 1000  # rows per statement: 1,000 × 38 columns is within both databases' limits


def _connection():
    return transaction.get_connection()


def _chunk_size(columns: int) -> int:
    limit = _connection().features.max_query_params or 65_535
    return max(1, min(CHUNK_ROWS, limit // max(columns, 1)))


def _values(objs, fields) -> list[list]:
    """Each object's values for `fields`, as the database takes them: dates and times through
    the backend's adapters; text, numbers, booleans and ids as they are (preparing every value
    through its field is what makes Django's bulk_create slow)."""
    ops = _connection().ops
    getters = []
    for field in fields:
        if isinstance(field, models.DateTimeField):
            adapt = ops.adapt_datetimefield_value
        elif isinstance(field, models.DateField):
            adapt = ops.adapt_datefield_value
        else:
            adapt = None
        getters.append((field.attname, adapt))
    return [
        [
            getattr(obj, attname) if adapt is None else adapt(getattr(obj, attname))
            for attname, adapt in getters
        ]
        for obj in objs
    ]


def _stamp(objs, fields, now: datetime, *, adding: bool) -> None:
    for field in fields:
        if getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)):
            for obj in objs:
                setattr(obj, field.attname, now)


def insert_rows(model, objs: list, *, returning: bool = True) -> list:
    """INSERT unsaved `objs` of `model`; their ids are set when `returning`.

    On PostgreSQL by COPY (10,000 members in 0.1 s, against 0.9 s through arrays and
    unnest()), their ids drawn from the table's sequence first; elsewhere by multi-row
    VALUES … RETURNING id, CHUNK_ROWS at a time: SQLite hands out ascending ids in the order
    of the rows, so the n-th smallest id returned is the n-th row's.
    """
    if not objs:
        return objs
    db = _connection()
    quote = db.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    _stamp(objs, fields, timezone.now(), adding=True)
    table = quote(model._meta.db_table)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, pk.column, len(objs)],
                )
                _set_ids(db, objs, [row[0] for row in cursor.fetchall()])
                fields = [pk, *fields]
            columns = ", ".join(quote(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in _values(objs, fields):
                    copy.write_row(row)
            return objs
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for chunk in batched(objs, _chunk_size(len(fields))):
            values = ", ".join([placeholders] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"
            if returning:
                sql += f" RETURNING {quote(pk.column)}"
            cursor.execute(sql, [value for row in _values(chunk, fields) for value in row])
            if returning:
                _set_ids(db, chunk, sorted(row[0] for row in cursor.fetchall()))
    return objs


def _set_ids(db, objs: list, ids: list) -> None:
    pk = objs[0]._meta.pk
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding, obj._state.db = False, db.alias


def update_rows(model, objs: list, fields: list[str]) -> None:
    """UPDATE `fields` of saved `objs` (auto_now fields too): on PostgreSQL the new values go
    by COPY into a scratch table the UPDATE joins, elsewhere by one executemany."""
    if not objs:
        return
    db = _connection()
    quote = db.ops.quote_name
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    concrete += [
        f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f not in concrete
    ]
    _stamp(objs, concrete, timezone.now(), adding=False)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    rows = [[obj.pk, *values] for obj, values in zip(objs, _values(objs, concrete), strict=True)]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            names = [pk] + [quote(f.column) for f in concrete]
            scratch = quote(f"{meta.db_table}_bulk_update")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
                f"SELECT {', '.join(names)} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {scratch} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{name} = new.{name}" for name in names[1:])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {scratch} AS new "
                f"WHERE {table}.{pk} = new.{pk}"
            )
            cursor.execute(f"DROP TABLE {scratch}")
            return
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in concrete)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [[*r[1:], r[0]] for r in rows]
        )


def copy_to_history(model, ids: list, *, by, history_type: str) -> None:
    """One history row per id, copied from the model's table as it is now ("+" created,
    "~" changed), by `by`, at one time."""
    if not ids:
        return
    db = _connection()
    quote = db.ops.quote_name
    history = model.history.model
    columns = ", ".join(quote(model._meta.get_field(f.name).column) for f in history.tracked_fields)
    when = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), db)
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)
    pk = quote(model._meta.pk.column)
    postgres = db.vendor == "postgresql"
    with db.cursor() as cursor:
        for chunk in batched(ids, _chunk_size(1)):
            among = "= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(chunk))})"
            listed = [list(chunk)] if postgres else chunk
            cursor.execute(
                f"INSERT INTO {history_table} ({columns}, {quote('history_date')}, "
                f"{quote('history_change_reason')}, {quote('history_type')}, "
                f"{quote('history_user_id')}) "
                f"SELECT {columns}, %s, NULL, %s, %s FROM {table} WHERE {pk} {among}",
                [when, history_type, by.pk if by else None, *listed],
            )


def insert_with_history(model, objs: list, *, by) -> list:
    """Create `objs` with their "+" history rows by `by`."""
    insert_rows(model, objs)
    copy_to_history(model, [obj.pk for obj in objs], by=by, history_type="+")
    return objs


def update_with_history(model, objs: list, fields: list[str], *, by) -> None:
    """Write `fields` of `objs` with their "~" history rows by `by`."""
    update_rows(model, objs, fields)
    copy_to_history(model, [obj.pk for obj in objs], by=by, history_type="~")
