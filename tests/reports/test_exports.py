"""The Excel exports of the statistics forms, read back with openpyxl on the trees of
test_statistics.py, where every figure is known."""

import io
from datetime import date
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import AttendanceStatus, MeetingKind
from reports.export_views import EXPORTS
from tests.factories import MemberFactory, UnitFactory, VillageFactory, bulk_tree, persona
from tests.meetings.factories import log_meeting
from tests.reports.trees import (
    LONG_AGO,
    build_year_2025_with_move,
)
from units.models import Role, UnitKind

YEAR = {"start": "01/01/2025", "end": "31/12/2025"}


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def export(client, name, unit, params=None):
    return client.get(reverse(name, args=[unit.pk]), params or YEAR)


def row_of(sheet, label):
    """The values of the first row whose first filled cell is `label`."""
    for row in sheet.iter_rows(values_only=True):
        if label in row[:2]:
            return row
    raise AssertionError(f"no row {label!r}")


def test_increase_decrease_holds_the_known_figures(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", year_2025.tree.district)
    )["Biểu 1"]
    figures = {
        label: row_of(sheet, label)[1:3]
        for label in (
            "A - Tổng số đảng viên cuối kỳ trước chuyển sang",
            "1. Kết nạp",
            "a. Tỉnh khác chuyển đến",
            "Trong đó: Đảng viên dự bị",
            "b. Chuyển đi huyện khác trong tỉnh",
            "D - Đảng viên trong danh sách cuối kỳ báo cáo",
        )
    }
    assert list(figures.values()) == [(11, 10), (1, 1), (1, 0), (1, 0), (1, 0), (10, 11)]


def test_percentage_column_is_this_period_against_last_year(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", year_2025.tree.district)
    )["Biểu 1"]
    assert row_of(sheet, "D - Đảng viên trong danh sách cuối kỳ báo cáo")[3] == pytest.approx(
        10 * 100 / 11
    )
    assert row_of(sheet, "a. Tỉnh khác chuyển đến")[3] is None  # nothing last year: blank


def test_every_row_of_the_per_unit_sheet_balances(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", year_2025.tree.district)
    )["Theo đơn vị"]
    rows = [r for r in sheet.iter_rows(min_row=8, values_only=True) if isinstance(r[2], int)]
    # columns: STT, unit, A, B (total), …, C (total) at 10, D at 19
    assert [(r[1], r[2], r[3], r[9], r[18]) for r in rows] == [
        ("Đảng bộ huyện Mường Chà", 11, 2, 3, 10),
        ("Đảng bộ xã Mường Mươn", 10, 1, 4, 7),
        ("Đảng bộ xã Sa Lông", 1, 2, 0, 3),
    ]
    assert all(r[2] + r[3] - r[9] == r[18] for r in rows)


def test_the_form_has_its_frame(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", year_2025.tree.district)
    )["Biểu 1"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"B1:C2", "A4:A5", "B4:C4", "D4:D5"} <= merged
    assert sheet["B1"].value == "THỐNG KÊ\nTĂNG, GIẢM ĐẢNG VIÊN\nNĂM 2025"
    assert (sheet["A1"].value, sheet["D1"].value) == ("HUYỆN ỦY MƯỜNG CHÀ", "Biểu số 1-BTCTW")
    assert (sheet.freeze_panes, sheet.page_setup.orientation, sheet.page_setup.paperSize) == (
        "B7",
        "landscape",
        9,
    )


# Every sheet of every export: (export, sheet index, frozen at, width of A and B, merged cells of
# the title block and the header, the title's words).
FRAMES = [
    ("export_increase_decrease", 0, "B7", (62, 16), {"B1:C2", "A4:A5", "B4:C4", "D4:D5"},
     "TĂNG, GIẢM ĐẢNG VIÊN"),
    ("export_increase_decrease", 1, "C8", (6, 34),
     {"A1:B1", "C1:P2", "Q1:S1", "A4:A6", "D4:I4", "J4:R4", "S4:S6", "F5:H5"},
     "TĂNG, GIẢM ĐẢNG VIÊN THEO ĐƠN VỊ TRỰC THUỘC"),
    ("export_structure", 0, "B7", (62, 16), {"B1:C2", "A4:A5", "B4:C4", "D4:D5"},
     "ĐỘI NGŨ ĐẢNG VIÊN"),
    ("export_structure", 1, "B7", (62, 16), {"B1:C2", "A4:A5", "B4:C4", "D4:D5"},
     "ĐẢNG VIÊN MỚI KẾT NẠP"),
    ("export_structure", 2, "A7", (6, 22), {"A1:B1", "C1:H2", "I1:J1", "C4:D4", "H4:I4", "J4:J5"},
     "ĐẢNG VIÊN CHIA THEO DÂN TỘC VÀ TÔN GIÁO"),
    ("export_organisations", 0, "B8", (52, 12),
     {"B1:F2", "A4:A6", "B4:D4", "E4:F4", "G4:G6", "B5:B6", "C5:D5"},
     "TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN TRONG CÁC LOẠI HÌNH CƠ SỞ"),
    ("export_organisations", 1, "C7", (6, 34), {"A1:B1", "C1:M2", "N1:P1", "C4:E4", "H4:M4"},
     None),
    ("export_meetings", 0, "D7", (6, 34), {"A1:B1", "C1:L2", "M1:O1", "D4:F4", "K4:M4"}, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "index", "freeze", "widths", "merged", "title"), FRAMES)
