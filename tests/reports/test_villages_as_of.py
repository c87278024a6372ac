"""Villages as of a date: the dashboard, the organisations form and the village targets read
the dated coverage, so a combined cell split on a day counts as combined until the eve of that
day and the white villages are those of the day."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Resolution, Target
from tests.factories import MemberFactory, UnitFactory, VillageFactory
from tests.reports.test_dashboard import dashboard, figures
from tests.reports.test_targets import _status
from tests.reports.trees import FIRST_IN_HUOI_MI, SPLIT_2024, build_split
from units.models import UnitCategory, UnitKind
from units.services import village_create

EVE = SPLIT_2024 - timedelta(days=1)


@pytest.fixture
def split(tree, superuser_admin):
    return build_split(tree, superuser_admin)


def _by_unit(response) -> dict:
    """The "by unit" sheet of the organisations form: its rows by the unit's name."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    return {row[1]: row for row in sheet.iter_rows(values_only=True)}


def _organisations(client, unit, end: date):
    url = reverse("export_organisations", args=[unit.pk])
    return client.get(url, {"start": f"01/01/{end.year}", "end": f"{end:%d/%m/%Y}"})


# --- A combined cell split on a day ----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "own", "combined"), [(EVE, "2 (40%)", "1"), (SPLIT_2024, "5 (100%)", "0")]
)
def test_the_district_dashboard_counts_the_combined_cell_until_its_split(
    split, viewer, client_for, day, own, combined
):
    shown = figures(dashboard(client_for(viewer), split.tree.district, day))

    assert (shown["villages"], shown["villages_own_cell"], shown["combined_cells"]) == (
        "5",
        own,
        combined,
    )


@pytest.mark.parametrize(("day", "covered", "combined"), [(EVE, "3", "1"), (SPLIT_2024, "1", "0")])
def test_a_cells_dashboard_counts_the_villages_it_covered_that_day(
    split, secretary_a, client_for, day, covered, combined
):
    shown = figures(dashboard(client_for(secretary_a), split.tree.cell_a1, day))

    assert (shown["villages"], shown["combined_cells"]) == (covered, combined)


@pytest.mark.parametrize(
    ("day", "own", "ratio", "combined_cells"), [(EVE, 1, 25, 1), (SPLIT_2024, 4, 100, 0)]
)
def test_the_organisations_form_counts_the_coverage_of_the_periods_end(
    split, district_admin, client_for, day, own, ratio, combined_cells
):
    commune_a = _by_unit(_organisations(client_for(district_admin), split.tree.district, day))[
        split.tree.commune_a.name
    ]

    # villages, with their own cell, own cell (%), combined cells
    assert (commune_a[7], commune_a[8], commune_a[9], commune_a[13]) == (
        4,
        own,
        ratio,
        combined_cells,
    )


def test_the_organisations_form_no_longer_says_villages_are_todays(
    split, district_admin, client_for
):
    response = _organisations(client_for(district_admin), split.tree.district, EVE)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]

    texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not any("today" in t or "hôm nay" in t for t in texts)


# --- White villages of the day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "white"), [(FIRST_IN_HUOI_MI - timedelta(days=1), "1"), (FIRST_IN_HUOI_MI, "0")]
)
def test_a_village_is_white_until_its_first_member_is_on_the_rolls(
    split, viewer, client_for, day, white
):
    shown = figures(dashboard(client_for(viewer), split.tree.commune_a, day))

    assert shown["white_villages"] == white


def test_a_village_founded_later_is_no_white_village_before_it_existed(
    split, district_admin, client_for
):
    village_create(
        commune=split.tree.commune_b,
        by=district_admin,
        effective_on=date(2024, 9, 1),
        name="Bản Nậm Mạ",
    )
    client = client_for(district_admin)

    before = _by_unit(_organisations(client, split.tree.district, date(2024, 8, 31)))
    after = _by_unit(_organisations(client, split.tree.district, date(2024, 9, 1)))

    commune_b = split.tree.commune_b.name
    assert (before[commune_b][7], before[commune_b][12]) == (1, 0)
    assert (after[commune_b][7], after[commune_b][12]) == (2, 1)


