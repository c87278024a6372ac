"""The leaders' dashboard: drill-down, figures as of any date, meetings from rollups, scope, and
a fixed number of queries whatever the size of the tree (the seed district's figures:
test_demo_figures.py)."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from meetings.models import AttendanceStatus
from members.choices import EventKind
from members.services import member_transfer
from tests.accounts.factories import warm
from tests.factories import (
    MemberFactory,
    UnitFactory,
    VillageFactory,
    bulk_members,
    bulk_tree,
    bulk_units,
    persona,
)
from tests.meetings.factories import log_meeting, members_in
from tests.reports.trees import event
from units.models import Role, Unit, UnitKind
from units.reorganisation import reorg_move

HANDOVER = date(2019, 12, 31)
BEFORE = date(2019, 12, 30)
AFTER = date(2020, 1, 1)


def figures(response) -> dict:
    """The figures the dashboard shows, by their data-figure name (first occurrence)."""
    found = {}
    for name, value in re.findall(r'data-figure="(\w+)">([^<]*)<', response.content.decode()):
        found.setdefault(name, value.strip())
    return found


def dashboard(client, unit, as_of: date | None = None):
    url = reverse("report_dashboard", args=[unit.pk])
    return client.get(url + (f"?as_of={as_of:%d/%m/%Y}" if as_of else ""))


# --- As of any date: a commune moves on 31/12/2019, members transfer --------------------------


@pytest.fixture
def handover(db, superuser_admin):
    """Seed 002: a commune of district D1 passes to D2 on 31/12/2019; on the same day a member
    of another D1 commune transfers to a D2 cell, and a D1 member is admitted on 01/01/2020.

    D1: commune C (2 cells × 3 members) and commune K (1 cell × 4 members); D2: commune E (1 cell
    × 2 members). As of 30/12/2019: D1 has 2 communes, 3 cells, 10 members; D2 1, 1, 2.
    As of 01/01/2020: D1 has 1 commune, 1 cell, 4 members (3 + the admission); D2 2, 3, 9.
    """
    province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    d1 = UnitFactory(parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Điện Biên")
    d2 = UnitFactory(
        parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    (commune_c,) = bulk_units(
        parent=d1, kind=UnitKind.COMMUNE, count=1, names=["Đảng bộ xã Thanh Minh"]
    )
    (commune_k,) = bulk_units(parent=d1, kind=UnitKind.COMMUNE, count=1, names=["Đảng bộ xã Na Ư"])
    (commune_e,) = bulk_units(
        parent=d2, kind=UnitKind.COMMUNE, count=1, names=["Đảng bộ phường Him Lam"]
    )
    c_cells = bulk_units(parent=commune_c, kind=UnitKind.SUB_CELL, count=2)
    k_cells = bulk_units(parent=commune_k, kind=UnitKind.SUB_CELL, count=1)
    e_cells = bulk_units(parent=commune_e, kind=UnitKind.SUB_CELL, count=1)
    long_ago = {"birth_date": date(1975, 4, 2), "admitted_on": date(2005, 5, 19)}
    bulk_members(cells=c_cells, per_cell=3, **long_ago)
    (mover, *_rest) = bulk_members(cells=k_cells, per_cell=4, **long_ago)
    bulk_members(cells=e_cells, per_cell=2, **long_ago)
    reorg_move(
        unit=Unit.objects.get(pk=commune_c.pk),
        new_parent=d2,
        on=HANDOVER,
        decision_number="1208-QĐ/TU",
        by=superuser_admin,
    )
    member_transfer(member=mover, to_unit=e_cells[0], on=HANDOVER, by=superuser_admin)
    MemberFactory(
        unit=k_cells[0], birth_date=date(1999, 1, 5), admitted_on=AFTER, probationary=True
    )
    return SimpleNamespace(d1=d1, d2=d2, commune_c=commune_c, user=superuser_admin)


def _key_figures(client, unit, day):
    shown = figures(dashboard(client, unit, day))
    return (shown["communes"], shown["sub_cells"], shown["members"], shown["new"])


def test_figures_as_of_the_day_before_the_handover_are_the_old_districts(handover, client_for):
    client = client_for(handover.user)

    assert _key_figures(client, handover.d1, BEFORE) == ("2", "3", "10", "0")
    assert _key_figures(client, handover.d2, BEFORE) == ("1", "1", "2", "0")


def test_figures_as_of_the_day_after_the_handover_follow_the_commune_and_the_transfer(
    handover, client_for
):
    client = client_for(handover.user)

    assert _key_figures(client, handover.d1, AFTER) == ("1", "1", "4", "1")
    assert _key_figures(client, handover.d2, AFTER) == ("2", "3", "9", "0")


def test_moved_commune_is_in_the_drill_down_of_the_district_it_stood_under(handover, client_for):
    client = client_for(handover.user)
    link = reverse("report_dashboard", args=[handover.commune_c.pk])

    before = dashboard(client, handover.d1, BEFORE).content.decode()
    after = dashboard(client, handover.d1, AFTER).content.decode()

    assert link in before and link not in after


def test_same_period_last_year_is_shown_beside_the_members(handover, client_for):
    shown = figures(dashboard(client_for(handover.user), handover.d2, date(2020, 12, 30)))

    assert (shown["members"], shown["members_last_year"]) == ("9", "2")


def test_a_unit_that_did_not_exist_yet_has_no_figures(tree, district_admin, client_for):
    commune = UnitFactory(parent=tree.district, kind=UnitKind.COMMUNE, founded_on=date(2021, 1, 1))

    response = dashboard(client_for(district_admin), commune, date(2020, 6, 1))

    assert 'id="not-yet"' in response.content.decode()
    assert "members" not in figures(response)


# --- Panels ----------------------------------------------------------------------------------


@pytest.fixture
def commune_a(tree):
    """Commune A: A1 with 3 full members living in its own village, A2 with 2 members (under
    strength); a second village with nobody living there; one member left in 2026."""
    own = VillageFactory(commune=tree.commune_a, name="Bản Mển", cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_a, name="Bản Co Đứa", cell=None)
    members_in(tree.cell_a1, 3, residence_village=own, birth_date=date(1980, 1, 1))
    members_in(tree.cell_a2, 2, birth_date=date(1960, 1, 1))
    died = MemberFactory(
        unit=tree.cell_a2,
        admitted_on=date(2000, 5, 19),
        status="deceased",
        left_on=date(2026, 2, 3),
    )
    event(died, EventKind.DIED, date(2026, 2, 3))
    return tree


def test_commune_dashboard_shows_villages_small_cells_and_who_left(
    commune_a, district_admin, client_for
):
    shown = figures(dashboard(client_for(district_admin), commune_a.commune_a, date(2026, 3, 1)))

    assert (shown["villages"], shown["white_villages"], shown["small_cells"]) == ("2", "1", "1")
    assert (shown["members"], shown["left"], shown["left_deceased"]) == ("5", "1", "1")


def test_meetings_panel_counts_cells_that_met_this_month_from_stored_counts(
    commune_a, secretary_a, district_admin, client_for
):
    cell_members = list(commune_a.cell_a1.members.all())
    with time_machine.travel(date(2026, 3, 20)):
        log_meeting(commune_a.cell_a1, secretary_a, date(2026, 2, 12))
        log_meeting(
            commune_a.cell_a1,
            secretary_a,
            date(2026, 3, 12),
            absent={cell_members[0]: AttendanceStatus.UNEXCUSED},
        )
        shown = figures(dashboard(client_for(district_admin), commune_a.commune_a))

    assert (shown["met_this_month"], shown["met_last_month"]) == ("1/2", "1/2")
    assert shown["quality"] == "1/2 (50%)"


def test_lagging_cells_link_to_their_meetings(commune_a, district_admin, client_for):
    with time_machine.travel(date(2026, 3, 20)):
        response = dashboard(client_for(district_admin), commune_a.commune_a)

    lagging = response.content.decode().split('id="lagging"')[1].split("</details>")[0]
    assert reverse("meeting_list", args=[commune_a.cell_a2.pk]) in lagging


def test_pipeline_counts_candidates_by_the_stage_reached_on_the_day(
    commune_a, district_admin, client_for
):
    from tests.factories import CandidateFactory

    CandidateFactory(
        unit=commune_a.cell_a1, awareness_class_on=date(2025, 5, 1), application_on=None
    )
    CandidateFactory(
        unit=commune_a.cell_a1,
        awareness_class_on=date(2025, 5, 1),
        application_on=date(2025, 9, 1),
        cell_resolution_on=date(2026, 4, 1),
    )

    shown = figures(dashboard(client_for(district_admin), commune_a.commune_a, date(2026, 3, 1)))

    assert (shown["stage_class"], shown["stage_applied"], shown["stage_cell"]) == ("1", "1", "0")


# --- Scope -----------------------------------------------------------------------------------


@pytest.fixture
def viewer_a(tree):
    return persona(tree.commune_a, Role.VIEWER, "Lò Văn Xôm", "xom.lv")


def test_viewer_of_one_commune_cannot_open_another_communes_dashboard(tree, viewer_a, client_for):
    client = client_for(viewer_a)

    assert dashboard(client, tree.commune_b).status_code == 404
    assert dashboard(client, tree.district).status_code == 404


def test_viewer_of_one_commune_sees_only_its_own_figures(tree, viewer_a, client_for):
    MemberFactory(unit=tree.cell_b1, full_name="Vàng A Chứ")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")

    response = dashboard(client_for(viewer_a), tree.commune_a)

    assert figures(response)["members"] == "1"
    assert "Sa Lông" not in response.content.decode()


def test_dashboard_home_opens_the_users_own_unit(tree, viewer_a, client_for):
    response = client_for(viewer_a).get(reverse("report_home"))

    assert response.url == reverse("report_dashboard", args=[tree.commune_a.pk])


def test_dashboard_refuses_other_methods(tree, viewer_a, client_for):
    response = client_for(viewer_a).post(reverse("report_dashboard", args=[tree.commune_a.pk]))

    assert response.status_code == 405


def test_home_links_leaders_to_their_dashboard(tree, viewer, client_for):
    response = client_for(viewer).get(reverse("home"))

    assert reverse("report_dashboard", args=[tree.district.pk]) in response.content.decode()


# --- Queries ---------------------------------------------------------------------------------

# Exact, computed (not kept: reports.kept), on a warm client (the session, the user and the
# two-factor device are read from the cache): the scope, the unit, and the dashboard's own
# queries: the data generation, versions (2), targets, placements, exit events, villages,
# rollups, meetings, candidates, probation, the removal rule's monthly absences and the alerted
# members (DESIGN.md: at most 20 for a province).
PINNED = {"province": 15, "district": 15, "commune_a": 15}


def _grow(tree):
    """A province-sized district: 20 more communes of 15 cells, 10 members a cell."""
    big = bulk_tree(parent=tree.district, communes=20, cells_per_commune=15, members_per_cell=10)
    bulk_members(cells=[tree.cell_a1], per_cell=60)
    return big


@pytest.fixture
def small(tree, secretary_a):
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        village = VillageFactory(commune=cell.parent, cell=cell)
        members_in(cell, 3, residence_village=village)
    log_meeting(tree.cell_a1, secretary_a, date(2026, 1, 10))
    return tree


@pytest.mark.parametrize("unit", PINNED)
def test_dashboard_takes_the_same_queries_on_a_small_and_a_big_tree(
    unit, small, district_admin, superuser_admin, client_for, django_assert_num_queries
):
    client = warm(client_for(superuser_admin if unit == "province" else district_admin))
    url = reverse("report_dashboard", args=[getattr(small, unit).pk])
    with django_assert_num_queries(PINNED[unit]):
        assert client.get(url).status_code == 200
    _grow(small)
    with django_assert_num_queries(PINNED[unit]):
        assert client.get(url).status_code == 200
    assert Unit.objects.count() > 300
