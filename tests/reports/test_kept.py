"""Dashboards kept rendered until the data changes (reports.kept), and the data generation that
says when it has (reports.generation): database triggers on every tracked table.

The tests that keep dashboards commit (transaction=True): on PostgreSQL the generation moves on
at commit, and a transaction that has written keeps nothing."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import generation, kept
from tests.concurrency.test_stale_saves import form_values
from tests.meetings.factories import log_meeting, members_in
from tests.reports.test_dashboard import dashboard, figures
from units.models import Unit

TODAY = date(2026, 3, 5)


def test_every_tracked_table_carries_the_trigger(db):
    tables = generation.tracked_tables()
    assert {"members_member", "meetings_attendance", "units_unit", "reports_target"} <= set(tables)
    assert not [t for t in tables if "historical" in t]
    assert set(tables) <= generation.installed_on()


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_generation_on_and_a_rolled_back_one_does_not(tree):
    before = generation.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Unit.objects.filter(pk=tree.cell_a1.pk).update(name="Chi bộ bản Mển mới")
        raise RuntimeError
    assert generation.current() == before
    Unit.objects.filter(pk=tree.cell_a1.pk).update(name="Chi bộ bản Mển mới")
    after = generation.current()
    assert after is not None and after[0] > before[0]
    with transaction.atomic():
        Unit.objects.filter(pk=tree.cell_a1.pk).update(name="Chi bộ bản Mển")
        if connection.vendor == "postgresql":
            # Its own uncommitted change: nothing read now may be kept.
            assert generation.current() is None
    assert generation.current()[0] > after[0]


def _body(response) -> str:
    """The page but its per-request token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


@pytest.fixture
def met(tree, secretary_a):
    members_in(tree.cell_a1, 4)
    members_in(tree.cell_a2, 3)
    return tree


def _time_machine():
    import time_machine

    return time_machine.travel(TODAY, tick=True)


@pytest.mark.django_db(transaction=True)
def test_a_dashboard_is_kept_until_the_data_changes(
    met, secretary_a, district_admin, client_for, django_assert_max_num_queries
):
    client = client_for(district_admin)
    with _time_machine():
        first = dashboard(client, met.commune_a)
        with django_assert_max_num_queries(9):  # kept: no figure is computed again
            again = dashboard(client, met.commune_a)
        assert _body(again) == _body(first)
        assert figures(again)["met_this_month"] == "0/2"
        log_meeting(met.cell_a1, secretary_a, date(2026, 3, 3))  # a write through the service
        after = dashboard(client, met.commune_a)
    assert figures(after)["met_this_month"] == "1/2"
    assert 'id="kept"' not in after.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_dashboard_kept_by_another_release_is_computed_again(
    met, district_admin, client_for, monkeypatch
):
    client = client_for(district_admin)
    with _time_machine():
        dashboard(client, met.commune_a)
        with CaptureQueriesContext(connection) as kept_queries:
            dashboard(client, met.commune_a)
        monkeypatch.setattr(kept, "release", lambda: "the next release")
        with CaptureQueriesContext(connection) as new_release:
            dashboard(client, met.commune_a)
    assert len(new_release) > len(kept_queries) + 5  # its figures computed again


def test_the_release_fingerprint_follows_the_templates(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    template = tmp_path / "templates" / "reports" / "body.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>{{ figure }}</p>")
    before = kept.release.__wrapped__()
    template.write_text('<p class="figure">{{ figure }}</p>')
    assert kept.release.__wrapped__() != before


@pytest.mark.django_db(transaction=True)
@override_settings(DASHBOARD_STALE_SECONDS=60, DASHBOARD_STALE_AFTER=0, DASHBOARD_REFRESH_SECONDS=0)
def test_a_large_dashboard_is_answered_as_it_was_while_the_new_one_is_computed(
    met, secretary_a, district_admin, client_for, monkeypatch
):
    later = []
    monkeypatch.setattr(kept, "start", later.append)  # the background thread, run by hand
    client = client_for(district_admin)
    with _time_machine():
        dashboard(client, met.commune_a)
        log_meeting(met.cell_a1, secretary_a, date(2026, 3, 3))
        stale = dashboard(client, met.commune_a)
        assert figures(stale)["met_this_month"] == "0/2"
        assert re.search(r"Số liệu tính lúc \d\d:\d\d:\d\d;", stale.content.decode())
        assert len(later) == 1
        assert figures(dashboard(client, met.commune_a))["met_this_month"] == "0/2"
        assert len(later) == 1  # one computation at a time
        later[0]()
        fresh = dashboard(client, met.commune_a)
    assert figures(fresh)["met_this_month"] == "1/2"
    assert 'id="kept"' not in fresh.content.decode()


