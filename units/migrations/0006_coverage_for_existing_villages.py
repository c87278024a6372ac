"""A first coverage for every existing village: its commune and cell of today, from the
beginning (uncovered until its cell's founding), as units.services.village_create writes it.

Earlier changes of coverage were not dated before this migration; reloading the demo replays
them with their dates."""

import datetime

from django.db import migrations

BEGINNING = datetime.date(1930, 2, 3)


def forwards(apps, schema_editor):
    Village = apps.get_model("units", "Village")
    VillageCoverage = apps.get_model("units", "VillageCoverage")
    covered = set(VillageCoverage.objects.values_list("village_id", flat=True))
    rows = []
    for village in Village.objects.exclude(pk__in=covered).select_related("cell").iterator():
        start = BEGINNING
        founded = village.cell.founded_on if village.cell_id else None
        if founded and founded > start:
            rows.append(
                VillageCoverage(
                    village_id=village.pk,
                    commune_id=village.commune_id,
                    cell_id=None,
                    valid_from=start,
                    valid_to=founded,
                )
            )
            start = founded
        rows.append(
            VillageCoverage(
                village_id=village.pk,
                commune_id=village.commune_id,
                cell_id=village.cell_id,
                valid_from=start,
            )
        )
    VillageCoverage.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("units", "0005_village_coverage_officer_login")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
