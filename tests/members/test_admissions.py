"""The admissions pipeline: the rules of admission (ages in months, working-day deadlines),
the services that record each stage and admit, and the board, candidate and form pages."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from members import admissions
from members.admission_views import STAGE_FIELDS
from members.choices import EventKind, MemberStatus
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import (
    Level,
    Rule,
    add_working_days,
    admission_findings,
    ceremony_due,
    decision_due,
    is_working_day,
    months_between,
    public_holidays,
    working_days_between,
)
from tests.accounts.factories import warm
from tests.factories import CandidateFactory, CellFactory, MemberFactory
from units.concurrency import edit_token

# The pages are looked at on Monday 2 March 2026, morning in Điện Biên.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = NOW.date()
# The board's queries (session, user, scope, unit, candidates, sponsors and their placements),
# pinned from measurement plus one.
BOARD_QUERIES = 13


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def rules_broken(candidate, today=TODAY) -> set:
    return {f.rule for f in admission_findings(candidate, today=today) if f.level == Level.BROKEN}


def flags(candidate, level, today=TODAY) -> set:
    return {f.rule for f in admission_findings(candidate, today=today) if f.level == level}


@pytest.fixture
def sponsors(tree):
    """Two full members of cell A1 (since 2010), and one of them probationary."""
    return {
        "one": MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương"),
        "two": MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Bình"),
        "probationary": MemberFactory(
            unit=tree.cell_a1,
            full_name="Mùa A Páo",
            admitted_on=date(2025, 5, 19),
            probationary=True,
        ),
        "other_cell": MemberFactory(unit=tree.cell_a2, full_name="Tòng Văn Ún"),
    }


def resolved(cell, sponsors, **fields) -> Candidate:
    """An unsaved candidate whose cell resolved on 10/02/2026, every rule met."""
    values = {
        "unit": cell,
        "full_name": "Lò Thị Ngọc",
        "birth_date": date(2000, 5, 10),
        "awareness_class_on": date(2025, 6, 2),
        "application_on": date(2025, 6, 20),
        "sponsor_1": sponsors["one"],
        "sponsor_1_known_since": date(2023, 1, 1),
        "sponsor_2": sponsors["two"],
        "sponsor_2_known_since": date(2024, 5, 1),
        "background_checked_on": date(2025, 10, 20),
        "cell_resolution_on": date(2026, 2, 10),
        "cell_votes_for": 6,
        "cell_voters": 9,
        **fields,
    }
    return CandidateFactory.build(**values)


def ready(cell, sponsors, **fields) -> Candidate:
    """A saved candidate with the decision and the ceremony recorded: ready to admit."""
    values = {
        "cell_resolution_on": date(2025, 11, 4),
        "committee_resolution_on": date(2025, 11, 20),
        "committee_votes_for": 7,
        "committee_voters": 9,
        "decision_on": date(2025, 12, 1),
        "decision_number": "125-QĐ/ĐU",
        "ceremony_on": date(2025, 12, 19),
        **fields,
    }
    candidate = resolved(cell, sponsors, **values)
    candidate.save()
    return candidate


# Working days ---------------------------------------------------------------------------------


def test_reunification_and_labour_days_are_not_working_days():
    # 30/4/2026 is a Thursday, 1/5 a Friday: the next working day after Wednesday is Monday.
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)


def test_holidays_on_a_weekend_give_days_in_lieu():
    # 2022: 30/4 Saturday, 1/5 Sunday, so 2/5 and 3/5 were off.
    assert {date(2022, 5, 2), date(2022, 5, 3)} <= public_holidays(2022)


def test_national_day_is_two_days_since_2021():
    assert {date(2025, 9, 1), date(2025, 9, 2)} <= public_holidays(2025)
    assert not is_working_day(date(2024, 9, 3))
    assert is_working_day(date(2020, 9, 3))


def test_working_days_between_counts_weekdays_after_the_start():
    # Monday 2/3/2026 to Monday 9/3/2026: Tuesday to Friday and Monday.
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5


# Age, counted in months on the day of the cell's resolution -----------------------------------


def test_age_is_counted_in_whole_months():
    assert months_between(date(2008, 3, 10), date(2026, 2, 10)) == 215
    assert months_between(date(2008, 3, 11), date(2026, 2, 10)) == 214
    assert months_between(date(2008, 2, 10), date(2026, 2, 10)) == 216


def test_seventeen_years_eleven_months_on_the_resolution_day_breaks_the_age_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 3, 10))
    assert rules_broken(candidate) == {Rule.AGE}


def test_exactly_eighteen_on_the_resolution_day_meets_the_age_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 2, 10))
    assert admission_findings(candidate, today=TODAY) == []


def test_sixty_years_and_days_is_within_the_age_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(1966, 1, 20))
    assert admission_findings(candidate, today=TODAY) == []


def test_over_sixty_is_flagged_for_the_province_s_consent_not_accepted_silently(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(1966, 1, 9))
    assert flags(candidate, Level.CONSENT) == {Rule.AGE}


# Awareness-class certificate: under 5 years old on the resolution day --------------------------


def test_certificate_valid_on_the_last_day_before_five_years(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, awareness_class_on=date(2021, 2, 11))
    assert Rule.CERTIFICATE not in rules_broken(candidate)


def test_certificate_five_years_old_on_the_resolution_day_is_expired(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, awareness_class_on=date(2021, 2, 10))
    assert rules_broken(candidate) == {Rule.CERTIFICATE}


def test_certificate_expiring_within_ten_working_days_is_near(tree):
    # Expires 16/03/2026: 10 working days after Monday 2/3/2026.
    candidate = CandidateFactory.build(unit=tree.cell_a1, awareness_class_on=date(2021, 3, 16))
    assert flags(candidate, Level.NEAR) == {Rule.CERTIFICATE}


def test_certificate_expiring_in_eleven_working_days_is_not_flagged(tree):
    candidate = CandidateFactory.build(unit=tree.cell_a1, awareness_class_on=date(2021, 3, 17))
    assert admission_findings(candidate, today=TODAY) == []


# Sponsors: two full members of the cell on that day, who have known the candidate 12 months ----


def test_sponsor_who_has_known_the_candidate_twelve_months_is_enough(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2_known_since=date(2025, 2, 10))
    assert admission_findings(candidate, today=TODAY) == []


def test_sponsor_who_has_known_the_candidate_eleven_months_breaks_the_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2_known_since=date(2025, 2, 11))
    assert rules_broken(candidate) == {Rule.SPONSORS}


def test_probationary_sponsor_breaks_the_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2=sponsors["probationary"])
    assert rules_broken(candidate) == {Rule.SPONSORS}


def test_sponsor_of_another_cell_breaks_the_rule(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2=sponsors["other_cell"])
    assert rules_broken(candidate) == {Rule.SPONSORS}


def test_sponsor_who_moved_into_the_cell_after_the_resolution_breaks_the_rule(tree, sponsors):
    newcomer = sponsors["other_cell"]
    Placement.objects.filter(member=newcomer).update(valid_to=date(2026, 2, 20))
    Placement.objects.create(member=newcomer, unit=tree.cell_a1, valid_from=date(2026, 2, 20))
    Member.objects.filter(pk=newcomer.pk).update(unit=tree.cell_a1)
    newcomer.refresh_from_db()
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2=newcomer)
    assert rules_broken(candidate) == {Rule.SPONSORS}


def test_one_sponsor_is_not_enough_for_the_resolution(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors, sponsor_2=None, sponsor_2_known_since=None)
    assert rules_broken(candidate) == {Rule.SPONSORS}


# Votes: two thirds of the cell's full members, two thirds of the committee --------------------


@pytest.mark.parametrize(
    ("votes_for", "voters", "met"), [(6, 9, True), (2, 3, True), (5, 8, False)]
)
def test_cell_vote_needs_two_thirds(tree, sponsors, votes_for, voters, met):
    candidate = resolved(tree.cell_a1, sponsors, cell_votes_for=votes_for, cell_voters=voters)
    assert (Rule.CELL_VOTE not in rules_broken(candidate)) is met


def test_committee_vote_needs_two_thirds(tree, sponsors):
    candidate = resolved(
        tree.cell_a1,
        sponsors,
        committee_resolution_on=date(2026, 2, 20),
        committee_votes_for=5,
        committee_voters=8,
    )
    assert rules_broken(candidate) == {Rule.COMMITTEE_VOTE}


# Deadlines in working days ------------------------------------------------------------------


def test_decision_on_the_sixtieth_working_day_is_in_time(tree, sponsors):
    due = decision_due(date(2025, 11, 4))
    candidate = ready(tree.cell_a1, sponsors, decision_on=due, ceremony_on=None)
    assert rules_broken(candidate, today=due) == set()


def test_decision_on_the_sixty_first_working_day_is_late(tree, sponsors):
    late = add_working_days(decision_due(date(2025, 11, 4)), 1)
    candidate = ready(tree.cell_a1, sponsors, decision_on=late, ceremony_on=None)
    assert rules_broken(candidate, today=late) == {Rule.DECISION_DEADLINE}


def test_decision_deadline_ten_working_days_away_is_near(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors)  # deadline: 60 working days after 10/02/2026
    due = decision_due(candidate.cell_resolution_on)
    today = _working_days_before(due, 10)
    assert flags(candidate, Level.NEAR, today=today) == {Rule.DECISION_DEADLINE}


def test_decision_deadline_eleven_working_days_away_is_not_flagged(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors)
    today = _working_days_before(decision_due(candidate.cell_resolution_on), 11)
    assert admission_findings(candidate, today=today) == []


def test_decision_not_taken_by_the_deadline_is_flagged_broken(tree, sponsors):
    candidate = resolved(tree.cell_a1, sponsors)
    after = add_working_days(decision_due(candidate.cell_resolution_on), 1)
    assert rules_broken(candidate, today=after) == {Rule.DECISION_DEADLINE}


def test_ceremony_on_the_thirtieth_working_day_is_in_time(tree, sponsors):
    due = ceremony_due(date(2025, 12, 1))
    candidate = ready(tree.cell_a1, sponsors, ceremony_on=due)
    assert rules_broken(candidate, today=due) == set()


def test_ceremony_on_the_thirty_first_working_day_is_late(tree, sponsors):
    late = add_working_days(ceremony_due(date(2025, 12, 1)), 1)
    candidate = ready(tree.cell_a1, sponsors, ceremony_on=late)
    assert rules_broken(candidate, today=late) == {Rule.CEREMONY_DEADLINE}


def _working_days_before(day: date, count: int) -> date:
    """The day from which `day` is `count` working days ahead."""
    start = day
    while working_days_between(start, day) < count:
        start = date.fromordinal(start.toordinal() - 1)
    return start


# Services: each stage checked, admission in one step -----------------------------------------


def test_cell_resolution_of_a_candidate_of_seventeen_years_eleven_months_is_refused(
    tree, sponsors, secretary_a
):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 3, 10))
    fields = {name: getattr(candidate, name) for name in ("cell_resolution_on", "cell_votes_for")}
    candidate.cell_resolution_on = None
    candidate.save()
    with pytest.raises(ValidationError, match=re.escape(Rule.AGE.label)):
        admissions.candidate_update(candidate=candidate, by=secretary_a, **fields)


def test_cell_resolution_of_a_candidate_of_exactly_eighteen_is_accepted(
    tree, sponsors, secretary_a
):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 2, 10))
    candidate.cell_resolution_on = None
    candidate.save()
    admissions.candidate_update(
        candidate=candidate, by=secretary_a, cell_resolution_on=date(2026, 2, 10)
    )
    assert Candidate.objects.get(pk=candidate.pk).cell_resolution_on == date(2026, 2, 10)


def test_refused_stage_writes_nothing(tree, sponsors, secretary_a):
    candidate = resolved(tree.cell_a1, sponsors, cell_resolution_on=None)
    candidate.save()
    with pytest.raises(ValidationError):
        admissions.candidate_update(
            candidate=candidate,
            by=secretary_a,
            cell_resolution_on=date(2026, 2, 10),
            cell_votes_for=2,
        )
    assert Candidate.objects.get(pk=candidate.pk).cell_resolution_on is None


def test_a_stage_before_the_one_it_rests_on_is_refused(tree, sponsors, secretary_a):
    candidate = resolved(tree.cell_a1, sponsors)
    candidate.save()
    with pytest.raises(ValidationError, match=re.escape(Rule.ORDER.label)):
        admissions.candidate_update(
            candidate=candidate, by=secretary_a, decision_on=date(2026, 2, 20)
        )


def test_a_future_stage_date_is_refused(tree, sponsors, secretary_a):
    candidate = CandidateFactory(unit=tree.cell_a1)
    with pytest.raises(ValidationError):
        admissions.candidate_update(
            candidate=candidate, by=secretary_a, background_checked_on=date(2026, 3, 3)
        )


def test_candidate_create_records_its_author(tree, secretary_a):
    fields = {
        name: getattr(CandidateFactory.build(), name)
        for name in ("full_name", "sex", "birth_date", "ethnicity", "education", "occupation")
    }
    candidate = admissions.candidate_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert candidate.history.get().history_user == secretary_a


def test_secretary_cannot_record_a_candidate_in_another_cell(tree, secretary_a):
    fields = {
        name: getattr(CandidateFactory.build(), name)
        for name in ("full_name", "sex", "birth_date", "ethnicity", "education", "occupation")
    }
    with pytest.raises(PermissionDenied):
        admissions.candidate_create(unit=tree.cell_b1, by=secretary_a, **fields)


def test_admit_creates_the_probationary_member_in_the_cell(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors)
    member = admissions.candidate_admit(candidate=candidate, by=secretary_a)
    assert (member.unit, member.status, member.admitted_on, member.ceremony_on) == (
        tree.cell_a1,
        MemberStatus.PROBATIONARY,
        date(2025, 12, 1),
        date(2025, 12, 19),
    )
    assert (member.full_name, member.birth_date, member.citizen_id) == (
        candidate.full_name,
        candidate.birth_date,
        candidate.citizen_id,
    )


def test_admit_writes_the_admitted_event_with_the_decision_number(tree, sponsors, secretary_a):
    member = admissions.candidate_admit(candidate=ready(tree.cell_a1, sponsors), by=secretary_a)
    event = MembershipEvent.objects.get(member=member)
    assert (event.kind, event.on, event.decision_number, event.unit) == (
        EventKind.ADMITTED,
        date(2025, 12, 1),
        "125-QĐ/ĐU",
        tree.cell_a1,
    )


def test_admit_places_the_member_and_links_the_candidate(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors)
    member = admissions.candidate_admit(candidate=candidate, by=secretary_a)
    placement = Placement.objects.get(member=member)
    assert (placement.unit, placement.valid_from) == (tree.cell_a1, date(2025, 12, 1))
    assert Candidate.objects.get(pk=candidate.pk).member == member


def test_admit_is_refused_when_a_rule_is_broken_and_writes_nothing(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors)
    Candidate.objects.filter(pk=candidate.pk).update(cell_votes_for=5, cell_voters=9)
    with pytest.raises(ValidationError, match=re.escape(Rule.CELL_VOTE.label)):
        admissions.candidate_admit(candidate=candidate, by=secretary_a)
    assert Member.objects.filter(full_name=candidate.full_name).count() == 0


def test_admit_over_sixty_without_the_province_s_consent_is_refused(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors, birth_date=date(1964, 1, 5))
    with pytest.raises(ValidationError, match=re.escape(Rule.AGE.label)):
        admissions.candidate_admit(candidate=candidate, by=secretary_a)


def test_admit_over_sixty_with_the_province_s_consent_is_accepted(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors, birth_date=date(1964, 1, 5))
    member = admissions.candidate_admit(candidate=candidate, by=secretary_a, province_consent=True)
    assert member.status == MemberStatus.PROBATIONARY


def test_admit_needs_the_ceremony(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors, ceremony_on=None)
    with pytest.raises(ValidationError):
        admissions.candidate_admit(candidate=candidate, by=secretary_a)


def test_withdrawn_candidate_cannot_be_admitted(tree, sponsors, secretary_a):
    candidate = ready(tree.cell_a1, sponsors)
    admissions.candidate_withdraw(
        candidate=candidate, on=date(2026, 2, 1), reason="Chuyển đi nơi khác", by=secretary_a
    )
    with pytest.raises(ValidationError):
        admissions.candidate_admit(candidate=candidate, by=secretary_a)


# Pages -----------------------------------------------------------------------------------------


def section(response, stage: str) -> str:
    html = response.content.decode()
    start = html.find(f'id="stage-{stage}"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


@pytest.fixture
def pipeline(tree, sponsors):
    """Candidates of cell A1 at several stages, and one of cell B1."""
    late = resolved(tree.cell_a1, sponsors, full_name="Giàng A Sử", cell_resolution_on=None)
    late.cell_resolution_on = date(2025, 11, 4)  # the decision was due on 28/01/2026
    late.save()
    near = resolved(tree.cell_a1, sponsors, full_name="Vàng A Chứ")
    near.cell_resolution_on = date(2025, 12, 10)  # the decision is due on 05/03/2026
    near.save()
    return {
        "new": CandidateFactory(unit=tree.cell_a1, full_name="Lầu Thị Sua", application_on=None),
        "applied": CandidateFactory(unit=tree.cell_a1, full_name="Sùng Thị Mỷ"),
        "late": late,
        "near": near,
        "ready": ready(tree.cell_a1, sponsors, full_name="Đặng Văn Tiến"),
        "other": CandidateFactory(unit=tree.cell_b1, full_name="Thào Thị Dua"),
    }


def board(client, unit):
    return client.get(reverse("admission_board", args=[unit.pk]))


def test_board_shows_candidates_by_stage(pipeline, tree, secretary_a, client_for):
    response = board(client_for(secretary_a), tree.cell_a1)
    assert "Lầu Thị Sua" in section(response, "candidate")
    assert "Sùng Thị Mỷ" in section(response, "application")
    assert "Đặng Văn Tiến" in section(response, "ceremony")


def test_board_flags_a_decision_past_its_deadline(pipeline, tree, secretary_a, client_for):
    item = section(board(client_for(secretary_a), tree.cell_a1), "cell_resolution")
    late = item[item.find("Giàng A Sử") : item.find("</li>", item.find("Giàng A Sử"))]
    assert 'data-finding="broken"' in late
    assert escape(Rule.DECISION_DEADLINE.label) in late


def test_board_flags_a_deadline_within_ten_working_days(pipeline, tree, secretary_a, client_for):
    item = section(board(client_for(secretary_a), tree.cell_a1), "cell_resolution")
    near = item[item.find("Vàng A Chứ") : item.find("</li>", item.find("Vàng A Chứ"))]
    assert 'class="badge text-bg-warning"' in near
    assert "05/03/2026" in near


def test_board_counts_each_stage(pipeline, tree, commune_staff_a, client_for):
    html = section(board(client_for(commune_staff_a), tree.commune_a), "cell_resolution")
    assert '<span class="badge text-bg-secondary">2</span>' in html


def test_board_links_to_the_probation_list(tree, secretary_a, client_for):
    response = board(client_for(secretary_a), tree.cell_a1)
    assert reverse("member_probation", args=[tree.cell_a1.pk]) in response.content.decode()


def test_unit_page_links_to_the_board(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(tree.cell_a1.get_absolute_url())
    assert reverse("admission_board", args=[tree.cell_a1.pk]) in response.content.decode()


def test_district_board_shows_the_whole_subtree(pipeline, tree, viewer, client_for):
    assert "Thào Thị Dua" in board(client_for(viewer), tree.district).content.decode()


def test_secretary_cannot_see_another_cells_board(pipeline, tree, secretary_b, client_for):
    assert board(client_for(secretary_b), tree.cell_a1).status_code == 404


def test_secretary_cannot_see_another_cells_candidate(pipeline, secretary_b, client_for):
    url = reverse("admission_detail", args=[pipeline["late"].pk])
    assert client_for(secretary_b).get(url).status_code == 404


@pytest.mark.parametrize("name", ["admission_edit", "admission_stages", "admission_admit"])
def test_viewer_cannot_open_the_forms(pipeline, viewer, client_for, name):
    url = reverse(name, args=[pipeline["ready"].pk])
    assert client_for(viewer).get(url).status_code == 403


def test_viewer_cannot_withdraw(pipeline, viewer, client_for):
    url = reverse("admission_withdraw", args=[pipeline["ready"].pk])
    response = client_for(viewer).post(url, {"withdrawn_on": "01/03/2026", "reason": "x"})
    assert response.status_code == 403


def test_withdraw_needs_post(pipeline, secretary_a, client_for):
    url = reverse("admission_withdraw", args=[pipeline["ready"].pk])
    assert client_for(secretary_a).get(url).status_code == 405


def test_candidate_page_shows_the_broken_rule(pipeline, secretary_a, client_for):
    url = reverse("admission_detail", args=[pipeline["late"].pk])
    html = client_for(secretary_a).get(url).content.decode()
    assert "28/01/2026" in html and 'data-finding="broken"' in html


def create_data(**changes) -> dict:
    return {
        "unit": "",
        "full_name": "Lò Thị Ngọc",
        "sex": "female",
        "birth_date": "10/05/2000",
        "ethnicity": "thai",
        "religion": "none",
        "hometown": "Mường Chà, Điện Biên",
        "residence_village": "",
        "citizen_id": "011200001234",
        "education": "upper_secondary",
        "occupation": "farmer",
        "phone": "",
        "awareness_class_on": "02/06/2025",
        "application_on": "20/06/2025",
        "note": "",
        **changes,
    }


def test_secretary_adds_a_candidate_to_the_cell(tree, secretary_a, client_for):
    response = client_for(secretary_a).post(
        reverse("admission_create"), create_data(unit=tree.cell_a1.pk)
    )
    candidate = Candidate.objects.get(full_name="Lò Thị Ngọc")
    assert response.url == reverse("admission_detail", args=[candidate.pk])


def test_viewer_cannot_add_candidates(tree, viewer, client_for):
    assert client_for(viewer).get(reverse("admission_create")).status_code == 403


def stage_data(candidate, **changes) -> dict:
    """What the stage form posts: the candidate's stages as stored, then `changes`."""
    data = {}
    for name in STAGE_FIELDS:
        value = getattr(candidate, name)
        if isinstance(value, Member):
            value = value.pk
        elif isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    data["edit_token"] = edit_token(candidate)  # the candidate as the page was opened
    return {**data, **changes}


