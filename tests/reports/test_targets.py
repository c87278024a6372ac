"""Resolutions and their targets: entered by the issuing committee's staff, shown on the
dashboard with the progress made and whether the pace reaches them."""

import re
from datetime import date

import pytest
from django.urls import reverse

from meetings.models import MonthlyRollup
from reports.models import Resolution, Target, TargetKind
from reports.selectors import target_progress
from tests.factories import VillageFactory, bulk_members

PACE_DAY = date(2025, 9, 30)


@pytest.fixture
def resolution(tree, district_admin):
    return Resolution.objects.create(
        number="03-NQ/HU",
        issuer=tree.district,
        title="Nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng",
        start_year=2021,
        end_year=2025,
    )


def _status(response, kind: str) -> str:
    row = re.search(rf'data-target="{kind}">(.*?)</tr>', response.content.decode(), re.S)
    return re.search(r'data-status="(\w+)"', row.group(1)).group(1) if row else ""


def _row(response, kind: str) -> str:
    return re.search(rf'data-target="{kind}">(.*?)</tr>', response.content.decode(), re.S).group(1)


def _dashboard(client, unit, day: date):
    return client.get(reverse("report_dashboard", args=[unit.pk]) + f"?as_of={day:%d/%m/%Y}")


# --- Pace -------------------------------------------------------------------------------------


def test_250_admissions_target_with_180_admitted_by_30_september_is_behind_pace(
    tree, resolution, viewer, client_for
):
    Target.objects.create(
        resolution=resolution, unit=tree.district, year=2025, kind="admissions", value=250
    )
    bulk_members(
        cells=[tree.cell_a1, tree.cell_a2, tree.cell_b1],
        per_cell=60,
        birth_date=date(1998, 2, 1),
        admitted_on=date(2025, 3, 1),
        probationary=True,
    )

    response = _dashboard(client_for(viewer), tree.district, PACE_DAY)

    assert re.search(r'data-figure="admissions">180<', response.content.decode())
    assert _status(response, "admissions") == "behind"


def test_pace_is_the_year_to_date_figure_carried_to_the_years_end():
    target = Target(kind=TargetKind.ADMISSIONS, value=250, year=2025)

    behind = target_progress(target, year=2025, day=PACE_DAY, figures={"admissions": 180})
    on_pace = target_progress(target, year=2025, day=PACE_DAY, figures={"admissions": 200})

    assert (behind.on_pace, round(behind.projected)) == (False, 241)
    assert (on_pace.on_pace, round(on_pace.projected)) == (True, 267)


def test_a_whole_period_target_applies_to_each_year_and_a_years_own_value_wins(
    tree, resolution, viewer, client_for
):
    Target.objects.create(
        resolution=resolution, unit=tree.district, kind="own_cell_villages", value=50
    )
    Target.objects.create(
        resolution=resolution, unit=tree.district, year=2024, kind="own_cell_villages", value=100
    )
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_a, cell=None)

    client = client_for(viewer)

    assert _status(_dashboard(client, tree.district, date(2025, 6, 1)), "own_cell_villages") == (
        "reached"
    )
    assert _status(_dashboard(client, tree.district, date(2024, 6, 1)), "own_cell_villages") == (
        "behind"
    )


def test_no_white_village_target_is_missed_while_a_village_has_no_member(
    tree, resolution, viewer, client_for
):
    Target.objects.create(
        resolution=resolution, unit=tree.district, kind="no_white_village", value=0
    )
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)

    response = _dashboard(client_for(viewer), tree.district, date(2025, 6, 1))

    assert _status(response, "no_white_village") == "behind"


def _rollups(cells, months, **counts):
    MonthlyRollup.objects.bulk_create(
        MonthlyRollup(unit=cell, month=month, meetings=1, **counts)
        for cell in cells
        for month in months
    )


