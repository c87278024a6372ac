import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from members.choices import EventKind, MemberStatus, Occupation
from members.models import Member
from members.services import member_create, member_update
from tests.factories import MemberFactory, member_fields

# Dates of the validation tests are read against this day.
TODAY = datetime(2025, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def english():
    """Messages are compared with their English source: some are translated as they are raised."""
    with translation.override("en"):
        yield


def found(text: str) -> set[str]:
    return {m.full_name for m in Member.objects.search(text)}


@pytest.fixture
def roll(tree):
    """The members of Chi bộ bản Mển."""
    names = ["Lò Văn Phương", "Giàng A Sử", "Đặng Thị Hoa", "Quàng Thị Bình", "Lò Thị Ánh"]
    members = {name: MemberFactory(unit=tree.cell_a1, full_name=name) for name in names}
    Member.objects.filter(full_name="Lò Văn Phương").update(
        citizen_id="011085001234", card_number="41234567"
    )
    return members


# Search


def test_search_without_marks_finds_a_thai_name(roll):
    assert found("lo van") == {"Lò Văn Phương"}


def test_search_without_marks_finds_a_hmong_name(roll):
    assert found("giang a") == {"Giàng A Sử"}


def test_search_for_d_finds_a_name_written_with_d_bar(roll):
    assert found("dang") == {"Đặng Thị Hoa"}


def test_search_ignores_case_and_accepts_marks(roll):
    assert found("LÒ VĂN") == {"Lò Văn Phương"}


def test_search_typed_with_decomposed_marks_finds_the_name(roll):
    assert found(unicodedata.normalize("NFD", "Quàng Thị")) == {"Quàng Thị Bình"}


def test_search_by_the_start_of_a_citizen_id(roll):
    assert found("011085001") == {"Lò Văn Phương"}


def test_search_by_party_card_number(roll):
    assert found("41234567") == {"Lò Văn Phương"}


def test_empty_search_keeps_everyone(roll):
    assert len(found("  ")) == 5


# Order


def test_members_are_listed_by_given_name_in_vietnamese_order(roll):
    assert [m.full_name for m in Member.objects.all()] == [
        "Lò Thị Ánh",
        "Quàng Thị Bình",
        "Đặng Thị Hoa",
        "Lò Văn Phương",
        "Giàng A Sử",
    ]


def test_plain_letter_comes_before_its_toned_form(tree):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Ánh")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Anh")
    assert [m.full_name for m in Member.objects.all()] == ["Lò Thị Anh", "Lò Thị Ánh"]


def test_d_comes_before_d_bar_in_the_list(tree):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Đức")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Dũng")
    assert [m.full_name for m in Member.objects.all()] == ["Lò Văn Dũng", "Lò Văn Đức"]


def test_name_typed_with_decomposed_marks_is_stored_composed(tree):
    member = MemberFactory(unit=tree.cell_a1, full_name=unicodedata.normalize("NFD", "Sùng Thị Mỷ"))
    stored = Member.objects.get(pk=member.pk).full_name
    assert stored == unicodedata.normalize("NFC", "Sùng Thị Mỷ")


# History


def test_changing_a_member_records_who_changed_it(tree, secretary_a):
    member = MemberFactory(unit=tree.cell_a1, occupation=Occupation.FARMER)
    member_update(member=member, by=secretary_a, occupation=Occupation.CIVIL_SERVANT)
    assert member.history.first().history_user == secretary_a


def test_changing_a_member_records_the_old_and_new_values(tree, secretary_a):
    member = MemberFactory(unit=tree.cell_a1, occupation=Occupation.FARMER)
    member_update(member=member, by=secretary_a, occupation=Occupation.CIVIL_SERVANT)
    latest = member.history.first()
    changes = latest.diff_against(latest.prev_record).changes
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("occupation", Occupation.FARMER, Occupation.CIVIL_SERVANT)
    ]


def test_moving_a_member_between_cells_shows_both_cells_in_the_history(tree, commune_staff_a):
    member = MemberFactory(unit=tree.cell_a1)
    member_update(member=member, by=commune_staff_a, unit=tree.cell_a2)
    latest = member.history.first()
    change = latest.diff_against(latest.prev_record).changes[0]
    assert (change.field, change.old, change.new) == ("unit", tree.cell_a1.pk, tree.cell_a2.pk)


def test_moving_a_member_through_the_record_is_recorded_as_a_transfer(tree, commune_staff_a):
    member = MemberFactory(unit=tree.cell_a1)
    member_update(member=member, by=commune_staff_a, unit=tree.cell_a2, moved_on=date(2025, 5, 1))
    event = member.events.get()
    assert (event.kind, event.on, event.from_unit, event.to_unit, event.created_by) == (
        EventKind.TRANSFER_INTERNAL,
        date(2025, 5, 1),
        tree.cell_a1,
        tree.cell_a2,
        commune_staff_a,
    )


