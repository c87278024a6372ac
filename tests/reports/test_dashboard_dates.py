"""The dashboard as of a past day: events counted where their cell stood that day, alerts and
probation of the day, exemptions and departures from the membership events, days to come, a
cell's villages, and no attendance row read."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from meetings.models import AttendanceStatus, MonthlyRollup
from members.choices import EventKind, MemberStatus
from members.services import member_exempt, member_exemption_end, member_exit, member_reinstate
from reports.exports.frame import committee_line
from tests.factories import MemberFactory, UnitFactory, VillageFactory
from tests.meetings.factories import log_meeting, members_in
from tests.reports.test_dashboard import dashboard, figures
from tests.reports.trees import BORN, LONG_AGO, leave
from units.models import Unit, UnitKind
from units.reorganisation import reorg_move, reorg_reform_2025

MOVE = date(2019, 12, 31)


def chart_values(response, chart_id: str) -> dict:
    """The figures of a chart's table, by their label."""
    html = response.content.decode().split(f'id="{chart_id}"')[1].split("</figure>")[0]
    return dict(re.findall(r'data-value="([^"]+)">([^<]*)<', html))


# --- Events of the year across a reorganisation ----------------------------------------------


@pytest.fixture
def moved(tree, superuser_admin):
    """Commune B (cell B1) passes from district D to district D2 on 31/12/2019; in B1 a member
    was admitted on 15/03/2019 and another died on 10/06/2019, both under D."""
    d2 = UnitFactory(
        parent=tree.province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    MemberFactory.create_batch(2, unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN)
    MemberFactory(unit=tree.cell_b1, admitted_on=date(2019, 3, 15), probationary=True)
    died = MemberFactory(unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN)
    leave(died, EventKind.DIED, MemberStatus.DECEASED, date(2019, 6, 10))
    reorg_move(
        unit=Unit.objects.get(pk=tree.commune_b.pk),
        new_parent=d2,
        on=MOVE,
        decision_number="1208-QĐ/TU",
        by=superuser_admin,
    )
    tree.d2 = d2
    return tree


def test_an_admission_before_a_move_counts_once_where_its_cell_stood_that_day(
    moved, superuser_admin, client_for
):
    client = client_for(superuser_admin)

    new = [figures(dashboard(client, unit, MOVE))["new"] for unit in (moved.district, moved.d2)]

    assert new == ["1", "0"]
    assert figures(dashboard(client, moved.province, MOVE))["new"] == "1"


def test_a_departure_before_a_move_counts_in_the_district_it_left_from(
    moved, superuser_admin, client_for
):
    client = client_for(superuser_admin)

    left = [figures(dashboard(client, unit, MOVE))["left"] for unit in (moved.district, moved.d2)]

    assert left == ["1", "0"]


def test_admissions_chart_counts_the_year_for_the_district_of_the_day(
    moved, superuser_admin, client_for
):
    client = client_for(superuser_admin)
    day = date(2020, 6, 30)

    in_d = chart_values(dashboard(client, moved.district, day), "chart-admissions")["2019"]
    in_d2 = chart_values(dashboard(client, moved.d2, day), "chart-admissions")["2019"]

    assert (in_d, in_d2) == ("1", "0")


# --- Alerts and probation of the day ---------------------------------------------------------

DAY_2020 = date(2020, 10, 26)


def test_probation_due_is_that_of_the_day_not_of_todays_status(tree, viewer, client_for):
    # Both recognised since; on 26/10/2020 one's probation ends within 30 days, the other's
    # ended on 01/10/2020.
    MemberFactory(unit=tree.cell_a1, admitted_on=date(2019, 11, 15), official_on=date(2020, 11, 15))
    late = MemberFactory(
        unit=tree.cell_a2, admitted_on=date(2019, 10, 1), official_on=date(2020, 11, 20)
    )
    MemberFactory(unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN)

    response = dashboard(client_for(viewer), tree.district, DAY_2020)

    recognition = response.content.decode().split('data-alert="recognition"')[1]
    assert figures(response)["probation_due_soon"] == "1"
    assert late.full_name in recognition.split("</details>")[0]


@pytest.fixture
def abolished(tree, superuser_admin):
    """District D ended on 01/07/2025 (its communes went under the province); in 09/2020 only
    cell A1 held its regular meeting."""
    MonthlyRollup.objects.create(unit=tree.cell_a1, month=date(2020, 9, 1), meetings=1, regular=1)
    reorg_reform_2025(
        district=Unit.objects.get(pk=tree.district.pk),
        on=date(2025, 7, 1),
        decision_number="2215-QĐ/TU",
        by=superuser_admin,
    )
    return tree


def test_cells_without_last_months_meeting_are_the_cells_of_the_day(
    abolished, superuser_admin, client_for
):
    response = dashboard(client_for(superuser_admin), abolished.district, DAY_2020)

    missed = response.content.decode().split('data-alert="missed"')[1].split("</details>")[0]
    assert "(2)" in missed.split("</summary>")[0]
    assert abolished.cell_a2.name in missed and abolished.cell_a1.name not in missed


# --- Exemptions and departures from the events -----------------------------------------------


@pytest.fixture
def exempted(tree, superuser_admin):
    """A member of A1 exempt from activity from 01/03/2018 to 01/06/2021."""
    member = MemberFactory(unit=tree.cell_a1, admitted_on=LONG_AGO, birth_date=BORN)
    member_exempt(member=member, on=date(2018, 3, 1), by=superuser_admin)
    member_exemption_end(member=member, on=date(2021, 6, 1), by=superuser_admin)
    return tree


@pytest.mark.parametrize(("day", "exempt"), [(date(2019, 12, 31), "1"), (date(2021, 12, 31), "0")])
def test_exempt_members_are_those_of_the_day(exempted, viewer, client_for, day, exempt):
    assert figures(dashboard(client_for(viewer), exempted.district, day))["exempt"] == exempt


def test_the_structure_form_counts_the_members_exempt_on_its_day(
    exempted, district_admin, client_for
):
    url = reverse("export_structure", args=[exempted.district.pk])
    response = client_for(district_admin).get(url, {"start": "01/01/2021", "end": "31/12/2021"})
    sheet = load_workbook(io.BytesIO(response.content))["Biểu 3"]
    row = next(
        r
        for r in sheet.iter_rows(values_only=True)
        if r[0] == "Trong đó: Được miễn công tác và sinh hoạt đảng"
    )

    assert row[1:3] == (0, 1)  # 31/12/2021: the exemption had ended; 31/12/2020: exempt


def test_a_reinstated_members_departure_stays_in_the_year_it_happened(
    tree, superuser_admin, client_for
):
    member = MemberFactory(unit=tree.cell_a1, admitted_on=LONG_AGO, birth_date=BORN)
    member_exit(member=member, kind=EventKind.REMOVED, on=date(2020, 3, 10), by=superuser_admin)
    member_reinstate(member=member, on=date(2023, 6, 1), by=superuser_admin)

    shown = figures(dashboard(client_for(superuser_admin), tree.district, date(2020, 12, 31)))

    assert (shown["left"], shown["left_removed"]) == ("1", "1")


# --- Days to come, the exports of the day ------------------------------------------------------


def test_a_day_after_today_shows_todays_figures_and_says_so(tree, viewer, client_for):
    response = dashboard(client_for(viewer), tree.district, date(2030, 1, 1))

    page = response.content.decode()
    assert 'id="capped"' in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page.split('id="capped"')[1]


def test_the_exports_link_carries_the_year_to_the_day(tree, viewer, client_for):
    response = dashboard(client_for(viewer), tree.district, DAY_2020)

    link = re.search(r'href="([^"]*)" data-link="exports"', response.content.decode()).group(1)
    assert link == (
        reverse("report_exports", args=[tree.district.pk])
        + "?start=01%2F01%2F2020&amp;end=26%2F10%2F2020"
    )


# --- A cell's own dashboard --------------------------------------------------------------------


def test_a_cells_dashboard_counts_the_villages_it_covers(tree, secretary_a, client_for):
    VillageFactory.create_batch(2, commune=tree.commune_a, cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a2)

    shown = figures(dashboard(client_for(secretary_a), tree.cell_a1))

    assert (shown["villages"], shown["combined_cells"]) == ("2", "1")


# --- The title block of the forms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "line"),
    [
        (UnitKind.PROVINCIAL, "Đảng bộ tỉnh Điện Biên", "TỈNH ỦY ĐIỆN BIÊN"),
        (UnitKind.DISTRICT, "Đảng bộ huyện Mường Chà", "HUYỆN ỦY MƯỜNG CHÀ"),
        (UnitKind.DISTRICT, "Đảng bộ thành phố Điện Biên Phủ", "THÀNH ỦY ĐIỆN BIÊN PHỦ"),
        (UnitKind.COMMUNE, "Đảng bộ xã Mường Mươn", "ĐẢNG ỦY XÃ MƯỜNG MƯƠN"),
        (UnitKind.BASE_COMMITTEE, "Đảng bộ Công an huyện", "ĐẢNG ỦY CÔNG AN HUYỆN"),
        (UnitKind.SUB_CELL, "Chi bộ bản Mển", "CHI BỘ BẢN MỂN"),
    ],
)
def test_the_title_block_names_the_issuing_committee(kind, name, line):
    assert committee_line(Unit(kind=kind, name=name)) == line


# --- Never an attendance row -------------------------------------------------------------------


def test_dashboards_never_read_attendance_rows(tree, secretary_a, superuser_admin, client_for):
    members = members_in(tree.cell_a1, 4)
    with_absences = {members[0]: AttendanceStatus.UNEXCUSED}
    for month in (1, 2, 3):
        log_meeting(tree.cell_a1, secretary_a, date(2026, month, 12), absent=with_absences)
    client = client_for(superuser_admin)

    with CaptureQueriesContext(connection) as captured:
        pages = [
            dashboard(client, unit, date(2026, 4, 20)).content.decode()
            for unit in (tree.province, tree.district, tree.commune_a)
        ]

    readers = [q["sql"] for q in captured.captured_queries if "meetings_attendance" in q["sql"]]
    assert all('data-alert="removal"' in page for page in pages)  # the removal rule ran
    assert readers == []
