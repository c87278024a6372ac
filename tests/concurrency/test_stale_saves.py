"""Two people open the same edit page; the first saves, the second's save is refused with a
message naming who changed the record and when, nothing of it is written, what the second
typed is still on the form, and after reloading the page the second can save."""

from datetime import date

import lxml.html
import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from meetings.models import Meeting
from members.models import Candidate, Member
from reports.models import Resolution, Target, TargetKind
from tests.factories import CandidateFactory, MemberFactory, VillageFactory, persona
from tests.meetings.factories import DAY, TODAY, log_meeting, members_in
from units.concurrency import STALE_ADVICE
from units.models import Role, Unit, Village


def form_values(response, token: str = "edit_token") -> dict:
    """What the browser would post from the page's form that carries `token`, as it is."""
    page = lxml.html.fromstring(response.content.decode())
    form = next(f for f in page.forms if token in f.inputs)
    values = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return {name: v[0] if len(v) == 1 else v for name, v in values.items()}


def race(first, second, url: str, field: str, mine: str, theirs: str, token="edit_token"):
    """Both open `url`; `first` saves `field` = `mine`, then `second` saves `theirs`:
    the second's response."""
    first_page, second_page = first.get(url), second.get(url)
    assert first.post(url, {**form_values(first_page, token), field: mine}).status_code == 302
    return second.post(url, {**form_values(second_page, token), field: theirs})


def refused_by(response, name: str) -> bool:
    """The page shows the refusal, naming `name`, who saved first."""
    page = response.content.decode()
    return response.status_code == 200 and gettext(STALE_ADVICE) in page and name in page


def save_after_reload(client, url: str, field: str, value: str, token="edit_token") -> int:
    return client.post(url, {**form_values(client.get(url), token), field: value}).status_code


@pytest.fixture
def district_staff(tree):
    return persona(tree.district, Role.STAFF, "Lường Thị Mai", "mai.lt")


# --- Members -------------------------------------------------------------------------------


@pytest.fixture
def member(tree):
    return MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")


