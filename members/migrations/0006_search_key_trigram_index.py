"""On PostgreSQL, a trigram index on the members' search key: a search ("hang a") is a
`search_key LIKE '%hang a%'` over a whole province's members, which a b-tree cannot serve.
SQLite scans (a district's demo is small)."""

from django.db import migrations

INDEX = "members_member_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member "
            "USING gin (search_key gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0005_import_rows_compressed")]
    operations = [migrations.RunPython(forwards, backwards)]
