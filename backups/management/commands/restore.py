"""manage.py restore PATH: load a backup into an empty database and verify it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backups.archive import BackupError, restore_backup


class Command(BaseCommand):
    # A backup or restore must run even while a check fails (an emergency is no time for that).
    requires_system_checks = []
    help = gettext_lazy(
        "Restore a backup made by manage.py backup into an empty database, then check every "
        "table's row count and checksum against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("Replace what the target database holds (it is not empty)."),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, force=False, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        # The restore runs in its own connections; this one must not hold locks meanwhile.
        connection.close()
        try:
            manifest = restore_backup(path, settings_dict=connection.settings_dict, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["tables"]
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored %(path)s into %(database)s. Verified: %(tables)s tables, "
                    "%(rows)s rows; row counts and checksums match the backup's manifest."
                )
                % {
                    "path": path,
                    "database": connection.settings_dict["NAME"],
                    "tables": len(tables),
                    "rows": number_format(
                        sum(t["rows"] for t in tables.values()), force_grouping=True
                    ),
                }
            )
        )