def test_every_sheet_has_the_frame_of_the_forms(
    year_2025, district_admin, client_for, name, index, freeze, widths, merged, title
):
    sheet = workbook_of(export(client_for(district_admin), name, year_2025.tree.district))
    sheet = sheet.worksheets[index]
    setup = sheet.page_setup
    heading = next(c.value for c in sheet[1] if c.value and c.value.startswith("THỐNG KÊ\n"))

    assert sheet.freeze_panes == freeze
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape",
        9,
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == widths
    assert merged <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].value == "HUYỆN ỦY MƯỜNG CHÀ" and sheet["A2"].value == "BAN TỔ CHỨC"
    assert title is None or heading.split("\n")[1] == title
    assert sheet.print_title_rows.startswith("$4:$")


@pytest.mark.parametrize(("name", "index"), [(name, index) for name, index, *_r in FRAMES])
def test_every_figure_is_a_number_with_the_forms_number_format(
    year_2025, tree, secretary_a, district_admin, client_for, name, index
):
    log_meeting(tree.cell_a1, secretary_a, date(2025, 3, 10))
    sheet = workbook_of(export(client_for(district_admin), name, year_2025.tree.district))
    formats = {
        c.number_format
        for row in sheet.worksheets[index].iter_rows(min_row=4)
        for c in row
        if isinstance(c.value, (int, float))
    }

    # Counts grouped the Vietnamese way (5.712), shares with one decimal (85,3); never General.
    assert "#,##0" in formats and formats <= {"#,##0", "#,##0.0"}


BALANCE = (
    "A - Tổng số đảng viên cuối kỳ trước chuyển sang",
    "B - Đảng viên tăng trong kỳ",
    "C - Đảng viên giảm trong kỳ",
    "D - Đảng viên trong danh sách cuối kỳ báo cáo",
)


@pytest.fixture
def year_2025_moved(tree, superuser_admin):
    build_year_2025_with_move(tree, superuser_admin)
    return tree


@pytest.mark.parametrize("unit", ["province", "district", "d2", "commune_b"])
def test_every_row_balances_across_a_move(year_2025_moved, superuser_admin, client_for, unit):
    workbook = workbook_of(
        export(
            client_for(superuser_admin), "export_increase_decrease", getattr(year_2025_moved, unit)
        )
    )
    form, by_unit = workbook["Biểu 1"], workbook["Theo đơn vị"]
    columns = [[row_of(form, label)[column] for label in BALANCE] for column in (1, 2)]
    rows = [r for r in by_unit.iter_rows(min_row=8, values_only=True) if isinstance(r[2], int)]

    assert all(a + b - c == d for a, b, c, d in columns)  # this period and last year
    assert len(rows) >= 2 and all(r[2] + r[3] - r[9] == r[18] for r in rows)


def test_the_district_a_commune_moved_into_counts_its_members_moved_in(
    year_2025_moved, superuser_admin, client_for
):
    form = workbook_of(
        export(client_for(superuser_admin), "export_increase_decrease", year_2025_moved.d2)
    )["Biểu 1"]
    labels = (*BALANCE[:1], "1. Kết nạp", "2. Chuyển đến", "3. Xóa tên", BALANCE[3])

    assert [row_of(form, label)[1] for label in labels] == [0, 1, 4, 1, 4]


def test_figures_are_numbers_with_a_number_format(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", year_2025.tree.district)
    )["Biểu 1"]
    cell = next(c for c in sheet["B"] if c.value == 11)
    assert (cell.number_format, sheet.column_dimensions["A"].width) == ("#,##0", 62)


