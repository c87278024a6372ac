"""Backups of the whole database, and their verification after a restore.

PostgreSQL is dumped with pg_dump in its compressed custom format; SQLite is copied with the
online backup API and gzip-ed. Beside each backup a manifest (`<backup>.manifest.json`) holds,
for every table, its row count and an md5 of its rows in primary-key order, computed from the
very snapshot that was dumped. After a restore the same checksums are computed on the restored
database and compared. The rows are turned into the same canonical text on both vendors (dates
in UTC, booleans, decimals and JSON normalised), so one data set gives one checksum.
"""

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST_FORMAT = 1
POSTGRESQL, SQLITE = "postgresql", "sqlite"
SUFFIXES = {POSTGRESQL: ".dump", SQLITE: ".sqlite3.gz"}
LABELS = {POSTGRESQL: "PostgreSQL", SQLITE: "SQLite"}
# Rows fetched per round trip while checksumming (a server-side cursor on PostgreSQL).
BATCH = 5000
NULL = "\\N"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest_path: Path
    size: int
    manifest: dict


def vendor_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return POSTGRESQL
    if "sqlite3" in engine:
        return SQLITE
    raise BackupError(
        _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine}
    )


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def default_path(vendor: str, now: datetime | None = None) -> Path:
    """backups/chibo-<vendor>-<yyyymmdd-hhmm><suffix> under BACKUP_DIR (default var/backups)."""
    now = timezone.localtime(now)
    folder = Path(getattr(settings, "BACKUP_DIR", settings.BASE_DIR / "var" / "backups"))
    return folder / f"chibo-{vendor}-{now:%Y%m%d-%H%M}{SUFFIXES[vendor]}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Canonical text of a value, the same whichever vendor stored it.