def test_stage_form_refuses_a_resolution_under_eighteen_with_the_rule_s_name(
    tree, sponsors, secretary_a, client_for
):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 3, 10))
    candidate.cell_resolution_on = None
    candidate.save()
    url = reverse("admission_stages", args=[candidate.pk])
    response = client_for(secretary_a).post(
        url, stage_data(candidate, cell_resolution_on="10/02/2026")
    )
    assert Rule.AGE.label in response.content.decode()


def test_stage_form_saves_and_redirects(tree, sponsors, secretary_a, client_for):
    candidate = resolved(tree.cell_a1, sponsors, birth_date=date(2008, 2, 10))
    candidate.cell_resolution_on = None
    candidate.save()
    url = reverse("admission_stages", args=[candidate.pk])
    response = client_for(secretary_a).post(
        url, stage_data(candidate, cell_resolution_on="10/02/2026")
    )
    assert response.status_code == 302


def test_sponsor_choices_are_the_full_members_of_the_cell(tree, sponsors, secretary_a, client_for):
    candidate = CandidateFactory(unit=tree.cell_a1)
    html = client_for(secretary_a).get(reverse("admission_stages", args=[candidate.pk]))
    select = html.content.decode().split('name="sponsor_1"')[1].split("</select>")[0]
    assert "Lò Văn Phương" in select and "Quàng Thị Bình" in select
    assert "Mùa A Páo" not in select and "Tòng Văn Ún" not in select


