"""Rule alerts: removal candidates, absences in a row, missed months, quarters without a
thematic meeting; shown to the cell's secretary and the committees above."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from meetings.models import AttendanceStatus
from meetings.selectors import absent_in_a_row, cells_missing_month, removal_candidates
from tests.accounts.factories import warm
from tests.factories import UnitFactory
from tests.meetings.factories import log_meeting, members_in
from units.models import UnitKind

pytestmark = pytest.mark.django_db
UNEXCUSED, EXCUSED = AttendanceStatus.UNEXCUSED, AttendanceStatus.EXCUSED
TODAY = date(2026, 7, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def cell(tree):
    return members_in(tree.cell_a1, 5, full_name="Vàng A Chứ")


def _absent_in(tree, secretary, member, months, status=UNEXCUSED):
    for month in range(1, 8):
        absent = {member: status} if month in months else {}
        log_meeting(tree.cell_a1, secretary, date(2026, month, 5), absent=absent)


def test_member_unexcused_in_january_march_and_june_is_a_removal_candidate(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[0], {1, 3, 6})
    found = removal_candidates(unit=tree.commune_a, year=2026, today=TODAY)
    assert [a.member for a in found] == [cell[0]]


def test_member_unexcused_in_only_two_months_is_not_a_removal_candidate(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[0], {1, 3})
    assert removal_candidates(unit=tree.commune_a, year=2026, today=TODAY) == []


def test_two_unexcused_absences_in_one_month_count_as_one_month(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[0], {1, 3})
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 20), absent={cell[0]: UNEXCUSED})
    assert removal_candidates(unit=tree.commune_a, year=2026, today=TODAY) == []


def test_excused_absences_never_make_a_removal_candidate(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[0], {1, 3, 6}, status=EXCUSED)
    assert removal_candidates(unit=tree.commune_a, year=2026, today=TODAY) == []


def test_four_absences_in_a_row_of_any_kind_raise_an_alert(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[1], {2, 3, 4, 5}, status=EXCUSED)
    found = absent_in_a_row(unit=tree.cell_a1, year=2026, today=TODAY)
    assert [(a.member, a.streak) for a in found] == [(cell[1], 4)]


def test_three_absences_in_a_row_are_within_the_rule(tree, secretary_a, cell):
    _absent_in(tree, secretary_a, cell[1], {2, 3, 4, 6}, status=EXCUSED)
    assert absent_in_a_row(unit=tree.cell_a1, year=2026, today=TODAY) == []


def test_cells_that_did_not_meet_last_month_are_listed_after_the_10th(tree, secretary_a, cell):
    log_meeting(tree.cell_a1, secretary_a, date(2026, 6, 5))
    month, cells = cells_missing_month(unit=tree.commune_a, today=TODAY)
    assert (month, cells) == (date(2026, 6, 1), [tree.cell_a2])


def test_no_missed_month_alert_until_the_10th(tree):
    assert cells_missing_month(unit=tree.commune_a, today=date(2026, 7, 10)) == (None, [])


def test_commune_alerts_page_lists_cells_without_a_thematic_meeting_last_quarter(
    tree, secretary_a, commune_staff_a, client_for, cell
):
    log_meeting(tree.cell_a1, secretary_a, date(2026, 5, 5), kind="thematic", topic="Học tập")
    page = client_for(commune_staff_a).get(reverse("meeting_alerts", args=[tree.commune_a.pk]))
    section = page.content.decode().split("without-thematic")[1].split("</ul>")[0]
    assert tree.cell_a2.name in section and tree.cell_a1.name not in section


def test_secretary_sees_her_cells_removal_candidates_on_the_meetings_page(
    tree, secretary_a, client_for, cell
):
    _absent_in(tree, secretary_a, cell[0], {1, 3, 6})
    page = client_for(secretary_a).get(reverse("meeting_list", args=[tree.cell_a1.pk]))
    assert "removal-candidates" in page.content.decode()


def test_secretary_cannot_open_the_communes_alerts(tree, secretary_a, client_for):
    url = reverse("meeting_alerts", args=[tree.commune_a.pk])
    assert client_for(secretary_a).get(url).status_code == 404


def test_cell_meetings_page_shows_months_since_the_last_meeting(
    tree, secretary_a, client_for, cell
):
    log_meeting(tree.cell_a1, secretary_a, date(2026, 4, 5))
    page = client_for(secretary_a).get(reverse("meeting_list", args=[tree.cell_a1.pk]))
    html = page.content.decode()
    assert "3 tháng trước" in html and "có sinh hoạt trong 1/6 tháng gần nhất" in html


# Stored monthly absences: the removal candidates never read attendance rows


def test_removal_candidates_read_the_members_monthly_absences_not_attendance(
    tree, secretary_a, cell
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.models import Attendance

    _absent_in(tree, secretary_a, cell[0], {1, 3, 6})
    table = Attendance._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        found = removal_candidates(unit=tree.district, year=2026, today=TODAY)
    assert [a.member for a in found] == [cell[0]]
    assert [a.months for a in found] == [[date(2026, 1, 1), date(2026, 3, 1), date(2026, 6, 1)]]
    assert len(queries) == 2  # the months, then the members
    assert [q["sql"] for q in queries.captured_queries if table in q["sql"]] == []


def test_monthly_absences_are_written_with_the_attendance_and_follow_edits(tree, secretary_a, cell):
    from meetings import services
    from meetings.models import MemberMonth

    meeting = log_meeting(
        tree.cell_a1, secretary_a, date(2026, 5, 5), absent={cell[0]: UNEXCUSED, cell[1]: EXCUSED}
    )
    log_meeting(tree.cell_a1, secretary_a, date(2026, 5, 20), absent={cell[0]: EXCUSED})
    rows = {
        (r.member_id, r.month): (r.cell_id, r.unexcused, r.absences)
        for r in MemberMonth.objects.all()
    }
    may = date(2026, 5, 1)
    assert rows == {
        (cell[0].pk, may): (tree.cell_a1.pk, 1, 2),
        (cell[1].pk, may): (tree.cell_a1.pk, 0, 1),
    }
    # An edit moves the first meeting to April, with everyone present.
    services.meeting_save(
        cell=tree.cell_a1,
        by=secretary_a,
        fields={"held_on": date(2026, 4, 28), "kind": "regular"},
        attendance={m.pk: ("present", "") for m in cell},
        meeting=meeting,
        version=meeting.version,
    )
    rows = {(r.member_id, r.month): (r.unexcused, r.absences) for r in MemberMonth.objects.all()}
    assert rows == {(cell[0].pk, may): (0, 1)}
    assert services.recompute_rollups(fix=False) == []


def test_deleting_a_meeting_updates_its_stored_figures(tree, secretary_a, cell):
    from meetings import services
    from meetings.models import MemberMonth, MonthlyRollup

    meeting = log_meeting(tree.cell_a1, secretary_a, date(2026, 5, 5), absent={cell[0]: UNEXCUSED})
    services.meeting_delete(meeting=meeting, by=secretary_a)
    assert not MemberMonth.objects.exists() and not MonthlyRollup.objects.exists()
    assert services.recompute_rollups(fix=False) == []


def test_recompute_finds_and_fixes_wrong_monthly_absences(tree, secretary_a, cell):
    from io import StringIO

    from django.core.management import call_command

    from meetings.models import MemberMonth

    log_meeting(tree.cell_a1, secretary_a, date(2026, 5, 5), absent={cell[0]: UNEXCUSED})
    MemberMonth.objects.update(unexcused=0)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("recompute_rollups", "--check", stdout=out)
    assert f"đảng viên {cell[0].pk} 05/2026" in out.getvalue()
    call_command("recompute_rollups", stdout=StringIO())
    assert MemberMonth.objects.get().unexcused == 1


def test_a_member_gone_since_is_no_longer_a_removal_candidate(tree, secretary_a, cell):
    from members.choices import MemberStatus
    from members.models import Member, Placement

    _absent_in(tree, secretary_a, cell[0], {1, 3, 6})
    left = date(2026, 7, 15)
    Member.objects.filter(pk=cell[0].pk).update(status=MemberStatus.REMOVED, left_on=left)
    Placement.objects.filter(member=cell[0]).update(valid_to=left)
    assert removal_candidates(unit=tree.commune_a, year=2026, today=TODAY) == []
    # As of a day before they left, they still were.
    found = removal_candidates(unit=tree.commune_a, year=2026, today=date(2026, 7, 10))
    assert [a.member for a in found] == [cell[0]]


# The alerts page: a fixed number of queries, years printed without a thousands separator

ALERTS_QUERIES = 16  # measured: session, user, two-factor device, scope, unit, then the alerts


def _grow_alerts(tree, secretary_a, cells):
    """Two more years of monthly meetings in commune A's own cells, with absences."""
    from meetings.rules import add_months

    for i in range(24):
        day = add_months(date(2024, 1, 1), i).replace(day=6)
        for cell_unit, people in cells:
            log_meeting(cell_unit, secretary_a, day, absent={people[i % 2]: UNEXCUSED})


