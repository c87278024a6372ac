"""Rule alerts: removal candidates, absences in a row, missed months, quarters without a
thematic meeting; shown to the cell's secretary and the committees above."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from meetings.models import AttendanceStatus
from meetings.selectors import absent_in_a_row, cells_missing_month, removal_candidates
from tests.meetings.factories import log_meeting, members_in

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
