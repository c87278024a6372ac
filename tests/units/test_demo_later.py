"""The demo after the seed's date: members recognised, the rolls moving every year (admissions
with valid candidacies, deaths, removals, transfers, exemptions, re-admissions), candidates in
the pipeline today, and resolution targets on the dashboard."""

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from members.admissions import annotate
from members.choices import ACTIVE_STATUSES, EXIT_STATUSES, EventKind, MemberStatus
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import RECOGNITION_NOTICE_DAYS, admission_findings, sponsor_is_full_member
from members.selectors import probation_due
from reports.selectors import dashboard
from reports.statistics import Period, membership_changes
from units.demo.data import AS_OF, PROVINCE_CODE
from units.demo.later import RECENT_GAP_DAYS, REFORM_ON
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
    placed = set(Placement.objects.values_list("member_id", "unit_id", "valid_from"))

    assert all((c.member_id, c.unit_id, c.decision_on) in placed for c in candidates)
    assert all(c.member.ceremony_on == c.ceremony_on > c.decision_on for c in candidates)


def test_admissions_since_the_seed_were_decided_by_the_district_then_by_the_communes(province):
    admitted = MembershipEvent.objects.filter(kind=EventKind.ADMITTED, on__gt=AS_OF)
    numbers = [(e.on, e.decision_number) for e in admitted]

    assert min(day for day, _n in numbers) < date(2021, 1, 1)
    assert all(n.endswith("-QĐ/HU") for day, n in numbers if day < REFORM_ON)
    assert all(n.endswith("-QĐ/ĐU") for day, n in numbers if day >= REFORM_ON)
    assert Candidate.objects.filter(member__admitted_on__lt=REFORM_ON).count() > 800


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


# The rolls year after year: Biểu 1 (HD 11-HD/BTCTW) for every year since the seed's date


def _year(year: int) -> Period:
    return Period(date(year, 1, 1), min(date(year, 12, 31), date.today()))


def _share_of_admission_year(year: int) -> float:
    """The part of `year` in which the demo admits (up to RECENT_GAP_DAYS ago)."""
    last = min(date(year, 12, 31), date.today() - timedelta(days=RECENT_GAP_DAYS))
    return max(0, (last - date(year, 1, 1)).days + 1) / 365


def test_every_year_since_the_seed_has_admissions_deaths_and_transfers(province):
    quantri = User.objects.get(username="quantri")
    years = range(2021, date.today().year + 1)
    rows = {
        y: membership_changes(user=quantri, unit=province, period=_year(y), by_child=False).total
        for y in years
    }

    for year, row in rows.items():
        share = _share_of_admission_year(year)
        assert row.balanced, year  # A + B - C = D
        assert 100 * share <= row.admitted <= 260, (year, row.admitted)
        if share > 0.25:
            assert row.died > 0 and row.transfer_in > 0 and row.transfer_out > 0, year
            assert row.transfer_in_other_province + row.transfer_in_other_district > 0
            assert row.transfer_out_other_province + row.transfer_out_other_district > 0
    assert all(rows[y].end == rows[y + 1].start for y in years[:-1])
    assert rows[years[-1]].end == Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    # Deaths of about 0.8-1% of the rolls a year; the rolls grow with the admissions.
    full = [rows[y] for y in years if _share_of_admission_year(y) > 0.9]
    assert all(0.006 * r.start <= r.died <= 0.012 * r.start for r in full)
    assert all(r.end > r.start for r in full)
    # A few removals (some of probationary members) and resignations, rare expulsions, a
    # handful of re-admissions.
    total = Counter()
    for row in rows.values():
        total.update(
            {
                "removed": row.removed,
                "removed_probationary": row.removed_probationary,
                "resigned": row.resigned,
                "expelled": row.expelled,
                "reinstated": row.reinstated,
            }
        )
        assert row.expelled <= 1 and row.removed <= 20
    assert total["removed"] >= 20 and total["removed_probationary"] > 0
    assert total["resigned"] > 0 and 1 <= total["expelled"] <= len(years)
    assert 1 <= total["reinstated"] <= 12


def test_the_district_balances_every_year_until_the_reform(province):
    quantri = User.objects.get(username="quantri")
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    periods = [Period(AS_OF + timedelta(days=1), date(2020, 12, 31))]
    periods += [_year(y) for y in range(2021, 2025)]
    periods += [Period(date(2025, 1, 1), REFORM_ON - timedelta(days=1))]
    rows = [membership_changes(user=quantri, unit=district, period=p).total for p in periods]

    assert rows[0].start == 3882
    assert all(r.balanced and r.died and r.transfer_in and r.transfer_out for r in rows)
    assert all(a.end == b.start for a, b in zip(rows, rows[1:], strict=False))


