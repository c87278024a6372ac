"""Excel exports: the filtered member list and the member register, read back with openpyxl."""

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members import services
from members.choices import Ethnicity, Sex, TransferScope
from members.exports import LIST_COLUMNS, neutralise, write_members
from members.models import Member
from members.selectors import member_list
from tests.accounts.factories import warm
from tests.factories import MemberFactory


def sheet_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def names(sheet) -> list[str]:
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def roll(tree):
    return {
        "phuong": MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", sex=Sex.MALE),
        "hoa": MemberFactory(
            unit=tree.cell_a1, full_name="Đặng Thị Hoa", sex=Sex.FEMALE, ethnicity=Ethnicity.DAO
        ),
        "binh": MemberFactory(unit=tree.cell_a2, full_name="Quàng Thị Bình", sex=Sex.FEMALE),
        "hac": MemberFactory(
            unit=tree.cell_a1, full_name="Cầm Văn Hặc", sex=Sex.MALE, deceased=True
        ),
        "chu": MemberFactory(unit=tree.cell_b1, full_name="Vàng A Chứ", sex=Sex.MALE),
    }


def test_list_export_follows_the_filters(roll, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("member_export"), {"sex": Sex.FEMALE})
    assert names(sheet_of(response)) == ["Quàng Thị Bình", "Đặng Thị Hoa"]


def test_list_export_has_a_frozen_header_real_dates_and_widths(roll, secretary_a, client_for):
    sheet = sheet_of(client_for(secretary_a).get(reverse("member_export")))
    header = [c.value for c in sheet[1]]
    birth = sheet.cell(row=2, column=header.index("Ngày sinh") + 1)
    assert sheet.freeze_panes == "A2"
    assert isinstance(birth.value, datetime) and birth.number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["B"].width == 28


def cells(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]


def test_list_export_of_a_queryset_has_the_cells_of_each_members_values(tree, district_admin):
    """A queryset is read as a values query (no Member per row): the same cells as the columns'
    values of each member give, labels, unit names, blanks, dates and formulas alike."""
    tree.cell_a2.short_name = "Huổi Mí"
    tree.cell_a2.save()
    MemberFactory(unit=tree.cell_a1, full_name="=HYPERLINK(1)", phone="+84 912", probationary=True)
    MemberFactory(unit=tree.cell_a2, full_name="Lò Thị Ánh", permanent_address="-", sex=Sex.FEMALE)
    unlabelled = MemberFactory(unit=tree.cell_b1, full_name="Quàng Văn Lả")
    Member.objects.filter(pk=unlabelled.pk).update(religion="đạo lạ", ethnicity="khác lạ")
    members = member_list(user=district_admin)
    read = cells(write_members(members, LIST_COLUMNS, title="x").content)
    of_members = cells(write_members(list(members), LIST_COLUMNS, title="x").content)
    assert read == of_members and len(read) == 4
    assert {row[6][0] for row in read[1:]} == {"Huổi Mí", "Chi bộ bản Mển", "Chi bộ bản Nậm Chua"}
    assert ("'=HYPERLINK(1)", "s", "General") in [row[1] for row in read]
    assert ("Đạo lạ", "s", "General") in [row[5] for row in read]


def test_secretary_exports_only_her_cell(roll, secretary_a, client_for):
    sheet = sheet_of(client_for(secretary_a).get(reverse("member_export")))
    assert names(sheet) == ["Đặng Thị Hoa", "Lò Văn Phương"]