@pytest.mark.parametrize("unit", ["commune_a", "district"])
def test_alerts_page_runs_the_same_queries_however_many_meetings(
    unit,
    tree,
    secretary_a,
    commune_staff_a,
    district_admin,
    client_for,
    cell,
    django_assert_max_num_queries,
):
    from tests.factories import bulk_tree

    client = warm(client_for(district_admin))
    url = reverse("meeting_alerts", args=[getattr(tree, unit).pk])
    for month in range(1, 8):
        absent = {cell[0]: UNEXCUSED} if month in {1, 3, 6} else {}  # a removal candidate
        if month in {2, 3, 4, 5}:
            absent[cell[1]] = EXCUSED  # absent 4 times in a row
        log_meeting(tree.cell_a1, secretary_a, date(2026, month, 5), absent=absent)
    with django_assert_max_num_queries(ALERTS_QUERIES) as small:
        page = client.get(url)
    assert page.status_code == 200
    # Commune A grows: a third cell, two more years of meetings in its cells; more communes.
    third = UnitFactory(parent=tree.commune_a, kind=UnitKind.SUB_CELL, name="Chi bộ bản Mới")
    _grow_alerts(tree, commune_staff_a, [(tree.cell_a1, cell), (third, members_in(third, 4))])
    bulk_tree(parent=tree.district, communes=3, cells_per_commune=4, members_per_cell=3)
    with django_assert_max_num_queries(ALERTS_QUERIES) as big:
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "removal-candidates" in html and "absent-in-a-row" in html
    assert len(big) == len(small)


def test_alerts_print_years_without_a_thousands_separator(
    tree, secretary_a, commune_staff_a, client_for, cell
):
    _absent_in(tree, secretary_a, cell[0], {1, 3, 6})
    html = (
        client_for(commune_staff_a)
        .get(reverse("meeting_alerts", args=[tree.commune_a.pk]))
        .content.decode()
    )
    assert "2.026" not in html
    assert "3 tháng trong năm 2026" in html  # the removal heading
    assert "quý 2/2026" in html.lower()  # the thematic heading
