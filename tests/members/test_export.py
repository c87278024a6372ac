"""Excel exports: the filtered member list and the member register, read back with openpyxl."""

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.choices import Ethnicity, Sex
from members.exports import neutralise
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