def test_correcting_the_admission_date_moves_the_admission_event(tree, secretary_a):
    member = member_create(unit=tree.cell_a1, by=secretary_a, **member_fields())
    corrected = member.admitted_on.replace(day=1)
    member_update(member=member, by=secretary_a, admitted_on=corrected)
    assert member.events.get(kind=EventKind.ADMITTED).on == corrected


# Validation


def test_citizen_id_needs_twelve_digits(tree, secretary_a):
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **member_fields(citizen_id="01108500123"))
    assert exc.value.message_dict["citizen_id"] == ["A citizen ID number has exactly 12 digits."]


def test_citizen_id_with_letters_is_refused(tree, secretary_a):
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **member_fields(citizen_id="01108500123A"))
    assert "citizen_id" in exc.value.message_dict


def test_member_admitted_before_eighteen_is_refused(tree, secretary_a):
    fields = member_fields(birth_date=date(2000, 5, 10), admitted_on=date(2018, 5, 9))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert exc.value.message_dict["admitted_on"] == [
        "A member is admitted at 18 years of age or older."
    ]
    assert not Member.objects.exists()


def test_member_admitted_on_the_eighteenth_birthday_is_accepted(tree, secretary_a):
    fields = member_fields(birth_date=date(2000, 5, 10), admitted_on=date(2018, 5, 10))
    member = member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert member.pk is not None


def test_full_membership_before_admission_is_refused(tree, secretary_a):
    fields = member_fields(admitted_on=date(2020, 3, 2), official_on=date(2020, 3, 1))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert exc.value.message_dict["official_on"] == [
        "Full membership comes after the admission date."
    ]


def test_full_membership_on_the_admission_day_is_refused(tree, secretary_a):
    fields = member_fields(admitted_on=date(2020, 3, 2), official_on=date(2020, 3, 2))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert "official_on" in exc.value.message_dict


def test_full_member_needs_the_date_full_membership_began(tree, secretary_a):
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **member_fields(official_on=None))
    assert exc.value.message_dict["official_on"] == [
        "A full member needs the date full membership began."
    ]


def test_probationary_member_with_a_full_membership_date_is_refused(tree, secretary_a):
    fields = member_fields(status=MemberStatus.PROBATIONARY, official_on=date(2021, 1, 5))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert "status" in exc.value.message_dict


@time_machine.travel(TODAY, tick=False)
def test_admission_in_the_future_is_refused(tree, secretary_a):
    fields = member_fields(probationary=True, admitted_on=date(2025, 6, 2))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert exc.value.message_dict["admitted_on"] == ["This date is in the future."]


@time_machine.travel(TODAY, tick=False)
def test_admission_today_is_accepted(tree, secretary_a):
    fields = member_fields(probationary=True, admitted_on=date(2025, 6, 1))
    member = member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert member.admitted_on == date(2025, 6, 1)


@time_machine.travel(TODAY, tick=False)
def test_exemption_starting_in_the_future_is_refused(tree, secretary_a):
    fields = member_fields(exempt_since=date(2025, 7, 1))
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert exc.value.message_dict["exempt_since"] == ["This date is in the future."]


def test_members_belong_to_a_cell_not_a_commune(tree, commune_staff_a):
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.commune_a, by=commune_staff_a, **member_fields())
    assert exc.value.message_dict["unit"] == ["Members belong to a party cell."]


# Uniqueness


def test_second_member_with_the_same_citizen_id_is_refused(tree, secretary_a):
    MemberFactory(unit=tree.cell_a1, citizen_id="011085001234")
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **member_fields(citizen_id="011085001234"))
    assert exc.value.messages == ["Another member already has this citizen ID number."]
    assert Member.objects.filter(citizen_id="011085001234").count() == 1


def test_second_member_with_the_same_party_card_is_refused(tree, secretary_a):
    MemberFactory(unit=tree.cell_a1, card_number="41234567")
    with pytest.raises(ValidationError) as exc:
        member_create(unit=tree.cell_a1, by=secretary_a, **member_fields(card_number="41234567"))
    assert exc.value.messages == ["Another member already has this party card number."]


def test_database_refuses_a_duplicate_citizen_id(tree):
    MemberFactory(unit=tree.cell_a1, citizen_id="011085001234")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(unit=tree.cell_a2, citizen_id="011085001234")


def test_database_refuses_a_duplicate_party_card_number(tree):
    MemberFactory(unit=tree.cell_a1, card_number="41234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(unit=tree.cell_a2, card_number="41234567")


def test_many_members_may_have_no_citizen_id_or_card_yet(tree, secretary_a):
    for _ in range(3):
        member_create(
            unit=tree.cell_a1, by=secretary_a, **member_fields(citizen_id="", card_number="")
        )
    assert Member.objects.filter(citizen_id="", card_number="").count() == 3
