"""Demo meetings: five years per cell, realistic attendance, rollups that match the meetings."""

from datetime import date

import pytest
from django.db.models import Count, F, Min, Sum

from meetings.demo import build_meetings
from meetings.models import Attendance, Meeting, MemberMonth, MonthlyRollup, ThematicPlan
from meetings.services import recompute_rollups
from members.models import Placement, placements_for
from tests.meetings.factories import members_in
from units.demo import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_meetings(tree):
    members = []
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        members += members_in(cell, 12)
    late = members_in(tree.cell_a1, 1, admitted_on=date(2019, 6, 1))
    if not Placement.objects.exists():  # members made by the factory may have theirs already
        Placement.objects.bulk_create(placements_for(members + late))
    build_meetings(tree.district, 20201026)
    return late[0]


def test_every_cell_gets_about_five_years_of_monthly_meetings(tree, demo_meetings):
    per_cell = dict(Meeting.objects.values_list("cell_id").annotate(n=Count("id")))
    assert all(40 <= per_cell.get(c.pk, 0) <= 85 for c in (tree.cell_a1, tree.cell_b1))
    assert not Meeting.objects.filter(held_on__gt=AS_OF).exists()


def test_attendance_is_mostly_between_60_and_97_percent(demo_meetings):
    totals = MonthlyRollup.objects.aggregate(p=Sum("present"), e=Sum("expected"))
    assert 0.6 <= totals["p"] / totals["e"] <= 0.97


def test_members_have_attendance_only_from_their_admission(demo_meetings):
    first = Attendance.objects.filter(member=demo_meetings).aggregate(d=Min("meeting__held_on"))
    assert first["d"] >= date(2019, 6, 1)


def test_stored_counts_and_rollups_agree_with_the_rows(demo_meetings):
    wrong = Meeting.objects.exclude(
        expected_count=F("present_count") + F("excused_count") + F("unexcused_count")
    )
    assert not wrong.exists()
    assert recompute_rollups(fix=False) == []


def test_the_demo_is_the_same_on_every_load(tree, demo_meetings):
    first = list(Meeting.objects.order_by("id").values_list("held_on", "present_count"))
    Attendance.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    MemberMonth.objects.all().delete()
    Meeting.objects.all().delete()
    ThematicPlan.objects.all().delete()
    build_meetings(tree.district, 20201026)
    assert list(Meeting.objects.order_by("id").values_list("held_on", "present_count")) == first


def test_stored_counts_and_monthly_absences_match_the_attendance_rows(demo_meetings):
    """Each meeting's stored counts are those of its rows; each member-month of absences is
    that of the member's rows in the month."""
    from collections import Counter, defaultdict

    from meetings.rules import month_start

    counted = defaultdict(Counter)
    absences = defaultdict(lambda: [0, 0])
    apart = Counter()
    rows = Attendance.objects.values_list(
        "meeting_id", "member_id", "meeting__held_on", "status", "is_apart", "apart_reason"
    )
    for meeting_id, member_id, day, status, is_apart, apart_reason in rows:
        if is_apart:
            apart[meeting_id] += 1
            assert apart_reason in ("exempt", "away")
            continue
        counted[meeting_id][status] += 1
        if status != "present":
            key = (member_id, month_start(day))
            absences[key][0] += status == "unexcused"
            absences[key][1] += 1
    for meeting in Meeting.objects.all():
        tally = counted[meeting.pk]
        assert (
            meeting.present_count,
            meeting.excused_count,
            meeting.unexcused_count,
            meeting.expected_count,
            meeting.apart_count,
        ) == (
            tally["present"],
            tally["excused"],
            tally["unexcused"],
            sum(tally.values()),
            apart[meeting.pk],
        )
    stored = {
        (m, month): [u, a]
        for m, month, u, a in MemberMonth.objects.values_list(
            "member_id", "month", "unexcused", "absences"
        )
    }
    assert stored == dict(absences) and stored
