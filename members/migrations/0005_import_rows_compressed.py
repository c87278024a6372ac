# The rows of an import batch stored as zlib-compressed JSON (members.models.pack_rows).

import json
import zlib

from django.db import migrations, models


def pack(apps, schema_editor):
    ImportBatch = apps.get_model("members", "ImportBatch")
    for batch in ImportBatch.objects.only("pk", "rows").iterator(chunk_size=100):
        data = json.dumps(batch.rows or [], separators=(",", ":")).encode()
        ImportBatch.objects.filter(pk=batch.pk).update(rows_data=zlib.compress(data, 1))


def unpack(apps, schema_editor):
    ImportBatch = apps.get_model("members", "ImportBatch")
    for batch in ImportBatch.objects.only("pk", "rows_data").iterator(chunk_size=100):
        data = bytes(batch.rows_data or b"")
        rows = json.loads(zlib.decompress(data)) if data else []
        ImportBatch.objects.filter(pk=batch.pk).update(rows=rows)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_full_record_events_candidates_badges"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="rows_data",
            field=models.BinaryField(default=bytes),
        ),
        migrations.RunPython(pack, unpack, elidable=True),
        migrations.RemoveField(
            model_name="importbatch",
            name="rows",
        ),
    ]
