"""The demo district reproduces the figures the seed article published (Sìn Hồ, 2020)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from members.choices import ACTIVE_STATUSES
from members.models import Member
from units.models import Unit, UnitKind
from units.services import subtree_paths_consistent


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def demo(db):
    call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


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


def test_full_demo_has_meetings_up_to_last_month_in_todays_cells(db):
    from datetime import date, timedelta

    from meetings.models import Meeting
    from meetings.services import recompute_rollups

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)

    assert Meeting.objects.filter(held_on__gte=last_month).count() > 250
    assert recompute_rollups(fix=False) == []