def test_labels_starting_with_a_dash_stay_text(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_structure", year_2025.tree.district)
    )["Biểu 3"]
    cell = next(c for c in sheet["A"] if c.value == "- Dự bị")
    assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_unit_names_that_look_like_formulas_are_neutralised(tree, district_admin, client_for):
    UnitFactory(parent=tree.district, kind=UnitKind.COMMUNE, name="=HYPERLINK(1)")
    sheet = workbook_of(
        export(client_for(district_admin), "export_increase_decrease", tree.district)
    )["Theo đơn vị"]
    assert "'=HYPERLINK(1)" in [row[1] for row in sheet.iter_rows(values_only=True)]


def test_structure_counts_the_roll_and_the_new_admissions(year_2025, district_admin, client_for):
    workbook = workbook_of(
        export(client_for(district_admin), "export_structure", year_2025.tree.commune_a)
    )
    roster, admitted = workbook["Biểu 3"], workbook["Biểu 2"]
    assert row_of(roster, "I. Đảng viên trong danh sách có đến cuối kỳ báo cáo")[1:3] == (7, 10)
    assert row_of(roster, "- Dự bị")[1:3] == (1, 1)
    assert row_of(admitted, "I. Tổng số đảng viên mới kết nạp")[1:3] == (1, 1)
    assert row_of(admitted, "- Nữ")[1] == 1


def test_rows_chibo_does_not_record_are_blank(year_2025, district_admin, client_for):
    sheet = workbook_of(
        export(client_for(district_admin), "export_structure", year_2025.tree.commune_a)
    )["Biểu 3"]
    assert row_of(sheet, "- Chủ doanh nghiệp tư nhân")[1:4] == (None, None, None)


def test_organisations_by_type_and_by_unit(tree, district_admin, client_for):
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_b, cell=tree.cell_b1)
    MemberFactory(unit=tree.cell_b1)
    workbook = workbook_of(
        export(client_for(district_admin), "export_organisations", tree.district)
    )
    assert row_of(workbook["Biểu 5"], "1. Xã")[1:7] == (2, 2, 0, 0, 3, 1)
    by_unit = {row[1]: row for row in workbook.worksheets[1].iter_rows(values_only=True)}
    # villages, with their own cell, own cell (%), with a combined cell, white villages
    commune_a, commune_b = by_unit["Đảng bộ xã Mường Mươn"], by_unit["Đảng bộ xã Sa Lông"]
    assert (commune_a[7], commune_a[8], commune_a[10], commune_a[12]) == (2, 0, 2, 2)
    assert (commune_b[7], commune_b[8], commune_b[9]) == (1, 1, 100)


def test_meetings_per_cell_over_a_quarter(tree, secretary_a, client_for):
    members = MemberFactory.create_batch(4, unit=tree.cell_a1, admitted_on=LONG_AGO)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 1, 10))
    log_meeting(
        tree.cell_a1,
        secretary_a,
        date(2026, 2, 12),
        absent={members[0]: AttendanceStatus.UNEXCUSED},
    )
    log_meeting(
        tree.cell_a1, secretary_a, date(2026, 2, 20), kind=MeetingKind.THEMATIC, topic="Nghị quyết"
    )
    response = export(
        client_for(secretary_a),
        "export_meetings",
        tree.cell_a1,
        {"year": "2026", "quarter": "1"},
    )
    row = row_of(workbook_of(response).worksheets[0], "Chi bộ bản Mển")
    # months, met, %, meetings, thematic, quarters with one, quarters, expected, present, rate,
    # good, share
    assert row[3:10] == (3, 2, pytest.approx(66.67, abs=0.01), 3, 1, 1, 1)
    assert row[10:15] == (12, 11, pytest.approx(91.67, abs=0.01), 2, pytest.approx(66.67, abs=0.01))


@pytest.mark.parametrize(("end", "district", "city"), [("30/12/2019", 5, 0), ("01/01/2020", 1, 4)])
def test_structure_as_of_either_side_of_the_handover(handover, client_for, end, district, city):
    client = client_for(handover.user)
    params = {"start": "01/01/2019", "end": end}
    label = "I. Đảng viên trong danh sách có đến cuối kỳ báo cáo"
    for unit, expected in ((handover.district, district), (handover.city, city)):
        sheet = workbook_of(export(client, "export_structure", unit, params))["Biểu 3"]
        assert row_of(sheet, label)[1] == expected


def test_the_increase_decrease_sheet_as_of_the_day_after_the_handover(handover, client_for):
    response = export(
        client_for(handover.user),
        "export_increase_decrease",
        handover.district,
        {"start": "01/01/2019", "end": "01/01/2020"},
    )
    sheet = workbook_of(response)["Biểu 1"]
    assert row_of(sheet, "b. Chuyển đi huyện khác trong tỉnh")[1] == 4
    assert row_of(sheet, "D - Đảng viên trong danh sách cuối kỳ báo cáo")[1] == 1


