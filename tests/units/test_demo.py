"""The demo district reproduces the figures the seed article published (Sìn Hồ, 2020)."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils.text import capfirst

from members.choices import ACTIVE_STATUSES, EventKind
from members.models import Member, MembershipEvent, Placement
from units.demo import AS_OF
from units.demo.build import TERM_2020, TERM_2025
from units.models import Officer, ReorgEvent, ReorgKind, Unit, UnitKind
from units.selectors import unit_node, village_coverage
from units.services import subtree_paths_consistent

SPLIT_ON = date(2021, 3, 15)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo without meetings, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return None


def test_district_page_as_of_the_seed_date_shows_the_published_figures_of_sin_ho(demo, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    district = Unit.objects.get(kind=UnitKind.DISTRICT)

    text = _text(client.get(f"/units/{district.pk}/?as_of=26/10/2020"))

    assert "55 tổ chức cơ sở đảng" in text
    assert "22 đảng bộ cấp xã" in text
    assert "310 chi bộ trực thuộc" in text and "3.882 Đảng viên" in text


def test_after_the_2025_reform_the_admin_home_is_the_province_with_the_split_cells(demo, client):
    client.force_login(User.objects.get(username="huyen_admin"))

    text = _text(client.get("/"))
    members_today = Member.objects.filter(status__in=ACTIVE_STATUSES).count()

    assert "Tỉnh ủy Lai Châu" in text and "55 tổ chức cơ sở đảng" in text
    assert "312 chi bộ trực thuộc" in text and f"{members_today:,}".replace(",", ".") in text


def test_demo_district_lists_its_reorganisations(demo, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    district = Unit.objects.get(kind=UnitKind.DISTRICT)

    text = _text(client.get(f"/units/{district.pk}/"))

    assert "2215-QĐ/TU" in text and "01/07/2025" in text


def test_pa_tan_commune_page_as_of_the_seed_date_shows_18_cells_and_170_members(demo, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    pa_tan = Unit.objects.get(name="Đảng bộ xã Pa Tần")

    text = _text(client.get(f"/units/{pa_tan.pk}/?as_of=26/10/2020"))

    assert "18 chi bộ trực thuộc" in text and "170 Đảng viên" in text
    assert "0 chi bộ có dưới 3 đảng viên chính thức" in text


def test_demo_secretary_sees_only_her_cell(demo, client):
    client.force_login(User.objects.get(username="bithu_longthang"))

    text = _text(client.get("/"))

    assert "Chi bộ bản Lồng Thàng" in text and "Pa Khóa" not in text
    assert subtree_paths_consistent()


# The split of 15/03/2021, seen before and after


@pytest.fixture
def lung_thang(demo):
    return Unit.objects.get(name="Đảng bộ xã Lùng Thàng")


def lung_thang_on(day):
    admin = User.objects.get(username="quantri")
    return unit_node(user=admin, unit=Unit.objects.get(name="Đảng bộ xã Lùng Thàng"), as_of=day)


def test_the_day_before_the_split_the_combined_cell_covers_three_villages(lung_thang):
    villages = village_coverage(commune=lung_thang, as_of=date(2021, 3, 14))
    combined = [v.name for v in villages if v.cell and v.cell.name.endswith("Sà Sì - Tủa Hồ")]
    assert combined == ["Bản Hồ Chu", "Bản Sà Sì", "Bản Tủa Hồ"]


def test_lung_thang_has_a_higher_own_cell_ratio_after_the_split(lung_thang):
    before = lung_thang_on(date(2021, 3, 14)).figures
    after = lung_thang_on(SPLIT_ON).figures
    assert (before.villages_own_cell, before.villages_combined_cell) == (5, 3)
    assert (after.villages_own_cell, after.villages_combined_cell) == (8, 0)


def test_lung_thang_page_as_of_before_the_split_shows_the_combined_cell(lung_thang, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    text = _text(client.get(f"/units/{lung_thang.pk}/?as_of=14/03/2021"))
    assert text.count("Chi bộ bản Hồ Chu - Sà Sì - Tủa Hồ") >= 3  # the cell of three villages
    assert "(56%)" in text


def test_lung_thang_page_lists_the_split_of_its_cell(lung_thang, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    text = _text(client.get(f"/units/{lung_thang.pk}/"))
    split = ReorgEvent.objects.get(kind=ReorgKind.SPLIT)
    assert f"15/03/2021 · {capfirst(split.get_kind_display())}" in text
    assert split.decision_number in text


# Cells founded later: their members came from another cell on the founding day


def test_no_member_is_placed_in_a_cell_before_it_was_founded(demo):
    early = Placement.objects.filter(unit__founded_on__gt=F("valid_from"))
    assert early.count() == 0


def test_police_members_admitted_before_their_cell_came_from_another_cell(demo):
    # The police cells were founded in 2019-2020; later moves between cells are staff postings.
    arrivals = MembershipEvent.objects.filter(
        kind=EventKind.TRANSFER_INTERNAL, to_unit__category="police", on__lte=AS_OF
    )
    assert arrivals.count() > 40
    assert all(e.on == e.to_unit.founded_on and e.from_unit_id for e in arrivals)


# Terms of office


def test_officers_of_the_2020_2025_term_left_office_on_30_june_2025(demo):
    ended = Officer.objects.filter(term__name=TERM_2020[0]).values_list("ends_on", flat=True)
    assert set(ended) == {TERM_2020[2]}


def test_todays_officers_are_those_of_the_2025_2030_term(demo):
    today = Officer.objects.on(date.today())
    assert today.count() > 300
    assert set(today.values_list("term__name", flat=True)) == {TERM_2025[0]}


def test_cell_page_shows_its_2025_secretary_and_the_former_one(demo, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    cell = Unit.objects.get(name="Chi bộ bản Lồng Thàng")
    secretary = Officer.objects.on(date.today()).get(unit=cell)
    former = Officer.objects.get(unit=cell, term__name=TERM_2020[0])
    text = _text(client.get(f"/units/{cell.pk}/"))
    assert f"{secretary.member.full_name} (2025-2030)" in text
    assert f"{former.member.full_name} (2020-2025) · 01/05/2020 – 30/06/2025" in text