@pytest.fixture
def monthly_target(tree, resolution):
    """100% of cells meeting every month by the end of 03-NQ/HU (2021-2025); in 2020 each of
    the three cells met in 6 months of January to November (55%)."""
    Target.objects.create(
        resolution=resolution, unit=tree.district, kind="monthly_meetings", value=100
    )
    cells = [tree.cell_a1, tree.cell_a2, tree.cell_b1]
    _rollups(cells, [date(2020, m, 1) for m in range(1, 7)], regular=1)
    return cells


def test_a_whole_period_target_rising_fast_enough_is_on_pace_before_the_periods_end(
    tree, monthly_target, viewer, client_for
):
    # January to April 2023 met, May not: 80% on 15/06/2023, up from 55% at the start.
    _rollups(monthly_target, [date(2023, m, 1) for m in range(1, 5)], regular=1)

    response = _dashboard(client_for(viewer), tree.district, date(2023, 6, 15))

    assert _status(response, "monthly_meetings") == "on_pace"
    assert "31/12/2025" in _row(response, "monthly_meetings")


def test_a_whole_period_target_falling_behind_its_trend_is_behind_pace(
    tree, monthly_target, viewer, client_for
):
    _rollups(monthly_target, [date(2023, m, 1) for m in range(1, 3)], regular=1)  # 40%

    response = _dashboard(client_for(viewer), tree.district, date(2023, 6, 15))

    assert _status(response, "monthly_meetings") == "behind"


def test_thematic_meetings_are_judged_against_the_quarters_pace(
    tree, resolution, viewer, client_for
):
    Target.objects.create(resolution=resolution, unit=tree.district, kind="thematic", value=1)
    # By 15/08/2025, half of the third quarter gone, two of the three cells held one.
    _rollups([tree.cell_a1, tree.cell_a2], [date(2025, 7, 1)], thematic=1)

    response = _dashboard(client_for(viewer), tree.district, date(2025, 8, 15))

    assert _status(response, "thematic") == "on_pace"


def test_a_level_is_carried_on_its_trend_to_the_end_of_the_period():
    resolution = Resolution(number="03-NQ/HU", start_year=2021, end_year=2025)
    target = Target(resolution=resolution, kind=TargetKind.OWN_CELL_VILLAGES, value=100)
    earlier = {TargetKind.OWN_CELL_VILLAGES: (date(2020, 12, 31), 50.0)}

    progress = target_progress(
        target,
        year=2023,
        day=date(2023, 6, 30),
        figures={TargetKind.OWN_CELL_VILLAGES: 70.0},
        earlier=earlier,
    )

    # 20 points in 911 days, 915 days to go: 90 on 31/12/2025.
    assert (progress.due_on, round(progress.projected), progress.status) == (
        date(2025, 12, 31),
        90,
        "behind",
    )


# --- Entering resolutions and targets ------------------------------------------------------


def test_district_admin_records_a_resolution_with_its_author(tree, district_admin, client_for):
    response = client_for(district_admin).post(
        reverse("resolution_create", args=[tree.district.pk]),
        {"number": "03-NQ/HU", "title": "Về công tác phát triển đảng viên", "start_year": 2016,
         "end_year": 2020, "adopted_on": "15/03/2016"},
    )  # fmt: skip

    resolution = Resolution.objects.get(number="03-NQ/HU")
    assert response.url == resolution.get_absolute_url()
    assert resolution.history.get().history_user == district_admin


def test_resolution_whose_period_ends_before_it_starts_is_refused(tree, district_admin, client_for):
    response = client_for(district_admin).post(
        reverse("resolution_create", args=[tree.district.pk]),
        {"number": "05-NQ/HU", "title": "Nghị quyết", "start_year": 2025, "end_year": 2021},
    )

    assert response.status_code == 200
    assert not Resolution.objects.exists()


