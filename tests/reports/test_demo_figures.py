"""The demo district on the dashboard and in the organisations form: the seed article's figures
(Sìn Hồ, 26/10/2020), the split of Lùng Thàng's combined cell on 15/03/2021 seen either side of
it, and the agencies of Biểu 5 in their rows."""

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from tests.reports.test_dashboard import dashboard, figures
from units.models import Unit, UnitKind


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo without meetings, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


@pytest.fixture
def leader(loaded, db, client):
    client.force_login(User.objects.get(username="lanhdao"))
    return client


def test_demo_district_dashboard_shows_the_published_figures_and_drills_down_to_pa_tan(leader):
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    pa_tan = Unit.objects.get(name="Đảng bộ xã Pa Tần")

    response = dashboard(leader, district, date(2020, 10, 26))
    shown = figures(response)
    drill = reverse("report_dashboard", args=[pa_tan.pk]) + "?as_of=26/10/2020"
    pa_tan_shown = figures(leader.get(drill))

    assert (shown["grassroots"], shown["communes"], shown["sub_cells"], shown["members"]) == (
        "55",
        "22",
        "310",
        "3.882",
    )
    assert drill in response.content.decode()
    # Alerts of that day: probations ending in November 2020, cells of the district then.
    assert int(shown["probation_due_soon"]) > 0
    assert 'data-alert="missed"' in response.content.decode()
    assert (pa_tan_shown["sub_cells"], pa_tan_shown["members"], pa_tan_shown["small_cells"]) == (
        "18",
        "170",
        "0",
    )


@pytest.mark.parametrize(
    ("day", "own", "combined"),
    [(date(2021, 3, 14), "5 (56%)", "1"), (date(2021, 3, 15), "8 (89%)", "0")],
)
def test_lung_thang_has_its_villages_own_cells_from_the_day_of_the_split(
    leader, day, own, combined
):
    commune = Unit.objects.get(name="Đảng bộ xã Lùng Thàng")

    shown = figures(dashboard(leader, commune, day))

    assert (shown["villages"], shown["villages_own_cell"], shown["combined_cells"]) == (
        "9",
        own,
        combined,
    )


def test_form_5_puts_the_districts_party_and_front_agencies_in_row_4(leader):
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    response = leader.get(
        reverse("export_organisations", args=[district.pk]),
        {"start": "01/01/2020", "end": "26/10/2020"},
    )
    rows = {
        row[0]: row[1:7]
        for row in load_workbook(io.BytesIO(response.content))["Biểu 5"].iter_rows(values_only=True)
    }

    # The Party agencies' and the Front's committees, the political training centre's cell.
    assert rows["4. Cơ quan Đảng, MTTQ, đoàn thể CT-XH"][:5] == (3, 2, 1, 0, 7)
    assert rows["Cộng (1+….+11)"] == (55, 28, 27, 1, 310, 3882)