def test_admit_page_asks_for_confirmation_then_admits(tree, sponsors, secretary_a, client_for):
    candidate = ready(tree.cell_a1, sponsors)
    client = client_for(secretary_a)
    url = reverse("admission_admit", args=[candidate.pk])
    assert (
        client.get(url).status_code == 200
        and not Member.objects.filter(full_name=candidate.full_name).exists()
    )
    response = client.post(url)
    member = Member.objects.get(full_name=candidate.full_name)
    assert response.url == member.get_absolute_url()


def test_withdraw_from_the_candidate_page(pipeline, secretary_a, client_for):
    candidate = pipeline["applied"]
    url = reverse("admission_withdraw", args=[candidate.pk])
    client_for(secretary_a).post(url, {"withdrawn_on": "01/03/2026", "reason": "Đi làm xa"})
    assert Candidate.objects.get(pk=candidate.pk).withdrawn_on == date(2026, 3, 1)


# Query count: the board costs the same on a few candidates and on many --------------------------


def test_board_query_count_does_not_grow_with_candidates(
    pipeline, tree, sponsors, commune_staff_a, client_for, django_assert_max_num_queries
):
    client = warm(client_for(commune_staff_a))
    with django_assert_max_num_queries(BOARD_QUERIES) as few:
        assert board(client, tree.commune_a).status_code == 200
    cells = [CellFactory(parent=tree.commune_a) for _ in range(4)]
    for n, cell in enumerate(cells * 10):
        one, two = MemberFactory.create_batch(2, unit=cell)
        ready(cell, {"one": one, "two": two}, full_name=f"Lò Văn Phương {n}", citizen_id="")
    with django_assert_max_num_queries(BOARD_QUERIES) as many:
        assert board(client, tree.commune_a).status_code == 200
    assert len(many) == len(few)


