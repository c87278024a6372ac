"""manage.py backup: one consistent, compressed backup of the database, with its manifest."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import record
from accounts.models import AuditKind
from backups.archive import BackupError, make_backup


class Command(BaseCommand):
    # A backup or restore must run even while a check fails (an emergency is no time for that).
    requires_system_checks = []
    help = gettext_lazy(
        "Back up the database: pg_dump (custom format) on PostgreSQL, the online backup API "
        "and gzip on SQLite, with a manifest of every table's row count and checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=gettext_lazy("File to write (default: var/backups/chibo-<database>-<date-time>)."),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, **options):
        try:
            backup = make_backup(alias=database, output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = backup.manifest["tables"]
        rows = sum(t["rows"] for t in tables.values())
        record(
            AuditKind.BACKUP,
            username=f"{getpass.getuser()} (manage.py backup)",
            object_repr=backup.path.name,
            detail={
                "path": str(backup.path),
                "size": backup.size,
                "vendor": backup.manifest["vendor"],
                "tables": len(tables),
                "rows": rows,
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(size)s bytes, %(tables)s tables, %(rows)s rows).")
                % {
                    "path": backup.path,
                    "size": number_format(backup.size, force_grouping=True),
                    "tables": len(tables),
                    "rows": number_format(rows, force_grouping=True),
                }
            )
        )
        self.stdout.write(_("Manifest: %(path)s") % {"path": backup.manifest_path})