def test_district_admin_sets_a_target_for_a_commune(tree, resolution, district_admin, client_for):
    response = client_for(district_admin).post(
        reverse("target_create", args=[resolution.pk]),
        {"unit": tree.commune_a.pk, "kind": "admissions", "year": 2024, "value": "12"},
    )

    target = Target.objects.get()
    assert response.url == resolution.get_absolute_url()
    assert (target.unit, target.year, target.value) == (tree.commune_a, 2024, 12)


def test_target_outside_the_resolutions_period_is_refused(
    tree, resolution, district_admin, client_for
):
    response = client_for(district_admin).post(
        reverse("target_create", args=[resolution.pk]),
        {"unit": tree.district.pk, "kind": "admissions", "year": 2030, "value": "250"},
    )

    assert response.status_code == 200
    assert not Target.objects.exists()


def test_the_same_target_twice_is_refused(tree, resolution, district_admin, client_for):
    data = {"unit": tree.district.pk, "kind": "admissions", "year": 2024, "value": "250"}
    client = client_for(district_admin)
    client.post(reverse("target_create", args=[resolution.pk]), data)

    response = client.post(reverse("target_create", args=[resolution.pk]), data)

    assert response.status_code == 200
    assert Target.objects.count() == 1


def test_commune_resolution_cannot_set_a_target_for_another_commune(
    tree, commune_staff_a, client_for
):
    own = Resolution.objects.create(
        number="01-NQ/ĐU", issuer=tree.commune_a, title="Nghị quyết", start_year=2021, end_year=2025
    )

    client_for(commune_staff_a).post(
        reverse("target_create", args=[own.pk]),
        {"unit": tree.commune_b.pk, "kind": "admissions", "year": 2024, "value": "5"},
    )

    assert not Target.objects.exists()


def test_removing_a_target_takes_a_post(tree, resolution, district_admin, client_for):
    target = Target.objects.create(
        resolution=resolution, unit=tree.district, year=2024, kind="admissions", value=250
    )
    client = client_for(district_admin)
    url = reverse("target_delete", args=[target.pk])

    assert client.get(url).status_code == 405
    client.post(url)
    assert not Target.objects.exists()


def test_read_only_leader_reads_targets_but_cannot_enter_them(tree, resolution, viewer, client_for):
    client = client_for(viewer)

    assert client.get(reverse("resolution_detail", args=[resolution.pk])).status_code == 200
    assert client.get(reverse("target_create", args=[resolution.pk])).status_code == 403


def test_commune_staff_cannot_see_the_district_resolution(
    tree, resolution, commune_staff_a, client_for
):
    client = client_for(commune_staff_a)

    assert client.get(reverse("resolution_detail", args=[resolution.pk])).status_code == 404
    assert client.get(reverse("resolution_list", args=[tree.district.pk])).status_code == 404


def test_shortening_the_period_past_a_targets_year_is_refused(
    tree, resolution, district_admin, client_for
):
    Target.objects.create(
        resolution=resolution, unit=tree.district, year=2025, kind="admissions", value=250
    )

    client_for(district_admin).post(
        reverse("resolution_edit", args=[resolution.pk]),
        {"number": "03-NQ/HU", "title": resolution.title, "start_year": 2021, "end_year": 2024},
    )

    resolution.refresh_from_db()
    assert resolution.end_year == 2025


def test_a_district_abolished_in_2025_still_gets_targets_for_its_communes_of_the_time(
    tree, superuser_admin, client_for
):
    from units.reorganisation import reorg_reform_2025

    reorg_reform_2025(
        district=tree.district,
        on=date(2025, 7, 1),
        decision_number="2215-QĐ/TU",
        by=superuser_admin,
    )
    old = Resolution.objects.create(
        number="03-NQ/HU", issuer=tree.district, title="Nghị quyết", start_year=2016, end_year=2020
    )

    client_for(superuser_admin).post(
        reverse("target_create", args=[old.pk]),
        {"unit": tree.commune_a.pk, "kind": "admissions", "year": 2019, "value": "10"},
    )

    assert Target.objects.get().unit == tree.commune_a