# On a phone ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_secretary_records_a_stage_on_a_360_px_phone(live_server, tree, sponsors, secretary_a):
    """The board, the candidate page and the stage form fit a 360-px phone, and a stage saves."""
    import os

    from playwright.sync_api import expect

    from tests.e2e.test_secretary_phone import PASSWORD, log_in

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as in tests/e2e
    from playwright.sync_api import sync_playwright

    secretary_a.set_password(PASSWORD)
    secretary_a.save()
    candidate = resolved(
        tree.cell_a1, sponsors, cell_resolution_on=None, background_checked_on=None
    )
    candidate.save()
    widths = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
        log_in(
            page,
            f"{live_server.url}{reverse('admission_board', args=[tree.cell_a1.pk])}",
            secretary_a,
        )
        widths["board"] = page.evaluate("document.documentElement.scrollWidth")
        page.click(f"#stage-sponsors a[href='{reverse('admission_detail', args=[candidate.pk])}']")
        widths["candidate"] = page.evaluate("document.documentElement.scrollWidth")
        page.click(f"a[href='{reverse('admission_stages', args=[candidate.pk])}']")
        widths["stages"] = page.evaluate("document.documentElement.scrollWidth")
        page.fill("#id_background_checked_on", "20/10/2025")
        page.click("main form button[type=submit]")
        expect(page.locator(".alert-success")).to_be_visible()
        browser.close()
    assert widths == {"board": 360, "candidate": 360, "stages": 360}
    assert Candidate.objects.get(pk=candidate.pk).background_checked_on == date(2025, 10, 20)


