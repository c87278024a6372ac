"""The demo after the seed's date: members recognised, admitted since the 2025 reform with valid
candidacies, candidates in the pipeline today, and resolution targets on the dashboard."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from members.admissions import annotate
from members.choices import EventKind, MemberStatus
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import RECOGNITION_NOTICE_DAYS, admission_findings, sponsor_is_full_member
from members.selectors import probation_due
from units.demo.data import PROVINCE_CODE
from units.demo.later import REFORM_ON
from units.models import Unit, UnitKind


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo without meetings, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


@pytest.fixture
def province(demo, db):
    return Unit.objects.get(code=PROVINCE_CODE)


def test_nobody_is_overdue_for_recognition_beyond_the_notice_period(province):
    due = probation_due(
        user=User.objects.get(username="quantri"), unit=province, today=date.today()
    )

    assert all(m.days_late <= RECOGNITION_NOTICE_DAYS for m in due["overdue"])
    assert not Member.objects.filter(
        status=MemberStatus.PROBATIONARY, admitted_on__lt=REFORM_ON
    ).exists()


def test_probationary_members_of_2020_are_full_members_with_a_district_decision(province):
    recognised = MembershipEvent.objects.filter(
        kind=EventKind.RECOGNISED,
        member__admitted_on__gt=date(2019, 10, 26),
        member__admitted_on__lt=date(2020, 10, 26),
    )

    assert recognised.filter(on__gt=date(2020, 10, 26)).count() >= 100
    assert all(n.endswith("-QĐ/HU") for n in recognised.values_list("decision_number", flat=True))


def test_members_were_admitted_in_the_last_twelve_months(province):
    admitted = MembershipEvent.objects.filter(
        kind=EventKind.ADMITTED, on__gt=date.today() - timedelta(days=365)
    )

    assert admitted.count() > 100
    assert all(e.decision_number.endswith("-QĐ/ĐU") for e in admitted)


def test_every_admitted_demo_candidate_passes_the_admission_rules(province):
    admitted = list(Candidate.objects.filter(member__isnull=False).select_related("member"))
    broken = []
    for candidate in admitted:
        candidate.member_id = None  # judged as on the day of admission, sponsors included
        broken += [
            (candidate.full_name, str(f)) for f in admission_findings(candidate, today=date.today())
        ]

    assert len(admitted) > 100
    assert broken == []


def test_admitted_members_are_placed_in_their_cell_from_the_decision(province):
    candidates = Candidate.objects.filter(member__isnull=False).select_related("member")
    placed = set(
        Placement.objects.filter(valid_to=None).values_list("member_id", "unit_id", "valid_from")
    )

    assert all((c.member_id, c.unit_id, c.decision_on) in placed for c in candidates)
    assert all(c.member.ceremony_on == c.ceremony_on > c.decision_on for c in candidates)


def test_each_commune_has_candidates_in_the_pipeline_sponsored_from_their_cell(province):
    today = date.today()
    communes = Unit.objects.subtree(province.path).filter(kind=UnitKind.COMMUNE)
    pending = Candidate.objects.filter(member=None).select_related("sponsor_1", "sponsor_2")
    sponsors = [
        sponsor_is_full_member(s, c.unit_id, c.cell_resolution_on or today)
        for c in pending
        for s in (c.sponsor_1, c.sponsor_2)
        if s is not None
    ]

    assert {c.unit.parent_id for c in pending.select_related("unit")} == {u.pk for u in communes}
    assert sponsors and all(sponsors)


def test_pipeline_records_break_no_rule_and_some_deadlines_are_flagged(province):
    today = date.today()
    pending = [annotate(c, today) for c in Candidate.objects.filter(member=None)]

    assert not [f for c in pending for f in c.broken if f.recorded]
    assert sum(bool(c.broken or c.near) for c in pending) >= 5


def test_dashboard_of_the_province_shows_the_2025_2030_targets(province, client):
    client.force_login(User.objects.get(username="lanhdao"))

    html = client.get(reverse("report_dashboard", args=[province.pk])).content.decode()

    assert "05-NQ/TU" in html
    assert 'data-target="admissions"' in html and 'data-target="own_cell_villages"' in html


def test_admissions_board_of_pa_tan_lists_candidates(province, client):
    client.force_login(User.objects.get(username="xa_patan"))
    pa_tan = Unit.objects.get(name="Đảng bộ xã Pa Tần")
    names = Candidate.objects.filter(unit__parent=pa_tan, member=None).values_list(
        "full_name", flat=True
    )

    text = _text(client.get(reverse("admission_board", args=[pa_tan.pk])))

    assert names and all(name in text for name in names)


def test_figures_of_26_10_2020_are_those_of_the_seed(province, client):
    client.force_login(User.objects.get(username="huyen_admin"))
    district = Unit.objects.get(kind=UnitKind.DISTRICT)

    text = _text(client.get(f"/units/{district.pk}/?as_of=26/10/2020"))

    assert "310 chi bộ trực thuộc" in text and "3.882 Đảng viên" in text


def test_the_two_weak_cells_still_have_fewer_than_3_full_members_today(province, client):
    client.force_login(User.objects.get(username="huyen_admin"))

    text = _text(client.get("/"))

    assert "2 chi bộ có dưới 3 đảng viên chính thức" in text
