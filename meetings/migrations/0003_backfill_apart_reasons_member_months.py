"""Rows kept apart get a reason code; the members' monthly absences of the meetings logged."""

from django.db import migrations, models


def apart_reasons(apps, schema_editor):
    """Rows kept apart stored the reason as translated text: keep a code instead."""
    Attendance = apps.get_model("meetings", "Attendance")
    apart = Attendance.objects.filter(is_apart=True)
    away = apart.filter(
        models.Q(reason__icontains="tạm thời") | models.Q(reason__icontains="temporary")
    )
    away.update(apart_reason="away", reason="")
    apart.filter(apart_reason="").update(apart_reason="exempt", reason="")


def member_months(apps, schema_editor):
    """The members' monthly absences of the meetings already logged (as recompute_rollups)."""
    Attendance = apps.get_model("meetings", "Attendance")
    MemberMonth = apps.get_model("meetings", "MemberMonth")
    months = {}
    rows = (
        Attendance.objects.filter(is_apart=False)
        .exclude(status="present")
        .order_by("meeting__held_on", "meeting_id")
        .values_list("member_id", "meeting__cell_id", "meeting__held_on", "status")
    )
    for member_id, cell_id, day, status in rows.iterator(chunk_size=5000):
        row = months.setdefault((member_id, day.replace(day=1)), [cell_id, 0, 0])
        row[0] = cell_id
        row[1] += status == "unexcused"
        row[2] += 1
    MemberMonth.objects.bulk_create(
        [
            MemberMonth(member_id=m, month=month, cell_id=c, unexcused=u, absences=a)
            for (m, month), (c, u, a) in months.items()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_apart_reason_member_months_guests")]

    operations = [
        migrations.RunPython(apart_reasons, migrations.RunPython.noop),
        migrations.RunPython(member_months, migrations.RunPython.noop),
    ]
