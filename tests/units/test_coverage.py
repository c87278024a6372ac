"""Which cell covers each village, on any date: the coverage is dated like the tree.

Commune A of the shared tree (conftest) has three villages covered by cell A1, a combined cell;
on 01/03/2024 A1 is split, Bản Phì Cao and Bản Hát Chua getting cells of their own:

Đảng bộ xã Mường Mươn (A)   Bản Mển, Bản Phì Cao, Bản Hát Chua → A1 (to 29/02/2024)
                            Bản Mển → A1, Bản Phì Cao → its cell, Bản Hát Chua → its cell
Đảng bộ xã Sa Lông (B)      Bản Nậm Chua → B1
"""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MemberFactory, VillageFactory
from units.concurrency import edit_token
from units.models import Unit, Village, VillageCoverage
from units.reorganisation import reorg_split
from units.selectors import unit_node, village_coverage, villages_on
from units.services import BEGINNING, village_create, village_update

SPLIT_ON = date(2024, 3, 1)
BEFORE = SPLIT_ON - timedelta(days=1)


@pytest.fixture
def v(tree, superuser_admin):
    a = tree.commune_a
    men = VillageFactory(commune=a, name="Bản Mển", cell=tree.cell_a1)
    phi_cao = VillageFactory(commune=a, name="Bản Phì Cao", cell=tree.cell_a1)
    hat_chua = VillageFactory(commune=a, name="Bản Hát Chua", cell=tree.cell_a1)
    nam_chua = VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua", cell=tree.cell_b1)
    for village in (men, phi_cao, hat_chua):
        MemberFactory(unit=tree.cell_a1, residence_village=village)
    reorg_split(
        cell=tree.cell_a1,
        parts=[("Chi bộ bản Phì Cao", [phi_cao]), ("Chi bộ bản Hát Chua", [hat_chua])],
        on=SPLIT_ON,
        decision_number="12-QĐ/ĐU",
        by=superuser_admin,
    )
    return SimpleNamespace(
        **vars(tree), men=men, phi_cao=phi_cao, hat_chua=hat_chua, nam_chua=nam_chua
    )


def figures(v, user, day=None):
    return unit_node(user=user, unit=Unit.objects.get(pk=v.commune_a.pk), as_of=day).figures


def test_the_day_before_the_split_the_combined_cell_covers_three_villages(v, superuser_admin):
    villages = village_coverage(commune=v.commune_a, as_of=BEFORE)
    assert {x.name: x.cell.name for x in villages} == {
        "Bản Mển": "Chi bộ bản Mển",
        "Bản Phì Cao": "Chi bộ bản Mển",
        "Bản Hát Chua": "Chi bộ bản Mển",
    }
    assert {x.coverage for x in villages} == {"combined"}


def test_the_communes_own_cell_ratio_is_lower_before_the_split(v, superuser_admin):
    before, after = figures(v, superuser_admin, BEFORE), figures(v, superuser_admin, SPLIT_ON)
    assert (before.villages_own_cell, before.villages_combined_cell, before.own_cell_ratio) == (
        0,
        3,
        0,
    )
    assert (after.villages_own_cell, after.own_cell_ratio) == (3, 100)


def test_the_combined_cell_counts_three_villages_before_the_split(v, superuser_admin):
    node = unit_node(user=superuser_admin, unit=v.cell_a1, as_of=BEFORE)
    assert (node.figures.covered_villages, node.figures.combined_cells) == (3, 1)


def test_commune_page_as_of_before_the_split_shows_the_combined_cell(
    v, commune_staff_a, client_for
):
    url = reverse("unit_detail", args=[v.commune_a.pk])
    page = client_for(commune_staff_a).get(url, {"as_of": BEFORE.strftime("%d/%m/%Y")})
    covering = re.findall(r"<td>Bản [^<]+</td>\s*<td><a [^>]*>([^<]+)</a>", page.content.decode())
    assert covering == ["Chi bộ bản Mển"] * 3


def test_changing_a_villages_cell_keeps_the_former_cell_for_earlier_dates(v, superuser_admin):
    village_update(village=v.men, by=superuser_admin, cell=v.cell_a2, effective_on=date(2024, 6, 1))
    before = village_coverage(commune=v.commune_a, as_of=date(2024, 5, 31))
    after = village_coverage(commune=v.commune_a)
    assert next(x for x in before if x.name == "Bản Mển").cell_id == v.cell_a1.pk
    assert next(x for x in after if x.name == "Bản Mển").cell_id == v.cell_a2.pk


def test_a_village_cell_change_dated_before_a_later_one_is_refused(v, superuser_admin):
    with pytest.raises(Exception):  # noqa: B017 — a ValidationError on the date field
        village_update(village=v.phi_cao, by=superuser_admin, cell=None, effective_on=BEFORE)
    assert Village.objects.get(pk=v.phi_cao.pk).cell.name == "Chi bộ bản Phì Cao"


def test_a_new_village_is_covered_by_its_cell_from_the_cells_founding(tree, superuser_admin):
    village = village_create(
        commune=tree.commune_a, by=superuser_admin, name="Bản Co Đứa", cell=tree.cell_a2
    )
    periods = list(
        VillageCoverage.objects.filter(village=village).values_list("cell_id", "valid_from")
    )
    assert periods == [(None, BEGINNING), (tree.cell_a2.pk, tree.cell_a2.founded_on)]


# The selector the reports call


def test_villages_on_a_day_give_the_cell_of_that_day(v):
    paths = [v.district.path]
    before = {x.name: x.cell_id for x in villages_on(BEFORE, paths)}
    today = {x.name: x.cell_id for x in villages_on(None, paths)}
    assert before["Bản Hát Chua"] == v.cell_a1.pk
    assert today["Bản Hát Chua"] == Unit.objects.get(name="Chi bộ bản Hát Chua").pk


def test_villages_on_a_day_give_each_villages_commune(v):
    found = {x.name: x.commune_id for x in villages_on(BEFORE, [v.commune_b.path])}
    assert found == {"Bản Nậm Chua": v.commune_b.pk}


def test_villages_on_a_day_take_one_query_however_many(v):
    VillageFactory.create_batch(20, commune=v.commune_b)
    with CaptureQueriesContext(connection) as ctx:
        found = villages_on(BEFORE, [v.province.path])
    assert (len(found), len(ctx.captured_queries)) == (24, 1)


# Villages recorded before coverage was dated


def test_the_migration_gives_existing_villages_their_coverage(tree):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("units.migrations.0006_coverage_for_existing_villages")
    village = Village.objects.create(commune=tree.commune_a, name="Bản Cũ", cell=tree.cell_a1)
    migration.forwards(apps, None)
    current = VillageCoverage.objects.on(date.today()).get(village=village)
    assert (current.commune_id, current.cell_id) == (tree.commune_a.pk, tree.cell_a1.pk)


def test_editing_a_villages_cell_from_its_page_is_dated(v, commune_staff_a, client_for):
    client = client_for(commune_staff_a)
    client.post(
        reverse("village_edit", args=[v.men.pk]),
        {
            "name": "Bản Mển",
            "kind": "hamlet",
            "cell": v.cell_a2.pk,
            "effective_on": "01/06/2024",
            "edit_token": edit_token(v.men),
        },  # fmt: skip
    )
    before = village_coverage(commune=v.commune_a, as_of=date(2024, 5, 31))
    assert Village.objects.get(pk=v.men.pk).cell_id == v.cell_a2.pk
    assert next(x for x in before if x.name == "Bản Mển").cell_id == v.cell_a1.pk