def _column_types() -> dict[str, dict[str, str]]:
    """db_table → {column → Django field type}, for every model (history and m2m included)."""
    types: dict[str, dict[str, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        columns = types.setdefault(model._meta.db_table, {})
        for field in model._meta.local_fields:
            columns[field.column] = field.get_internal_type()
    return types


def _as_datetime(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _canonical(value, kind: str | None) -> str:
    if value is None:
        return NULL
    if kind == "BooleanField" or isinstance(value, bool):
        return "t" if value else "f"
    if kind == "DateTimeField" or isinstance(value, datetime):
        return _as_datetime(value).isoformat(sep=" ", timespec="microseconds")
    if kind == "DateField" or isinstance(value, date):
        return (date.fromisoformat(value) if isinstance(value, str) else value).isoformat()
    if kind == "TimeField" or isinstance(value, time):
        value = time.fromisoformat(value) if isinstance(value, str) else value
        return value.isoformat(timespec="microseconds")
    if kind == "DecimalField" or isinstance(value, Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if kind == "JSONField":
        value = json.loads(value) if isinstance(value, str) else value
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _digest(rows, kinds: list[str | None]) -> tuple[int, str]:
    count, digest = 0, hashlib.md5(usedforsecurity=False)
    for row in rows:
        line = "\t".join(_canonical(v, k) for v, k in zip(row, kinds, strict=True))
        digest.update(line.encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def _batches(cursor):
    while rows := cursor.fetchmany(BATCH):
        yield from rows


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_checksums(conn: sqlite3.Connection) -> dict[str, dict]:
    """{table: {"rows": n, "md5": hex}} of every table of an SQLite database."""
    types = _column_types()
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        info = conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        columns = sorted(row[1] for row in info)
        keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]] or columns
        cursor = conn.execute(
            f"SELECT {', '.join(map(_quote, columns))} FROM {_quote(table)} "
            f"ORDER BY {', '.join(map(_quote, keys))}"
        )
        kinds = [types.get(table, {}).get(c) for c in columns]
        rows, md5 = _digest(_batches(cursor), kinds)
        result[table] = {"rows": rows, "md5": md5}
    return result


def postgresql_checksums(conn) -> dict[str, dict]:
    """The same for the current schema of a PostgreSQL database (psycopg connection), read with
    one server-side cursor per table inside the caller's transaction."""
    types = _column_types()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [name for (name,) in cur.fetchall()]
    result = {}
    for table in tables:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s",
                [table],
            )
            columns = sorted(name for (name,) in cur.fetchall())
            # Text keys sort byte by byte (COLLATE "C"), as SQLite sorts them.
            cur.execute(
                "SELECT a.attname, a.atttypid IN ('text'::regtype, 'varchar'::regtype) "
                "FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                [_quote(table)],
            )
            keys = cur.fetchall() or [(c, False) for c in columns]
        order = ", ".join(_quote(k) + (' COLLATE "C"' if text else "") for k, text in keys)
        kinds = [types.get(table, {}).get(c) for c in columns]
        with conn.cursor(name=f"chibo_checksum_{len(result)}") as cur:
            cur.execute(
                f"SELECT {', '.join(map(_quote, columns))} FROM {_quote(table)} ORDER BY {order}"
            )
            rows, md5 = _digest(_batches(cur), kinds)
        result[table] = {"rows": rows, "md5": md5}
    return result


# PostgreSQL connections: parameters from settings.DATABASES, the password in PGPASSWORD only.


def _pg_env(settings_dict: dict, name: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": name or settings_dict["NAME"],
        "PGSSLMODE": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def pg_connect(settings_dict: dict, name: str | None = None, **kwargs):
    import psycopg

    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": name or settings_dict["NAME"],
        "sslmode": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)


def _snapshot_connection(settings_dict: dict):
    """A connection whose first statement opens one read-only repeatable-read transaction: every
    table is then read as of the same instant."""
    from psycopg import IsolationLevel

    conn = pg_connect(settings_dict)
    conn.isolation_level = IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else Debian's PostgreSQL 15 client."""
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/15/bin")
    if found is None:
        raise BackupError(
            _("%(program)s was not found; install the PostgreSQL client (postgresql-client).")
            % {"program": name}
        )
    return found


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": done.stderr.strip()}
        )


# Backup.


def _backup_postgresql(settings_dict: dict, path: Path) -> dict:
    """pg_dump -Fc of one exported snapshot; the checksums are read from the same snapshot."""
    with _snapshot_connection(settings_dict) as conn:
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={path}"],
            _pg_env(settings_dict),
        )
        tables = postgresql_checksums(conn)
        conn.rollback()
    return tables


def _backup_sqlite(alias: str, path: Path) -> dict:
    """The online backup API into a temporary file (one consistent copy), checksummed, gzip-ed."""
    connection = connections[alias]
    if connection.in_atomic_block:
        # The backup API waits forever for a write transaction of its own source connection.
        raise BackupError(_("A backup cannot run inside a transaction."))
    connection.ensure_connection()
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        copy = Path(folder) / "copy.sqlite3"
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
            tables = sqlite_checksums(target)
        finally:
            target.close()
        with open(copy, "rb") as source, gzip.open(path, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out, 1 << 20)
    return tables


