"""The data generation: a stamp that changes whenever data the dashboards read has changed.

Triggers in the database, not Python signals, so that every write moves it on: the services'
saves, bulk writes, `QuerySet.update()`, raw SQL, imports, restores, a console. They are
(re)installed after every `migrate` (post_migrate), on every table of the tracked apps except the
history tables (written in the same transactions as their records).

- PostgreSQL: a statement-level trigger on each table notes the writing transaction once
  (a row in `reports_pendingchange`); a deferred constraint trigger on that row moves the
  generation on when the transaction commits. A reader sees the new stamp exactly when it sees
  the committed data, and the generation's row is locked only while committing: writers do not
  wait on each other. A transaction that has written tracked data and reads its own uncommitted
  state is told so (`current()` is None): what it sees may never be committed.
- SQLite: one writer at a time, so a row trigger moves the generation on in the writing
  transaction itself.

The stamp is (value, time of the change): a generation rolled back and reached again by other
writes never gives the same stamp.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

TRACKED_APPS = ("units", "members", "meetings", "reports")
GENERATION_TABLE = "reports_datageneration"
PENDING_TABLE = "reports_pendingchange"
TRIGGER = "chibo_data_changed"

Stamp = tuple[int, str]


def tracked_tables() -> list[str]:
    """The tables whose writes move the generation on."""
    own = {GENERATION_TABLE, PENDING_TABLE}
    tables = set()
    for label in TRACKED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or model.__name__.startswith("Historical"):
                continue
            if meta.db_table not in own:
                tables.add(meta.db_table)
    return sorted(tables)


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('chibo.data_changed', true) IS DISTINCT FROM '1' THEN
        PERFORM set_config('chibo.data_changed', '1', true);
        INSERT INTO {PENDING_TABLE} (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION chibo_data_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {GENERATION_TABLE} (id, value, changed_at) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET value = {GENERATION_TABLE}.value + 1, changed_at = clock_timestamp();
    DELETE FROM {PENDING_TABLE} WHERE txid = NEW.txid;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS chibo_data_committed ON {PENDING_TABLE};
CREATE CONSTRAINT TRIGGER chibo_data_committed AFTER INSERT ON {PENDING_TABLE}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chibo_data_committed();
"""

# No "OR IGNORE" for the first row: inside a trigger, the conflict clause of the statement that
# fired it (an upsert's) would replace it.
SQLITE_BUMP = (
    f"INSERT INTO {GENERATION_TABLE} (id, value, changed_at) SELECT 1, 0, NULL "
    f"WHERE NOT EXISTS (SELECT 1 FROM {GENERATION_TABLE} WHERE id = 1); "
    f"UPDATE {GENERATION_TABLE} SET value = value + 1, "
    "changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 1;"
)


def install_triggers(using: str = DEFAULT_DB_ALIAS) -> int:
    """Create or replace the triggers on every tracked table; returns how many tables."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [t for t in tracked_tables() if t in existing]
    if GENERATION_TABLE not in existing:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTIONS)
            for table in tables:
                name = _quote(connection, table)
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {name}")
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {name} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    trigger = _quote(connection, f"{TRIGGER}_{table}_{event.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    cursor.execute(
                        f"CREATE TRIGGER {trigger} AFTER {event} ON {_quote(connection, table)} "
                        f"BEGIN {SQLITE_BUMP} END"
                    )
        else:
            return 0
    return len(tables)


def installed_on(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The tables that carry the trigger (for the tests and the checks)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [TRIGGER],
            )
            return {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{TRIGGER}_%"],
        )
        return {name for (name,) in cursor.fetchall()}


def current(using: str = DEFAULT_DB_ALIAS) -> Stamp | None:
    """The stamp of the committed data (one query), or None when this transaction has written
    tracked data it has not committed yet (PostgreSQL), so that nothing it reads is kept."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (SELECT value FROM {GENERATION_TABLE} WHERE id = 1), "
                f"(SELECT changed_at FROM {GENERATION_TABLE} WHERE id = 1), "
                f"EXISTS (SELECT 1 FROM {PENDING_TABLE} WHERE txid = txid_current_if_assigned())"
            )
            value, changed_at, pending = cursor.fetchone()
            if pending:
                return None
        else:
            cursor.execute(f"SELECT value, changed_at FROM {GENERATION_TABLE} WHERE id = 1")
            value, changed_at = cursor.fetchone() or (0, None)
    return (value or 0, str(changed_at))


def on_post_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After `migrate` (and a test database's set-up): the triggers on every tracked table."""
    if sender.label == "reports":
        install_triggers(using)
