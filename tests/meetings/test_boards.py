"""The commune grid and the district board: right figures, fixed query counts at two tree sizes,
and never a read of attendance rows."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Attendance, AttendanceStatus, Meeting, MonthlyRollup
from meetings.services import rollups_for
from tests.factories import bulk_tree
from tests.meetings.factories import log_meeting, members_in

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)
GRID_QUERIES = 10
BOARD_QUERIES = 11


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def grow(tree, communes: int):
    """`communes` more communes of 5 cells, each cell with 12 months of meetings in bulk."""
    grown = bulk_tree(parent=tree.district, communes=communes, cells_per_commune=5)
    meetings = [
        Meeting(
            cell=cell,
            held_on=date(2025 + (m > 2), (m + 9) % 12 + 1, 8),
            expected_count=10,
            present_count=9,
            excused_count=1,
        )
        for cell in grown.cells
        for m in range(12)
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    MonthlyRollup.objects.bulk_create(rollups_for(Meeting.objects.filter(cell__in=grown.cells)))


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
    assert page.content.decode().count("grid-missed") == 2 * 12


def test_district_board_sums_each_communes_cells(tree, secretary_a, viewer, client_for):
    members_in(tree.cell_a1, 4)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 2))
    page = client_for(viewer).get(reverse("meeting_board", args=[tree.district.pk]))
    html = page.content.decode()
    assert "1/24 (4%)" in html  # commune A: 2 cells × 12 months, one met


@pytest.mark.parametrize(
    "url_name, unit, pinned",
    [("meeting_grid", "commune_a", GRID_QUERIES), ("meeting_board", "district", BOARD_QUERIES)],
)
def test_board_pages_run_the_same_queries_at_two_tree_sizes(
    url_name, unit, pinned, tree, district_admin, client_for, django_assert_max_num_queries
):
    client = client_for(district_admin)
    url = reverse(url_name, args=[getattr(tree, unit).pk])
    grow(tree, 2)
    with django_assert_max_num_queries(pinned) as small:
        assert client.get(url).status_code == 200
    grow(tree, 20)
    with django_assert_max_num_queries(pinned) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)


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
