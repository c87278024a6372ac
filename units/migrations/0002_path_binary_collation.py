"""On PostgreSQL, compare unit paths byte by byte so that path range scans follow the tree.

Paths hold digits and dots only; a locale collation may ignore punctuation, which would break
`path >= p AND path < p || '~'`. SQLite already compares binary.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE units_unit ALTER COLUMN path TYPE varchar(255) COLLATE "C"'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE units_unit ALTER COLUMN path TYPE varchar(255) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
