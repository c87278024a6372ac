"""The full demo, meetings included: loaded on its own (the other demo modules share one
demo without meetings, built once per module)."""

from datetime import date, timedelta

from django.core.management import call_command

from meetings.models import Meeting
from meetings.services import recompute_rollups


def test_full_demo_has_meetings_up_to_last_month_in_todays_cells(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)

    assert Meeting.objects.filter(held_on__gte=last_month).count() > 250
    assert recompute_rollups(fix=False) == []