@pytest.mark.django_db(transaction=True)
@override_settings(DASHBOARD_STALE_SECONDS=60, DASHBOARD_STALE_AFTER=0)
def test_who_has_just_written_sees_the_change_at_once(
    met, commune_staff_a, district_admin, client_for, monkeypatch
):
    monkeypatch.setattr(kept, "start", lambda work: None)
    staff = client_for(commune_staff_a)
    with _time_machine():
        dashboard(staff, met.commune_a)
        url = reverse("unit_edit", args=[met.cell_a2.pk])
        form = {**form_values(staff.get(url)), "name": "Chi bộ bản Huổi Mí Một"}
        assert staff.post(url, form).status_code == 302
        after = dashboard(staff, met.commune_a)
    assert "Chi bộ bản Huổi Mí Một" in after.content.decode()
    assert 'id="kept"' not in after.content.decode()


def test_viewers_of_different_scopes_never_share_a_dashboard(
    met, district_admin, commune_staff_a, client_for
):
    day = TODAY
    assert kept.key_for(district_admin, met.commune_a, day) != kept.key_for(
        commune_staff_a, met.commune_a, day
    )
    assert kept.key_for(district_admin, met.commune_a, day, True) != kept.key_for(
        district_admin, met.commune_a, day, False
    )


def test_long_alert_lists_name_the_first_ones_and_link_to_the_rest(
    met, district_admin, client_for, monkeypatch
):
    from reports import views

    monkeypatch.setattr(views, "DASHBOARD_LIST_LIMIT", 1)
    with _time_machine():
        page = dashboard(client_for(district_admin), met.district).content.decode()
    lagging = page[page.index('id="lagging"') :]
    lagging = lagging[: lagging.index("</details>")]
    assert "3 chi bộ" in lagging  # the three cells of the district, none of them meeting
    assert lagging.count("<li>") == 1
    assert "chỉ liệt kê 1 đầu tiên trong số 3" in lagging
    assert reverse("meeting_alerts", args=[met.district.pk]) in page


@pytest.mark.django_db(transaction=True)
@override_settings(
    DASHBOARD_STALE_SECONDS=60, DASHBOARD_STALE_AFTER=0, DASHBOARD_REFRESH_SECONDS=10
)
def test_under_steady_writes_a_dashboard_is_computed_every_few_seconds_not_continuously(
    met, secretary_a, district_admin, client_for, monkeypatch
):
    import time_machine

    later = []
    monkeypatch.setattr(kept, "start", later.append)
    client = client_for(district_admin)
    with time_machine.travel(datetime(2026, 3, 5, 9, 0), tick=False) as clock:
        dashboard(client, met.commune_a)
        log_meeting(met.cell_a1, secretary_a, date(2026, 3, 3))
        clock.shift(timedelta(seconds=5))
        assert 'id="kept"' in dashboard(client, met.commune_a).content.decode()
        assert later == []  # computed 5 seconds ago: not yet again
        clock.shift(timedelta(seconds=6))
        assert 'id="kept"' in dashboard(client, met.commune_a).content.decode()
        assert len(later) == 1
        clock.shift(timedelta(seconds=50))  # a minute old: no longer answered
        late = dashboard(client, met.commune_a)
    assert figures(late)["met_this_month"] == "1/2"
    assert 'id="kept"' not in late.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_meeting_board_is_kept_as_the_dashboards_are(
    met, secretary_a, district_admin, client_for, monkeypatch
):
    from meetings import selectors

    computed = []
    board = selectors.district_board
    monkeypatch.setattr(selectors, "district_board", lambda **kw: computed.append(1) or board(**kw))
    client = client_for(district_admin)
    url = reverse("meeting_board", args=[met.district.pk])
    with _time_machine():
        first = client.get(url)
        again = client.get(url)
        assert len(computed) == 1
        assert _body(again) == _body(first)
        log_meeting(met.cell_a1, secretary_a, date(2026, 3, 3))
        after = client.get(url)
    assert len(computed) == 2
    assert _body(after) != _body(first)
