"""Backup and restore on SQLite: the online backup API, gzip, and a verified restore."""

import gzip
import json
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import AuditEvent, AuditKind
from backups.archive import BackupError, checksums_of, default_path, restore_backup
from members.models import Member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite backups (this run is on PostgreSQL)"
    ),
    # A backup reads committed data, as it does in production (the command refuses to run
    # inside a transaction).
    pytest.mark.django_db(transaction=True),
]


def sqlite_db(path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


@pytest.fixture
def backup(filled, tmp_path):
    path = tmp_path / "chibo.sqlite3.gz"
    call_command("backup", output=path, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return path


def manifest_of(path) -> dict:
    return json.loads(path.with_name(path.name + ".manifest.json").read_text())


def test_a_backup_restored_into_an_empty_file_has_every_table_row_for_row(backup, tmp_path):
    target = sqlite_db(tmp_path / "restored.sqlite3")

    restore_backup(backup, settings_dict=target)

    assert checksums_of(target) == manifest_of(backup)["tables"]
    assert manifest_of(backup)["tables"]["members_member"]["rows"] == Member.objects.count() == 3


def test_the_backup_is_a_gzip_of_an_sqlite_database(backup, tmp_path):
    copy = tmp_path / "plain.sqlite3"
    copy.write_bytes(gzip.decompress(backup.read_bytes()))

    with sqlite3.connect(copy) as conn:
        (names,) = conn.execute("SELECT count(*) FROM members_member").fetchone()

    assert names == 3


def test_backup_prints_its_path_and_size_and_leaves_an_audit_event(filled, tmp_path, capsys):
    path = tmp_path / "b.sqlite3.gz"

    call_command("backup", output=path)

    assert str(path) in capsys.readouterr().out
    event = AuditEvent.objects.get(kind=AuditKind.BACKUP)
    assert event.detail["size"] == path.stat().st_size and event.object_repr == path.name


def test_default_file_name_gives_the_database_and_the_local_time(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        path = default_path("sqlite")

    assert path == tmp_path / "chibo-sqlite-20261201-0300.sqlite3.gz"


def test_backup_never_overwrites_an_earlier_one(backup):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=backup)


def test_restore_refuses_a_database_that_already_has_tables(backup):
    target = sqlite_db(backup.parent / "restored.sqlite3")
    restore_backup(backup, settings_dict=target)

    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(backup, settings_dict=target)


def test_restore_with_force_replaces_what_the_database_held(backup, tmp_path):
    target = sqlite_db(tmp_path / "restored.sqlite3")
    with sqlite3.connect(target["NAME"]) as conn:
        conn.execute("CREATE TABLE notes (id integer primary key, text varchar)")

    restore_backup(backup, settings_dict=target, force=True)

    assert "notes" not in checksums_of(target)


def test_restore_refuses_a_postgresql_backup(backup, tmp_path):
    manifest_path = backup.with_name(backup.name + ".manifest.json")
    manifest_path.write_text(json.dumps({**manifest_of(backup), "vendor": "postgresql"}))

    with pytest.raises(BackupError, match="made on PostgreSQL"):
        restore_backup(backup, settings_dict=sqlite_db(tmp_path / "restored.sqlite3"))


def test_restore_refuses_a_damaged_backup(backup, tmp_path):
    backup.write_bytes(backup.read_bytes()[:-10])

    with pytest.raises(BackupError, match="does not match its manifest"):
        restore_backup(backup, settings_dict=sqlite_db(tmp_path / "restored.sqlite3"))


def test_restore_reports_a_table_that_differs_from_the_manifest(backup, tmp_path):
    manifest = manifest_of(backup)
    manifest["tables"]["members_member"]["rows"] = 5
    backup.with_name(backup.name + ".manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match="members_member: 3 rows, the backup had 5"):
        restore_backup(backup, settings_dict=sqlite_db(tmp_path / "restored.sqlite3"))


def test_restore_command_refuses_the_database_it_would_overwrite(backup):
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", backup)