def test_secretary_cannot_export_another_units_list(roll, tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_export"), {"unit": tree.cell_b1.pk})
    assert response.status_code == 404


def test_secretary_cannot_export_another_units_register(roll, tree, secretary_a, client_for):
    url = reverse("member_register_export", args=[tree.cell_b1.pk])
    assert client_for(secretary_a).get(url).status_code == 404


def test_register_lists_members_who_left_with_the_form_of_leaving(
    roll, tree, commune_staff_a, client_for
):
    url = reverse("member_register_export", args=[tree.commune_a.pk])
    sheet = sheet_of(client_for(commune_staff_a).get(url))
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Lò Văn Phương", "Đặng Thị Hoa", "Cầm Văn Hặc", "Quàng Thị Bình"}
    assert "Từ trần" in rows["Cầm Văn Hặc"]


def test_register_needs_get(tree, commune_staff_a, client_for):
    url = reverse("member_register_export", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).post(url).status_code == 405


def test_text_that_looks_like_a_formula_is_neutralised(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn A", hometown='=HYPERLINK("x")')
    url = reverse("member_register_export", args=[tree.cell_a1.pk])
    sheet = sheet_of(client_for(secretary_a).get(url))
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Quê quán") + 1)
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("x")', "s")


@pytest.mark.parametrize("text", ["=1+1", "+84 912", "-5", "@SUM(A1)"])
def test_neutralise_prefixes_a_quote(text):
    assert neutralise(text) == "'" + text


def test_neutralise_leaves_dates_and_plain_text(tree):
    assert (neutralise("Lò Văn Phương"), neutralise(date(2020, 1, 1))) == (
        "Lò Văn Phương",
        date(2020, 1, 1),
    )


# The register keeps members transferred out, with where they went and came from


# The register's transfer columns, as the Vietnamese sheet heads them.
IN_ON, IN_FROM = "Ngày chuyển sinh hoạt đến", "Chuyển sinh hoạt đến từ"
OUT_ON, OUT_TO = "Ngày chuyển sinh hoạt đi", "Chuyển sinh hoạt đi đến"


def register(client, unit, **period) -> dict:
    sheet = sheet_of(client.get(reverse("member_register_export", args=[unit.pk]), period))
    header = [c.value for c in sheet[1]]
    return {
        row[1]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }


@pytest.fixture
def moved(tree, commune_staff_a):
    """Phương moved from Mển to Huổi Mí on 01/04/2025; Chứ transferred out to Tuần Giáo."""
    phuong = MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    services.member_transfer(
        member=phuong, to_unit=tree.cell_a2, on=date(2025, 4, 1), by=commune_staff_a
    )
    chu = MemberFactory(unit=tree.cell_a1, full_name="Vàng A Chứ")
    services.member_transfer_out(
        member=chu,
        scope=TransferScope.OTHER_DISTRICT,
        place="Đảng bộ xã Quài Tở, huyện Tuần Giáo",
        on=date(2025, 6, 10),
        by=commune_staff_a,
    )
    return phuong, chu


def test_old_cells_register_keeps_a_member_moved_to_another_cell_with_date_and_destination(
    moved, tree, commune_staff_a, client_for
):
    row = register(client_for(commune_staff_a), tree.cell_a1)["Lò Văn Phương"]
    assert (row[OUT_ON], row[OUT_TO]) == (
        datetime(2025, 4, 1),
        tree.cell_a2.display_name,
    )
    assert row["Chi bộ"] == tree.cell_a1.display_name


def test_old_cells_register_does_not_count_a_transfer_between_cells_as_leaving_the_party(
    moved, tree, commune_staff_a, client_for
):
    row = register(client_for(commune_staff_a), tree.cell_a1)["Lò Văn Phương"]
    assert (row["Ngày ra khỏi danh sách"], row["Hình thức ra khỏi Đảng"]) == (None, None)


def test_new_cells_register_shows_where_the_member_came_from(
    moved, tree, commune_staff_a, client_for
):
    row = register(client_for(commune_staff_a), tree.cell_a2)["Lò Văn Phương"]
    assert (row[IN_ON], row[IN_FROM]) == (
        datetime(2025, 4, 1),
        tree.cell_a1.display_name,
    )


def test_secretary_of_the_old_cell_still_finds_the_member_in_her_register(
    moved, tree, secretary_a, client_for
):
    assert "Lò Văn Phương" in register(client_for(secretary_a), tree.cell_a1)


def test_commune_register_shows_no_transfer_between_its_own_cells(
    moved, tree, commune_staff_a, client_for
):
    row = register(client_for(commune_staff_a), tree.commune_a)["Lò Văn Phương"]
    assert (row[OUT_ON], row[IN_ON]) == (None, None)


def test_register_shows_a_transfer_out_of_the_district_with_its_place(
    moved, tree, commune_staff_a, client_for
):
    row = register(client_for(commune_staff_a), tree.commune_a)["Vàng A Chứ"]
    assert row[OUT_ON] == datetime(2025, 6, 10)
    assert "Quài Tở" in row[OUT_TO]


def test_register_of_a_period_leaves_out_members_gone_before_it(
    moved, tree, commune_staff_a, client_for
):
    rows = register(client_for(commune_staff_a), tree.cell_a1, start="01/05/2025")
    assert "Lò Văn Phương" not in rows and "Vàng A Chứ" in rows


def test_register_of_a_period_leaves_out_members_who_came_after_it(
    moved, tree, commune_staff_a, client_for
):
    rows = register(client_for(commune_staff_a), tree.cell_a2, end="31/03/2025")
    assert "Lò Văn Phương" not in rows


def test_register_refuses_a_period_that_is_not_dates(tree, commune_staff_a, client_for):
    url = reverse("member_register_export", args=[tree.cell_a1.pk])
    assert client_for(commune_staff_a).get(url, {"start": "hôm qua"}).status_code == 400


def test_register_of_another_commune_lists_none_of_the_members_who_passed_through(
    moved, tree, secretary_b, client_for
):
    url = reverse("member_register_export", args=[tree.cell_a1.pk])
    assert client_for(secretary_b).get(url).status_code == 404


def test_register_takes_the_same_queries_for_3_or_30_moved_members(
    tree, commune_staff_a, district_admin, client_for, django_assert_max_num_queries
):
    client = warm(client_for(commune_staff_a))
    url = reverse("member_register_export", args=[tree.commune_a.pk])

    def moved(count):
        for _ in range(count):
            member = MemberFactory(unit=tree.cell_a1)
            services.member_transfer(
                member=member, to_unit=tree.cell_b1, on=date(2025, 4, 1), by=district_admin
            )

    moved(3)
    # 12: the register's reads, the export's audit event and the session's two-factor device
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    moved(27)
    with django_assert_max_num_queries(12) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)
