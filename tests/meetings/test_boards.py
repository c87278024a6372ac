"""The commune grid and the district board: right figures, fixed query counts at two tree sizes,
and never a read of attendance rows."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MonthlyRollup
from meetings.rules import add_months
from meetings.selectors import commune_grid, district_board
from meetings.services import rollups_for
from tests.accounts.factories import warm
from tests.factories import UnitFactory, bulk_tree, bulk_units, persona
from tests.meetings.factories import log_meeting, members_in
from units.models import Role, Unit, UnitKind

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)
GRID_QUERIES = 10
BOARD_QUERIES = 11


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def grow(tree, communes: int):
    """`communes` more communes of 5 cells, and as many more cells in commune A itself, each
    cell with three years of monthly meetings (and their rollups) in bulk."""
    grown = bulk_tree(parent=tree.district, communes=communes, cells_per_commune=5)
    own = bulk_units(parent=tree.commune_a, kind=UnitKind.SUB_CELL, count=communes)
    cells = grown.cells + own
    meetings = [
        Meeting(
            cell=cell,
            kind=MeetingKind.THEMATIC if m % 3 == 0 else MeetingKind.REGULAR,
            topic="Học tập" if m % 3 == 0 else "",
            held_on=add_months(date(2023, 4, 1), m).replace(day=8),
            expected_count=10,
            present_count=9,
            excused_count=1,
        )
        for cell in cells
        for m in range(36)
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    MonthlyRollup.objects.bulk_create(rollups_for(Meeting.objects.filter(cell__in=cells)))


def test_commune_grid_shows_the_month_met_with_its_attendance_rate(
    tree, secretary_a, commune_staff_a, client_for
):
    twenty = members_in(tree.cell_a1, 20)
    absent = {twenty[0]: "excused", twenty[1]: "excused", twenty[2]: AttendanceStatus.UNEXCUSED}
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 14), absent=absent)
    page = client_for(commune_staff_a).get(reverse("meeting_grid", args=[tree.commune_a.pk]))
    html = page.content.decode()
    assert 'class="text-center grid-met" data-month="03/2026"' in html
    assert "85%" in html


def test_commune_grid_marks_a_month_without_meeting_as_missed(tree, commune_staff_a, client_for):
    page = client_for(commune_staff_a).get(reverse("meeting_grid", args=[tree.commune_a.pk]))
    html = page.content.decode()
    # The 11 months over are missed; this month, under way, is pending.
    assert html.count("grid-missed") == 2 * 11
    assert html.count('grid-pending" data-month="03/2026"') == 2


def test_district_board_sums_each_communes_cells(tree, secretary_a, viewer, client_for):
    members_in(tree.cell_a1, 4)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 2))
    page = client_for(viewer).get(reverse("meeting_board", args=[tree.district.pk]))
    html = page.content.decode()
    # Commune A: 2 cells × the 11 months over, and this month where it was met: one met.
    assert "1/23 (4%)" in html


@pytest.mark.parametrize(
    "url_name, unit, pinned",
    [("meeting_grid", "commune_a", GRID_QUERIES), ("meeting_board", "district", BOARD_QUERIES)],
)
def test_board_pages_run_the_same_queries_at_two_tree_sizes(
    url_name, unit, pinned, tree, district_admin, client_for, django_assert_max_num_queries
):
    client = warm(client_for(district_admin))
    url = reverse(url_name, args=[getattr(tree, unit).pk])
    grow(tree, 2)
    with django_assert_max_num_queries(pinned) as small:
        assert client.get(url).status_code == 200
    grow(tree, 20)
    with django_assert_max_num_queries(pinned) as big:
        page = client.get(url)
    assert page.status_code == 200
    assert len(big) == len(small)
    if url_name == "meeting_grid":  # commune A's own 22 new cells are on its grid
        assert page.content.decode().count("<tr>") >= 2 + 22


@pytest.mark.parametrize(
    "url_name, unit", [("meeting_grid", "commune_a"), ("meeting_board", "district")]
)
def test_board_pages_never_read_attendance_rows(
    url_name, unit, tree, secretary_a, district_admin, client_for
):
    members_in(tree.cell_a1, 3)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 2))
    table = Attendance._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        client_for(district_admin).get(reverse(url_name, args=[getattr(tree, unit).pk]))
    assert queries.captured_queries
    assert [q["sql"] for q in queries.captured_queries if table in q["sql"]] == []


# What a month shows: met is a regular meeting; thematic comes on top; pending, blank


def _states(unit, user, today=TODAY):
    months, rows = commune_grid(user=user, unit=unit, today=today)
    return {row.unit.pk: {c.month: (c.state, c.thematic) for c in row.months} for row in rows}, rows


def _grid_html(client, unit) -> str:
    return client.get(reverse("meeting_grid", args=[unit.pk])).content.decode()


def test_only_a_regular_meeting_makes_a_month_met_and_thematic_comes_on_top(
    tree, secretary_a, district_admin, client_for
):
    from meetings.selectors import cells_missing_month

    members_in(tree.cell_a1, 5)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 1, 10), kind="extraordinary")
    log_meeting(tree.cell_a1, secretary_a, date(2026, 2, 10), kind="thematic", topic="Học tập")
    log_meeting(tree.cell_a1, secretary_a, date(2025, 12, 3))
    log_meeting(tree.cell_a1, secretary_a, date(2025, 12, 20), kind="thematic", topic="Rừng")
    states, rows = _states(tree.commune_a, district_admin)
    a1 = states[tree.cell_a1.pk]
    assert a1[date(2026, 1, 1)] == ("missed", False)  # extraordinary only
    assert a1[date(2026, 2, 1)] == ("missed", True)  # thematic only
    assert a1[date(2025, 12, 1)] == ("met", True)
    assert a1[date(2026, 3, 1)] == ("pending", False)  # this month, not over
    # The alert agrees: February is not met.
    assert tree.cell_a1 in cells_missing_month(unit=tree.commune_a, today=TODAY)[1]
    # So does the board: one month met of 2 cells × 11 months over.
    board = {
        r.unit.pk: r
        for r in district_board(user=district_admin, unit=tree.district, today=TODAY)[1]
    }
    a1_row = next(r for r in rows if r.unit == tree.cell_a1)
    assert (board[tree.commune_a.pk].met, a1_row.met_months) == (1, 1)
    assert board[tree.commune_a.pk].cell_months == 22
    assert board[tree.commune_a.pk].thematic == 2
    html = _grid_html(client_for(district_admin), tree.commune_a)
    assert 'grid-missed grid-thematic grid-good" data-month="02/2026"' in html
    assert 'grid-met grid-thematic grid-good" data-month="12/2025"' in html


def test_months_before_the_founding_or_after_the_dissolution_are_blank(
    tree, secretary_a, district_admin
):
    Unit.objects.filter(pk=tree.cell_a2.pk).update(founded_on=date(2025, 10, 15))
    gone = UnitFactory(
        parent=tree.commune_a,
        kind=UnitKind.SUB_CELL,
        name="Chi bộ bản Cũ",
        founded_on=date(1990, 1, 1),
        dissolved_on=date(2025, 12, 1),
    )
    members_in(gone, 3)
    states, _rows = _states(tree.commune_a, district_admin)
    a2, old = states[tree.cell_a2.pk], states[gone.pk]
    assert a2[date(2025, 9, 1)][0] == "blank" and a2[date(2025, 10, 1)][0] == "missed"
    assert old[date(2025, 11, 1)][0] == "missed" and old[date(2025, 12, 1)][0] == "blank"
    board = {
        r.unit.pk: r
        for r in district_board(user=district_admin, unit=tree.district, today=TODAY)[1]
    }
    # A1: 11 months over; A2: 10/2025–02/2026, 5; the dissolved cell: 04/2025–11/2025, 8.
    assert board[tree.commune_a.pk].cell_months == 11 + 5 + 8
    assert board[tree.commune_a.pk].cells == 2 and board[tree.commune_a.pk].cells_last_month == 2


def test_a_dissolved_cells_meetings_count_on_the_board_as_on_the_grid(
    tree, commune_staff_a, district_admin
):
    gone = UnitFactory(
        parent=tree.commune_a,
        kind=UnitKind.SUB_CELL,
        name="Chi bộ bản Cũ",
        founded_on=date(1990, 1, 1),
    )
    members_in(gone, 3)
    for month in (9, 10, 11):
        log_meeting(gone, commune_staff_a, date(2025, month, 5))
    Unit.objects.filter(pk=gone.pk).update(dissolved_on=date(2025, 12, 1))
    gone.refresh_from_db()
    _states_, rows = _states(tree.commune_a, district_admin)
    row = next(r for r in rows if r.unit == gone)
    board = {
        r.unit.pk: r
        for r in district_board(user=district_admin, unit=tree.district, today=TODAY)[1]
    }
    commune = board[tree.commune_a.pk]
    assert (row.met_months, row.due_months) == (3, 8)
    assert commune.met == 3 and commune.cell_months == 11 + 11 + 8
    assert commune.met <= commune.cell_months


def test_the_grid_shows_meeting_quality(tree, secretary_a, district_admin, client_for):
    people = members_in(tree.cell_a1, 10)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 1, 8))  # 10/10: good quality
    log_meeting(
        tree.cell_a1, secretary_a, date(2026, 2, 8), absent={people[0]: AttendanceStatus.UNEXCUSED}
    )
    states, rows = _states(tree.commune_a, district_admin)
    row = next(r for r in rows if r.unit == tree.cell_a1)
    goods = {c.month: c.good for c in row.months}
    assert goods[date(2026, 1, 1)] and not goods[date(2026, 2, 1)]
    assert (row.good_quality, row.meetings) == (1, 2)
    html = _grid_html(client_for(district_admin), tree.commune_a)
    assert 'grid-met grid-good" data-month="01/2026"' in html
    assert 'grid-met" data-month="02/2026"' in html


def test_board_drills_down_to_a_districts_board_and_a_communes_grid(tree, client_for):
    admin = persona(tree.province, Role.ADMIN, "Lò Văn Tỉnh", "tinh.lv")
    commune = UnitFactory(parent=tree.province, kind=UnitKind.COMMUNE, name="Đảng bộ xã Mới")
    html = client_for(admin).get(reverse("meeting_board", args=[tree.province.pk])).content.decode()
    assert reverse("meeting_board", args=[tree.district.pk]) in html
    assert reverse("meeting_grid", args=[commune.pk]) in html
    assert reverse("meeting_grid", args=[tree.district.pk]) not in html