def test_sponsor_who_left_before_the_resolution_is_flagged_on_the_board(
    tree, sponsors, secretary_a, client_for
):
    candidate = resolved(tree.cell_a1, sponsors, cell_resolution_on=None)
    candidate.save()
    Member.objects.filter(pk=sponsors["two"].pk).update(
        status=MemberStatus.DECEASED, left_on=date(2026, 1, 5)
    )
    html = section(board(client_for(secretary_a), tree.cell_a1), "background")
    assert escape(Rule.SPONSORS.label) in html


def test_candidate_page_shows_who_recorded_each_change(tree, sponsors, secretary_a, client_for):
    candidate = CandidateFactory(unit=tree.cell_a1)
    admissions.candidate_update(
        candidate=candidate, by=secretary_a, background_checked_on=date(2026, 2, 2)
    )
    html = client_for(secretary_a).get(reverse("admission_detail", args=[candidate.pk]))
    assert "Lò Thị Hương" in html.content.decode()


def test_admitted_candidate_s_probation_runs_twelve_months_from_the_ceremony(
    tree, sponsors, secretary_a, client_for
):
    candidate = ready(tree.cell_a1, sponsors)
    admissions.candidate_admit(candidate=candidate, by=secretary_a)
    html = client_for(secretary_a).get(reverse("admission_detail", args=[candidate.pk]))
    assert "19/12/2026" in html.content.decode()