def test_second_save_of_a_member_from_a_stale_page_is_refused_naming_who_saved_first(
    member, secretary_a, commune_staff_a, client_for
):
    url = reverse("member_edit", args=[member.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    refused = race(first, second, url, "hometown", "Mường Mươn", "Sa Lông")
    assert refused_by(refused, "Lò Thị Hương")


def test_a_refused_member_save_keeps_the_first_save_and_what_the_second_typed(
    member, secretary_a, commune_staff_a, client_for
):
    url = reverse("member_edit", args=[member.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    refused = race(first, second, url, "hometown", "Mường Mươn", "Sa Lông")
    assert Member.objects.get(pk=member.pk).hometown == "Mường Mươn"
    assert 'value="Sa Lông"' in refused.content.decode()


def test_after_reloading_the_member_page_the_second_save_goes_through(
    member, secretary_a, commune_staff_a, client_for
):
    url = reverse("member_edit", args=[member.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    race(first, second, url, "hometown", "Mường Mươn", "Sa Lông")
    assert save_after_reload(second, url, "hometown", "Sa Lông") == 302
    assert Member.objects.get(pk=member.pk).hometown == "Sa Lông"


def test_a_member_save_without_or_with_a_garbled_token_is_refused_cleanly(
    member, secretary_a, client_for
):
    url = reverse("member_edit", args=[member.pk])
    client = client_for(secretary_a)
    data = {**form_values(client.get(url)), "hometown": "Mường Mươn"}
    del data["edit_token"]
    missing = client.post(url, data)
    garbled = client.post(url, {**data, "edit_token": "'; DROP TABLE--\x00"})
    assert (missing.status_code, garbled.status_code) == (200, 200)
    assert Member.objects.get(pk=member.pk).hometown == "Mường Chà, Điện Biên"


def test_a_membership_event_recorded_since_the_page_was_opened_makes_it_stale(
    member, secretary_a, client_for
):
    """Events change the record too (its status, its cell): a page opened before one is stale."""
    from members.services import member_recognise

    url = reverse("member_edit", args=[member.pk])
    client = client_for(secretary_a)
    page = client.get(url)
    Member.objects.filter(pk=member.pk).update(official_on=None, status="probationary")
    member_recognise(member=member, on=date(2016, 6, 1), by=secretary_a)
    response = client.post(url, {**form_values(page), "hometown": "Mường Mươn"})
    assert refused_by(response, "Lò Thị Hương")


# --- Units and villages --------------------------------------------------------------------


def test_second_save_of_a_unit_from_a_stale_page_is_refused_and_the_first_kept(
    tree, commune_staff_a, district_admin, client_for
):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    first, second = client_for(commune_staff_a), client_for(district_admin)
    refused = race(first, second, url, "name", "Chi bộ bản Mển 1", "Chi bộ bản Mển 2")
    assert refused_by(refused, "Quàng Văn Thanh")
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển 1"
    assert 'value="Chi bộ bản Mển 2"' in refused.content.decode()


def test_after_reloading_the_unit_page_the_second_save_goes_through(
    tree, commune_staff_a, district_admin, client_for
):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    first, second = client_for(commune_staff_a), client_for(district_admin)
    race(first, second, url, "name", "Chi bộ bản Mển 1", "Chi bộ bản Mển 2")
    assert save_after_reload(second, url, "name", "Chi bộ bản Mển 2") == 302
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển 2"


@pytest.fixture
def village(tree):
    return VillageFactory(commune=tree.commune_a, cell=tree.cell_a1, name="Bản Mển")


def test_second_save_of_a_village_from_a_stale_page_is_refused_and_the_first_kept(
    tree, village, commune_staff_a, district_admin, client_for
):
    url = reverse("village_edit", args=[village.pk])
    first, second = client_for(commune_staff_a), client_for(district_admin)
    refused = race(first, second, url, "name", "Bản Mển Trên", "Bản Mển Dưới")
    assert refused_by(refused, "Quàng Văn Thanh")
    assert Village.objects.get(pk=village.pk).name == "Bản Mển Trên"
    assert 'value="Bản Mển Dưới"' in refused.content.decode()


def test_after_reloading_the_village_page_the_second_save_goes_through(
    tree, village, commune_staff_a, district_admin, client_for
):
    url = reverse("village_edit", args=[village.pk])
    first, second = client_for(commune_staff_a), client_for(district_admin)
    race(first, second, url, "name", "Bản Mển Trên", "Bản Mển Dưới")
    assert save_after_reload(second, url, "name", "Bản Mển Dưới") == 302
    assert Village.objects.get(pk=village.pk).name == "Bản Mển Dưới"


# --- Candidates ----------------------------------------------------------------------------


@pytest.fixture
def candidate(tree):
    return CandidateFactory(unit=tree.cell_a1, note="")


@pytest.mark.parametrize("page", ["admission_edit", "admission_stages"])
def test_second_save_of_a_candidate_from_a_stale_page_is_refused_and_the_first_kept(
    page, candidate, secretary_a, commune_staff_a, client_for
):
    url = reverse(page, args=[candidate.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    field = "note" if page == "admission_edit" else "cell_voters"
    mine, theirs = ("Tích cực", "Gương mẫu") if field == "note" else ("", "12")
    refused = race(first, second, url, field, mine, theirs)
    assert refused_by(refused, "Lò Thị Hương")
    assert Candidate.objects.get(pk=candidate.pk).cell_voters is None


def test_after_reloading_the_candidate_page_the_second_save_goes_through(
    candidate, secretary_a, commune_staff_a, client_for
):
    url = reverse("admission_edit", args=[candidate.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    race(first, second, url, "note", "Tích cực", "Gương mẫu")
    assert save_after_reload(second, url, "note", "Gương mẫu") == 302
    assert Candidate.objects.get(pk=candidate.pk).note == "Gương mẫu"


# --- Resolutions and targets ---------------------------------------------------------------


@pytest.fixture
def target(tree):
    resolution = Resolution.objects.create(
        number="03-NQ/HU", issuer=tree.district, title="Phát triển đảng viên", start_year=2021,
        end_year=2025,
    )  # fmt: skip
    return Target.objects.create(
        resolution=resolution, unit=tree.district, kind=TargetKind.ADMISSIONS, value=250
    )


def test_second_save_of_a_target_from_a_stale_page_is_refused_and_the_first_kept(
    target, district_admin, district_staff, client_for
):
    url = reverse("target_edit", args=[target.pk])
    first, second = client_for(district_admin), client_for(district_staff)
    refused = race(first, second, url, "value", "260", "300")
    assert refused_by(refused, "Cầm Văn Hùng")
    assert Target.objects.get(pk=target.pk).value == 260
    assert 'value="300"' in refused.content.decode()


def test_after_reloading_the_target_page_the_second_save_goes_through(
    target, district_admin, district_staff, client_for
):
    url = reverse("target_edit", args=[target.pk])
    first, second = client_for(district_admin), client_for(district_staff)
    race(first, second, url, "value", "260", "300")
    assert save_after_reload(second, url, "value", "300") == 302
    assert Target.objects.get(pk=target.pk).value == 300


def test_second_save_of_a_resolution_from_a_stale_page_is_refused_and_the_first_kept(
    target, district_admin, district_staff, client_for
):
    url = reverse("resolution_edit", args=[target.resolution.pk])
    first, second = client_for(district_admin), client_for(district_staff)
    refused = race(first, second, url, "title", "Phát triển đảng viên mới", "Kết nạp đảng viên")
    assert refused_by(refused, "Cầm Văn Hùng")
    assert Resolution.objects.get().title == "Phát triển đảng viên mới"


# --- Meetings and their attendance ---------------------------------------------------------


@pytest.fixture
def meeting(tree, secretary_a):
    with time_machine.travel(TODAY, tick=False):
        members_in(tree.cell_a1, 3)
        yield log_meeting(tree.cell_a1, secretary_a, DAY)


def test_second_save_of_a_meetings_attendance_from_a_stale_page_is_refused_and_the_first_kept(
    meeting, secretary_a, commune_staff_a, client_for
):
    url = reverse("meeting_edit", args=[meeting.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    member = meeting.attendance.first().member_id
    field = f"status_{member}"
    refused = race(first, second, url, field, "unexcused", "present", token="version")
    assert refused_by(refused, "Lò Thị Hương")
    assert Meeting.objects.get(pk=meeting.pk).unexcused_count == 1


def test_after_reloading_the_meeting_page_the_second_save_goes_through(
    meeting, secretary_a, commune_staff_a, client_for
):
    url = reverse("meeting_edit", args=[meeting.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    field = f"status_{meeting.attendance.first().member_id}"
    race(first, second, url, field, "unexcused", "present", token="version")
    assert save_after_reload(second, url, field, "present", token="version") == 302
    assert Meeting.objects.get(pk=meeting.pk).unexcused_count == 0