def test_those_who_died_were_mostly_old_members(province):
    died = MembershipEvent.objects.filter(kind=EventKind.DIED, on__gt=AS_OF).select_related(
        "member"
    )
    ages = [e.member.age_on(e.on) for e in died]

    assert len(ages) > 150
    assert sum(age >= 60 for age in ages) > 0.75 * len(ages)


def test_old_members_are_exempted_and_members_move_between_cells_every_year(province):
    events = MembershipEvent.objects.filter(on__gt=AS_OF).select_related("member")
    exempted = Counter(e.on.year for e in events if e.kind == EventKind.EXEMPTED)
    moved = Counter(e.on.year for e in events if e.kind == EventKind.TRANSFER_INTERNAL)
    years = [y for y in range(2021, date.today().year + 1) if _share_of_admission_year(y) > 0.25]

    assert all(exempted[y] >= 5 and moved[y] >= 5 for y in years)
    assert all(e.member.age_on(e.on) >= 60 for e in events if e.kind == EventKind.EXEMPTED)


# What an event says, and the member's status and cell on any day, agree


ENTRY_STATUS = {
    EventKind.ADMITTED: MemberStatus.PROBATIONARY,
    EventKind.REINSTATED: MemberStatus.PROBATIONARY,
    EventKind.RECOGNISED: MemberStatus.FULL,
}


def test_every_members_status_and_cell_follow_from_events_and_placements(province):
    members = {m.pk: m for m in Member.objects.all()}
    placements = defaultdict(list)
    for p in Placement.objects.order_by("valid_from", "id"):
        placements[p.member_id].append(p)
    events = defaultdict(list)
    for e in MembershipEvent.objects.order_by("on", "id"):
        events[e.member_id].append(e)
    wrong = []
    for pk, member in members.items():
        own = placements[pk]
        # One cell at a time; the last placement is the record's cell.
        if any(
            a.valid_to is None or a.valid_to > b.valid_from
            for a, b in zip(own, own[1:], strict=False)
        ):
            wrong.append((member.full_name, "overlapping placements"))
        if member.status in ACTIVE_STATUSES:
            if own[-1].valid_to is not None or own[-1].unit_id != member.unit_id:
                wrong.append((member.full_name, "active member not placed in their cell"))
        elif own[-1].valid_to != member.left_on or own[-1].unit_id != member.unit_id:
            wrong.append((member.full_name, "left member's placement not closed that day"))
        status, exempt = None, None
        for e in events[pk]:
            if e.kind == EventKind.TRANSFER_IN:
                full = member.official_on and member.official_on <= e.on
                status = MemberStatus.FULL if full else MemberStatus.PROBATIONARY
            elif e.kind in ENTRY_STATUS:
                status, exempt = ENTRY_STATUS[e.kind], None
            elif e.kind in EXIT_STATUSES:
                status, exempt = EXIT_STATUSES[e.kind], None
                cell = [p.unit_id for p in own if p.valid_to == e.on]
                if cell != [e.unit_id] or e.from_unit_id != e.unit_id:
                    wrong.append((member.full_name, f"{e.kind} not from the cell of the day"))
            elif e.kind == EventKind.TRANSFER_INTERNAL:
                ends = [p.unit_id for p in own if p.valid_to == e.on]
                starts = [p.unit_id for p in own if p.valid_from == e.on]
                if e.from_unit_id not in ends or e.to_unit_id not in starts:
                    wrong.append((member.full_name, "transfer between cells not placed"))
            elif e.kind == EventKind.EXEMPTED:
                exempt = e.on
        if status != member.status:
            wrong.append((member.full_name, f"events give {status}, record {member.status}"))
        if member.status in ACTIVE_STATUSES and exempt != member.exempt_since:
            wrong.append((member.full_name, "exemption not that of the events"))

    assert wrong == []


def test_leaders_dashboard_charts_move_over_the_years(province):
    board = dashboard(user=User.objects.get(username="lanhdao"), unit=province, day=date.today())
    members = [p.value for p in board.members_chart]
    admissions = [p.value for p in board.admissions_chart[:-1]]  # full years

    assert len(set(members)) == len(members)
    assert all(100 <= a <= 260 for a in admissions if a is not None)
    assert sum(now for _status, _label, now, _then in board.leaving) > 0


def test_no_officer_in_office_today_is_exempt_from_activity(province):
    from units.models import Officer

    serving = Officer.objects.filter(ends_on=None)

    assert serving.count() > 300
    assert not serving.filter(member__exempt_since__isnull=False).exists()
