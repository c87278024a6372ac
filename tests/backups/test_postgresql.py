"""Backup and restore on PostgreSQL: pg_dump of the demo district, pg_restore into an empty
database, and every table compared row for row."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backups.archive import (
    BackupError,
    checksums_of,
    differences,
    pg_connect,
    restore_backup,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL backups (set DATABASE_URL=postgres://... to run them)",
)


@pytest.fixture(scope="module")
def demo_backup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo district, committed (pg_dump sees only committed rows), backed up once; the
    test database is emptied again afterwards."""
    with django_db_blocker.unblock():
        call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        path = tmp_path_factory.mktemp("backups") / "chibo.dump"
        call_command("backup", output=path, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield path
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def scratch_database(demo_backup):
    """An empty database beside the test database, dropped after the test."""
    source = connection.settings_dict
    name = f"{source['NAME']}_restore"
    with pg_connect(source, "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with pg_connect(source, "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(path) -> dict:
    return json.loads(path.with_name(path.name + ".manifest.json").read_text())


def test_the_demo_restored_into_an_empty_database_has_identical_counts_and_checksums(
    demo_backup, scratch_database
):
    restore_backup(demo_backup, settings_dict=scratch_database)

    restored = checksums_of(scratch_database)
    assert restored == manifest_of(demo_backup)["tables"]
    assert restored["members_member"]["rows"] > 3000
    # Since the dump, the source holds one row more: the audit event of the backup itself.
    events = restored["accounts_auditevent"]["rows"]
    assert differences(restored, checksums_of(connection.settings_dict)) == [
        f"accounts_auditevent: {events + 1} rows, the backup had {events}"
    ]


def test_restore_refuses_the_demo_database_itself(demo_backup):
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", demo_backup)


def test_restore_refuses_an_sqlite_backup(demo_backup, scratch_database, tmp_path):
    fake = tmp_path / "chibo.sqlite3.gz"
    fake.write_bytes(demo_backup.read_bytes())
    manifest = {**manifest_of(demo_backup), "vendor": "sqlite"}
    fake.with_name(fake.name + ".manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match="made on SQLite"):
        restore_backup(fake, settings_dict=scratch_database)
