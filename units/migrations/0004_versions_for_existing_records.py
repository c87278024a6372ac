"""Byte-wise collation for version paths on PostgreSQL (as for unit paths, see 0002), and a first
version for every existing unit and a first placement for every existing member."""

import datetime

from django.db import migrations

BEGINNING = datetime.date(1930, 2, 3)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE units_unitversion ALTER COLUMN path TYPE varchar(255) COLLATE "C"'
        )
    Unit = apps.get_model("units", "Unit")
    UnitVersion = apps.get_model("units", "UnitVersion")
    Member = apps.get_model("members", "Member")
    Placement = apps.get_model("members", "Placement")
    versioned = set(UnitVersion.objects.values_list("unit_id", flat=True))
    UnitVersion.objects.bulk_create(
        UnitVersion(
            unit_id=u.pk,
            parent_id=u.parent_id,
            path=u.path,
            depth=u.depth,
            kind=u.kind,
            name=u.name,
            valid_from=u.founded_on or BEGINNING,
            valid_to=u.dissolved_on,
        )
        for u in Unit.objects.exclude(pk__in=versioned).iterator()
    )
    placed = set(Placement.objects.values_list("member_id", flat=True))
    Placement.objects.bulk_create(
        Placement(member_id=m.pk, unit_id=m.unit_id, valid_from=m.admitted_on, valid_to=m.left_on)
        for m in Member.objects.exclude(pk__in=placed).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_reorganisation_versions_officers"),
        ("members", "0002_left_on_placements"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