def make_backup(*, alias: str = "default", output: Path | None = None) -> Backup:
    """Back up database `alias` to `output` (default_path() when not given), with its manifest."""
    settings_dict = connections[alias].settings_dict
    vendor = vendor_of(settings_dict)
    path = Path(output) if output else default_path(vendor)
    manifest_path = manifest_path_for(path)
    if path.exists() or manifest_path.exists():
        raise BackupError(_("%(path)s already exists; choose another --output.") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    try:
        if vendor == POSTGRESQL:
            tables = _backup_postgresql(settings_dict, path)
        else:
            tables = _backup_sqlite(alias, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    manifest = {
        "format": MANIFEST_FORMAT,
        "vendor": vendor,
        "database": str(settings_dict["NAME"]),
        "created_at": created_at.isoformat(),
        "file": path.name,
        "sha256": file_sha256(path),
        "tables": tables,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return Backup(path, manifest_path, path.stat().st_size, manifest)


# Restore.


def read_manifest(path: Path) -> dict:
    manifest_path = manifest_path_for(path)
    if not path.exists():
        raise BackupError(_("%(path)s does not exist.") % {"path": path})
    if not manifest_path.exists():
        raise BackupError(
            _("%(path)s is missing: it must lie beside the backup.") % {"path": manifest_path}
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(_("%(path)s is not a chibo backup manifest.") % {"path": manifest_path})
    return manifest


def _existing_tables(settings_dict: dict) -> list[str]:
    if vendor_of(settings_dict) == POSTGRESQL:
        with pg_connect(settings_dict) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
    else:
        if not _sqlite_exists(settings_dict["NAME"]):
            return []
        with _sqlite_connect(settings_dict["NAME"]) as conn:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
    return sorted(name for (name,) in rows)


def _sqlite_exists(name) -> bool:
    return str(name).startswith("file:") or Path(name).exists()


def _sqlite_connect(name) -> sqlite3.Connection:
    return sqlite3.connect(str(name), uri=str(name).startswith("file:"))


def checksums_of(settings_dict: dict) -> dict[str, dict]:
    """The row counts and checksums of a database, as a manifest holds them."""
    if vendor_of(settings_dict) == POSTGRESQL:
        with _snapshot_connection(settings_dict) as conn:
            tables = postgresql_checksums(conn)
            conn.rollback()
        return tables
    conn = _sqlite_connect(settings_dict["NAME"])
    try:
        return sqlite_checksums(conn)
    finally:
        conn.close()


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs between two {table: {rows, md5}} maps, one line per table."""
    lines = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            lines.append(f"{table}: not in the backup")
        elif got is None:
            lines.append(f"{table}: missing after the restore")
        elif want["rows"] != got["rows"]:
            lines.append(f"{table}: {got['rows']} rows, the backup had {want['rows']}")
        elif want["md5"] != got["md5"]:
            lines.append(f"{table}: same {got['rows']} rows, different content")
    return lines


def restore_backup(path: Path, *, settings_dict: dict, force: bool = False) -> dict:
    """Load backup `path` into the database of `settings_dict` (empty unless `force`), then
    verify it against the manifest. Returns the manifest; raises BackupError on any mismatch."""
    path = Path(path)
    manifest = read_manifest(path)
    vendor = vendor_of(settings_dict)
    if manifest["vendor"] != vendor:
        raise BackupError(
            _(
                "This backup was made on %(backup)s; the target database is %(target)s. "
                "A backup restores only into a database of the same kind."
            )
            % {
                "backup": LABELS.get(manifest["vendor"], manifest["vendor"]),
                "target": LABELS[vendor],
            }
        )
    if file_sha256(path) != manifest["sha256"]:
        raise BackupError(
            _("%(path)s does not match its manifest (damaged or replaced file).") % {"path": path}
        )
    existing = _existing_tables(settings_dict)
    if existing and not force:
        raise BackupError(
            _(
                "The target database %(name)s is not empty (%(tables)s tables). Restore into an "
                "empty database, or pass --force to replace what it holds."
            )
            % {"name": settings_dict["NAME"], "tables": len(existing)}
        )
    if vendor == POSTGRESQL:
        command = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error"]
        if existing:
            command += ["--clean", "--if-exists"]
        _run(
            [*command, "--single-transaction", f"--dbname={settings_dict['NAME']}", str(path)],
            _pg_env(settings_dict),
        )
    else:
        _restore_sqlite(path, settings_dict["NAME"])
    problems = differences(manifest["tables"], checksums_of(settings_dict))
    if problems:
        raise BackupError(
            _("The restored database differs from the backup's manifest:")
            + "\n  "
            + "\n  ".join(problems)
        )
    return manifest


def _restore_sqlite(path: Path, name) -> None:
    """Gunzip into a temporary file, then copy it over the target with the backup API."""
    folder = Path(name).parent if not str(name).startswith("file:") else None
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        copy = Path(tmp) / "restore.sqlite3"
        with gzip.open(path, "rb") as source, open(copy, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        source_conn, target = sqlite3.connect(copy), _sqlite_connect(name)
        try:
            source_conn.backup(target)
        finally:
            source_conn.close()
            target.close()