# --- The page, the period, the file and who may download --------------------------------------


def test_the_page_lists_every_export_for_this_year(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("report_exports", args=[tree.commune_a.pk]))
    urls = [reverse(name, args=[tree.commune_a.pk]) for name in EXPORTS]
    assert all(url in response.content.decode() for url in urls)
    assert f"start=01%2F01%2F{date.today().year}" in response.content.decode()


def test_a_period_ending_before_it_starts_is_refused(tree, commune_staff_a, client_for):
    response = export(
        client_for(commune_staff_a),
        "export_increase_decrease",
        tree.commune_a,
        {"start": "01/06/2025", "end": "01/01/2025"},
    )
    assert response.status_code == 400
    assert "export_increase_decrease" not in response.get("Content-Disposition", "")


def test_a_month_preset_is_that_month(tree, commune_staff_a, client_for):
    response = export(
        client_for(commune_staff_a),
        "export_meetings",
        tree.commune_a,
        {"year": "2025", "month": "2"},
    )
    disposition = unquote(response["Content-Disposition"])
    assert "01-02-2025 đến 28-02-2025" in disposition


def test_the_download_is_an_attachment_with_a_vietnamese_name(tree, commune_staff_a, client_for):
    response = export(client_for(commune_staff_a), "export_increase_decrease", tree.commune_a)
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment;")
    assert "Biểu 1 - Thống kê tăng, giảm đảng viên - Đảng bộ xã Mường Mươn - năm 2025.xlsx" in (
        disposition
    )


@pytest.mark.parametrize("name", list(EXPORTS))
def test_a_viewer_of_one_commune_downloads_its_figures_but_not_the_others(tree, client_for, name):
    viewer_a = persona(tree.commune_a, Role.VIEWER, "Lò Văn Phương", "phuong.lv")
    client = client_for(viewer_a)
    assert export(client, name, tree.commune_a).status_code == 200
    assert export(client, name, tree.commune_b).status_code == 404


def test_a_secretary_cannot_open_the_commune_page(tree, secretary_a, client_for):
    url = reverse("report_exports", args=[tree.commune_a.pk])
    assert client_for(secretary_a).get(url).status_code == 404


def test_exports_need_get(tree, commune_staff_a, client_for):
    url = reverse("export_structure", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).post(url).status_code == 405


# Pinned from measurement (session, user and scope included) plus one.
# Each includes the one INSERT of the export's audit event.
# The session's two-factor device included.
QUERY_LIMITS = {
    "export_increase_decrease": 18,
    "export_structure": 29,
    "export_organisations": 14,
    "export_meetings": 12,
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_export_query_counts_do_not_grow_with_the_tree(
    year_2025, district_admin, client_for, django_assert_max_num_queries, name
):
    client = client_for(district_admin)
    district = year_2025.tree.district
    with django_assert_max_num_queries(QUERY_LIMITS[name]):
        assert export(client, name, district).status_code == 200
    bulk_tree(parent=district, communes=8, cells_per_commune=5, members_per_cell=6)
    with django_assert_max_num_queries(QUERY_LIMITS[name]):
        assert export(client, name, district).status_code == 200


def test_ethnic_groups_and_religions_in_two_panels(tree, district_admin, client_for):
    from members.choices import Ethnicity, Religion, Sex

    MemberFactory(unit=tree.cell_a1, ethnicity=Ethnicity.THAI, sex=Sex.FEMALE)
    MemberFactory(unit=tree.cell_a1, ethnicity=Ethnicity.THAI, sex=Sex.MALE)
    for ethnicity in (Ethnicity.KHANG, Ethnicity.HMONG):
        MemberFactory(
            unit=tree.cell_a2, ethnicity=ethnicity, sex=Sex.MALE, religion=Religion.PROTESTANTISM
        )
    sheet = workbook_of(export(client_for(district_admin), "export_structure", tree.commune_a))[
        "Biểu 4"
    ]
    rows = {row[1]: row[2:5] for row in sheet.iter_rows(min_row=7, values_only=True)}
    right = {row[6]: row[7:10] for row in sheet.iter_rows(min_row=7, values_only=True)}
    assert rows["Thái"] == (2, 1, 50) and rows["Đảng viên chia theo dân tộc"] == (4, 1, 100)
    assert right["Kháng"] == (1, 0, 25) and right["Tin Lành"] == (2, 0, 100)


def test_the_page_takes_the_same_queries_on_a_bigger_tree(
    tree, district_admin, client_for, django_assert_max_num_queries
):
    client = client_for(district_admin)
    url = reverse("report_exports", args=[tree.district.pk])
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    bulk_tree(parent=tree.district, communes=8, cells_per_commune=5)
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
