"""A unit's page as of a date: its name then, its members then, its recent membership changes,
the reorganisations of everything under it, and the cells to strengthen in its whole subtree."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.services import member_transfer
from tests.factories import MemberFactory, UnitFactory, VillageFactory
from units.models import UnitKind
from units.reorganisation import reorg_dissolve, reorg_merge, reorg_rename, reorg_split
from units.selectors import unit_events

MOVED = date(2025, 3, 10)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def heading(response) -> str:
    return re.search(r"<h1[^>]*>([^<]*)</h1>", response.content.decode()).group(1)


def page(client, unit, as_of=None):
    return client.get(reverse("unit_detail", args=[unit.pk]), {"as_of": as_of} if as_of else {})


def test_heading_shows_the_name_the_unit_bore_on_the_date(tree, superuser_admin, client_for):
    reorg_rename(
        unit=tree.cell_a1,
        name="Chi bộ bản Mển - Phì Cao",
        on=date(2024, 3, 1),
        decision_number="12-QĐ/ĐU",
        by=superuser_admin,
    )
    client = client_for(superuser_admin)
    assert heading(page(client, tree.cell_a1, "29/02/2024")) == "Chi bộ bản Mển"
    assert heading(page(client, tree.cell_a1)) == "Chi bộ bản Mển - Phì Cao"


@pytest.fixture
def moved_out(tree, superuser_admin):
    """Vàng A Chứ moved from cell A1 to cell A2 on 10/03/2025."""
    member = MemberFactory(unit=tree.cell_a1, full_name="Vàng A Chứ")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    member_transfer(member=member, to_unit=tree.cell_a2, on=MOVED, by=superuser_admin)
    return member


def test_cell_page_as_of_a_date_lists_the_members_of_that_day(
    tree, moved_out, commune_staff_a, client_for
):
    before = text(page(client_for(commune_staff_a), tree.cell_a1, "09/03/2025"))
    assert "Vàng A Chứ" in before and "Lò Văn Phương" in before


def test_cell_page_today_no_longer_lists_a_member_who_moved_out(
    tree, moved_out, commune_staff_a, client_for
):
    response = page(client_for(commune_staff_a), tree.cell_a1)
    members = response.content.decode().split("list-group-numbered")[1].split("</ol>")[0]
    assert "Vàng A Chứ" not in members


def test_cell_page_shows_a_recent_transfer_out(tree, moved_out, commune_staff_a, client_for):
    shown = text(page(client_for(commune_staff_a), tree.cell_a1, "01/06/2025"))
    assert "10/03/2025 · Vàng A Chứ · " in shown
    assert "Chi bộ bản Huổi Mí" in shown


def test_recent_changes_leave_out_moves_older_than_a_year(
    tree, moved_out, commune_staff_a, client_for
):
    shown = text(page(client_for(commune_staff_a), tree.cell_a1, "11/03/2026"))
    assert "10/03/2025" not in shown


def test_secretary_sees_only_her_cell_in_a_transfer_to_a_cell_outside_her_sight(
    tree, superuser_admin, secretary_a, client_for
):
    member = MemberFactory(unit=tree.cell_a1, full_name="Vàng A Chứ")
    member_transfer(member=member, to_unit=tree.cell_b1, on=MOVED, by=superuser_admin)
    shown = text(page(client_for(secretary_a), tree.cell_a1, "01/06/2025"))
    assert "Vàng A Chứ" in shown and "Nậm Chua" not in shown


# The reorganisations of the subtree


@pytest.fixture
def split_in_commune_a(tree, superuser_admin):
    VillageFactory(commune=tree.commune_a, name="Bản Mển", cell=tree.cell_a1)
    phi_cao = VillageFactory(commune=tree.commune_a, name="Bản Phì Cao", cell=tree.cell_a1)
    return reorg_split(
        cell=tree.cell_a1,
        parts=[("Chi bộ bản Phì Cao", [phi_cao])],
        on=date(2024, 3, 1),
        decision_number="88-QĐ/ĐU",
        by=superuser_admin,
    )


def test_commune_page_lists_the_split_of_one_of_its_cells(
    tree, split_in_commune_a, commune_staff_a, client_for
):
    shown = text(page(client_for(commune_staff_a), tree.commune_a))
    assert "01/03/2024" in shown and "88-QĐ/ĐU" in shown


def test_district_page_lists_the_merger_of_two_cells_of_a_commune(
    tree, superuser_admin, district_admin, client_for
):
    reorg_merge(
        absorbed=[tree.cell_a2],
        into=tree.cell_a1,
        on=date(2024, 5, 2),
        decision_number="91-QĐ/ĐU",
        by=superuser_admin,
    )
    assert "91-QĐ/ĐU" in text(page(client_for(district_admin), tree.district))


def test_events_of_a_subtree_take_one_query_however_many(tree, superuser_admin):
    for i in range(5):
        cell = UnitFactory(parent=tree.commune_a, kind=UnitKind.SUB_CELL)
        reorg_dissolve(
            unit=cell, on=date(2024, 1, 1 + i), decision_number=f"{i}-QĐ/ĐU", by=superuser_admin
        )
    with CaptureQueriesContext(connection) as ctx:
        events = unit_events(unit=tree.district)
    assert (len(events), len(ctx.captured_queries)) == (5, 1)


def test_page_of_a_dissolved_commune_opens_and_says_when_it_ended(
    tree, superuser_admin, district_admin, client_for
):
    reorg_dissolve(
        unit=tree.commune_b,
        units_to=tree.commune_a,
        on=date(2024, 3, 1),
        decision_number="7-QĐ/HU",
        by=superuser_admin,
    )
    response = page(client_for(district_admin), tree.commune_b)
    assert response.status_code == 200
    assert "01/03/2024" in text(response)


# Cells to strengthen, in the whole subtree


def test_commune_page_warns_of_a_small_cell_under_a_sub_committee(
    tree, commune_staff_a, client_for
):
    committee = UnitFactory(parent=tree.commune_a, kind=UnitKind.PARTIAL_COMMITTEE)
    small = UnitFactory(parent=committee, kind=UnitKind.SUB_CELL, name="Chi bộ Trường Mầm non")
    MemberFactory.create_batch(2, unit=small)
    response = page(client_for(commune_staff_a), tree.commune_a)
    warning = response.content.decode().split("alert alert-warning small")[1].split("</div>")[0]
    assert "Chi bộ Trường Mầm non" in warning


def test_commune_figures_show_the_villages_covered_by_a_combined_cell(
    tree, commune_staff_a, client_for
):
    for name in ("Bản Mển", "Bản Phì Cao", "Bản Hát Chua"):
        VillageFactory(commune=tree.commune_a, name=name, cell=tree.cell_a1)
    html = page(client_for(commune_staff_a), tree.commune_a).content.decode()
    card = html.split("figure-label")[-2:]  # the combined cells card, then the white villages
    assert re.search(r"\b3\b", card[0].split("</div></div>")[0])