# --- The target's pace follows the dated figures ---------------------------------------------


def test_the_own_cell_target_is_on_pace_when_cells_were_split_since_the_periods_eve(
    split, viewer, client_for
):
    # 31/12/2020: 2 of 6 villages with their own cell; 30/06/2024: 5 of 6, rising fast enough
    # to reach 100% by the end of 2025.
    VillageFactory(commune=split.tree.commune_b, name="Bản Phi Hổ", cell=None)
    resolution = Resolution.objects.create(
        number="03-NQ/HU",
        issuer=split.tree.district,
        title="Nâng cao năng lực lãnh đạo của tổ chức cơ sở đảng",
        start_year=2021,
        end_year=2025,
    )
    Target.objects.create(
        resolution=resolution, unit=split.tree.district, kind="own_cell_villages", value=100
    )

    response = dashboard(client_for(viewer), split.tree.district, date(2024, 6, 30))

    assert figures(response)["villages_own_cell"] == "5 (83%)"
    assert _status(response, "own_cell_villages") == "on_pace"


# --- Biểu 5: Party and mass-organisation agencies apart from state agencies -----------------


@pytest.fixture
def agencies(tree):
    """Under the district: the Party agencies' committee (2 cells of 2 members), the Front's
    base cell (3), and the Treasury's base cell (4)."""
    party = UnitFactory(
        parent=tree.district,
        kind=UnitKind.BASE_COMMITTEE,
        category=UnitCategory.PARTY_AGENCY,
        name="Đảng bộ Cơ quan Đảng huyện",
    )
    for name in ("Chi bộ Văn phòng Huyện ủy", "Chi bộ Ủy ban Kiểm tra Huyện ủy"):
        cell = UnitFactory(parent=party, kind=UnitKind.SUB_CELL, name=name)
        MemberFactory.create_batch(2, unit=cell)
    front = UnitFactory(
        parent=tree.district,
        kind=UnitKind.BASE_CELL,
        category=UnitCategory.MASS_ORGANISATION,
        name="Chi bộ Ủy ban Mặt trận Tổ quốc huyện",
    )
    MemberFactory.create_batch(3, unit=front)
    treasury = UnitFactory(
        parent=tree.district,
        kind=UnitKind.BASE_CELL,
        category=UnitCategory.AGENCY,
        name="Chi bộ Kho bạc Nhà nước huyện",
    )
    MemberFactory.create_batch(4, unit=treasury)
    return tree


def _form(client, unit):
    response = client.get(
        reverse("export_organisations", args=[unit.pk]),
        {"start": "01/01/2025", "end": "31/12/2025"},
    )
    return load_workbook(io.BytesIO(response.content))["Biểu 5"]


def _row(sheet, label):
    return next(row for row in sheet.iter_rows(values_only=True) if row[0] == label)


def test_form_5_counts_party_and_front_agencies_in_row_4_and_state_agencies_in_row_5(
    agencies, district_admin, client_for
):
    sheet = _form(client_for(district_admin), agencies.district)

    # total, committees, cells, partial committees, subordinate cells, members
    assert _row(sheet, "4. Cơ quan Đảng, MTTQ, đoàn thể CT-XH")[1:7] == (2, 1, 1, 0, 2, 7)
    assert _row(sheet, "5. Cơ quan Nhà nước")[1:7] == (1, 0, 1, 0, 0, 4)


def test_form_5_no_longer_says_every_agency_is_in_row_5(agencies, district_admin, client_for):
    sheet = _form(client_for(district_admin), agencies.district)

    texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not any("Row 5" in t or "Dòng 5" in t for t in texts)
