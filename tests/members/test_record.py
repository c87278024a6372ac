"""The full member record: its rules (dates in order, probation from the ceremony), the form in
groups, the member page, and the register's columns read back with openpyxl."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from members import services
from members.choices import EventKind, Qualification, ServiceBackground, TransferScope
from members.models import Member
from tests.accounts.factories import warm
from tests.factories import MemberFactory, member_fields
from tests.members.test_views import form_data

TODAY = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def fields(**overrides) -> dict:
    """A valid record born in 1980, whatever the factory's running birth dates."""
    return member_fields(**{"birth_date": date(1980, 3, 2), **overrides})


def errors_of(**overrides) -> dict:
    """The record's validation errors, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            Member(**fields(**overrides)).clean()
        return {k: [str(m) for m in v] for k, v in exc.value.message_dict.items()}


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


# Rules of the record


def test_ceremony_before_the_admission_decision_is_refused():
    errors = errors_of(admitted_on=date(2015, 6, 1), ceremony_on=date(2015, 5, 31))
    assert errors["ceremony_on"] == ["The admission ceremony comes after the admission decision."]


def test_full_membership_within_twelve_months_of_the_ceremony_is_refused():
    errors = errors_of(
        admitted_on=date(2015, 6, 1), ceremony_on=date(2015, 6, 20), official_on=date(2016, 6, 19)
    )
    assert errors["official_on"] == [
        "Full membership begins no earlier than 12 months after the admission ceremony "
        "(20/06/2016)."
    ]


def test_full_membership_twelve_months_after_the_ceremony_is_accepted(tree):
    record = fields(
        admitted_on=date(2015, 6, 1), ceremony_on=date(2015, 6, 20), official_on=date(2016, 6, 20)
    )
    Member(unit=tree.cell_a1, **record).full_clean(validate_unique=False)


def test_without_a_ceremony_probation_counts_from_the_decision():
    errors = errors_of(
        admitted_on=date(2015, 6, 1), ceremony_on=None, official_on=date(2016, 5, 31)
    )
    assert "(01/06/2016)" in errors["official_on"][0]


def test_ceremony_in_the_future_is_refused():
    errors = errors_of(
        probationary=True, admitted_on=date(2026, 2, 1), ceremony_on=date(2026, 3, 2)
    )
    assert errors["ceremony_on"] == ["This date is in the future."]


def test_birth_date_in_the_future_is_refused():
    assert errors_of(birth_date=date(2026, 3, 2))["birth_date"] == ["This date is in the future."]


def test_exemption_before_admission_is_refused():
    errors = errors_of(admitted_on=date(2015, 6, 1), exempt_since=date(2015, 1, 1))
    assert errors["exempt_since"] == ["An exemption from activity cannot begin before admission."]


def test_temporary_transfer_ending_before_it_begins_is_refused():
    errors = errors_of(away_since=date(2025, 6, 1), away_until=date(2025, 5, 1))
    assert errors["away_until"] == ["A temporary transfer ends after the day it begins."]


# The form


def test_new_member_form_has_every_field_of_the_record(tree, secretary_a, client_for):
    html = client_for(secretary_a).get(reverse("member_create")).content.decode()
    for name in (
        "birth_place",
        "permanent_address",
        "temporary_address",
        "cv_number",
        "badge_number",
        "ceremony_on",
        "qualification",
        "foreign_language",
        "occupation_before",
        "youth_union",
        "service_background",
        "notes",
    ):
        assert f'name="{name}"' in html, name


def test_member_form_is_grouped(tree, secretary_a, client_for):
    html = client_for(secretary_a).get(reverse("member_create")).content.decode()
    assert html.count("<fieldset") == 5


def test_edit_form_leaves_the_cell_and_full_membership_to_the_events(tree, secretary_a, client_for):
    member = MemberFactory(unit=tree.cell_a1)
    html = client_for(secretary_a).get(reverse("member_edit", args=[member.pk])).content.decode()
    assert 'name="unit"' not in html and 'name="official_on"' not in html


def test_full_record_is_saved_from_the_form(tree, secretary_a, client_for):
    data = form_data(
        unit=tree.cell_a1.pk,
        birth_place="Xã Mường Mươn, huyện Mường Chà",
        permanent_address="Bản Mển, xã Mường Mươn",
        cv_number="LL-0345",
        badge_number="",
        ceremony_on="15/06/2015",
        official_on="15/06/2016",
        qualification=Qualification.INTERMEDIATE,
        foreign_language="Tiếng Lào",
        occupation_before="farmer",
        youth_union="on",
        service_background=ServiceBackground.VETERAN,
        notes="Nguyên trưởng bản",
    )
    assert client_for(secretary_a).post(reverse("member_create"), data).status_code == 302
    member = Member.objects.get(cv_number="LL-0345")
    assert (member.ceremony_on, member.youth_union, member.qualification) == (
        date(2015, 6, 15),
        True,
        Qualification.INTERMEDIATE,
    )


def test_form_shows_the_probation_rule(tree, secretary_a, client_for):
    data = form_data(unit=tree.cell_a1.pk, ceremony_on="15/06/2015", official_on="01/06/2016")
    response = client_for(secretary_a).post(reverse("member_create"), data)
    message = vi(
        "Full membership begins no earlier than %(months)d months after the admission "
        "ceremony (%(day)s)."
    ) % {"months": 12, "day": "15/06/2016"}
    assert response.context["form"].errors["official_on"] == [message]
    assert not Member.objects.exists()


def test_form_shows_the_ceremony_rule(tree, secretary_a, client_for):
    data = form_data(unit=tree.cell_a1.pk, ceremony_on="31/05/2015")
    response = client_for(secretary_a).post(reverse("member_create"), data)
    assert response.context["form"].errors["ceremony_on"] == [
        vi("The admission ceremony comes after the admission decision.")
    ]


def test_edit_that_breaks_a_rule_of_a_field_not_on_the_form_is_shown_above_it(
    tree, secretary_a, client_for
):
    member = MemberFactory(
        unit=tree.cell_a1, admitted_on=date(2015, 6, 1), official_on=date(2016, 6, 1)
    )
    data = form_data(member, ceremony_on="01/07/2015")
    response = client_for(secretary_a).post(reverse("member_edit", args=[member.pk]), data)
    assert response.status_code == 200
    assert "(01/07/2016)" in response.context["form"].non_field_errors()[0]


# The member page


def test_member_page_shows_the_full_record(tree, secretary_a, client_for):
    member = MemberFactory(
        unit=tree.cell_a1,
        cv_number="LL-0345",
        badge_number="HH-30-1207",
        birth_place="Xã Sa Lông, huyện Mường Chà",
        permanent_address="Bản Huổi Mí",
        foreign_language="Tiếng Trung",
        admitted_on=date(2015, 6, 1),
        ceremony_on=date(2015, 6, 20),
        official_on=date(2016, 6, 20),
    )
    # The address is a sensitive field: in full from the "Show" button, for a user with the right.
    secretary_a.user_permissions.add(Permission.objects.get(codename="view_sensitive_fields"))
    client = client_for(secretary_a)
    html = client.get(member.get_absolute_url()).content.decode()
    html += client.get(reverse("member_sensitive", args=[member.pk])).content.decode()
    for text in (
        "LL-0345",
        "HH-30-1207",
        "Xã Sa Lông, huyện Mường Chà",
        "Bản Huổi Mí",
        "Tiếng Trung",
        "20/06/2015",
    ):
        assert text in html, text


# The register


def register(client, unit) -> dict:
    """{full name: {header: value}} of the register of `unit`."""
    response = client.get(reverse("member_register_export", args=[unit.pk]))
    rows = load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    headers = next(rows)
    return {row[1]: dict(zip(headers, row, strict=True)) for row in rows}


def header(text: str) -> str:
    value = vi(text)
    return value[:1].upper() + value[1:]


@pytest.fixture
def register_members(tree, commune_staff_a):
    stayed = MemberFactory(
        unit=tree.cell_a1,
        full_name="Lò Văn Phương",
        cv_number="LL-0345",
        badge_number="HH-30-1207",
        admitted_on=date(2015, 6, 1),
        ceremony_on=date(2015, 6, 20),
        official_on=date(2016, 6, 20),
    )
    came = services.member_transfer_in(
        unit=tree.cell_a1,
        scope=TransferScope.OTHER_PROVINCE,
        place="Đảng bộ xã Nậm Tăm, tỉnh Lai Châu",
        on=date(2025, 9, 15),
        by=commune_staff_a,
        **member_fields(full_name="Cầm Văn Hặc"),
    )
    left = MemberFactory(unit=tree.cell_a1, full_name="Giàng A Sử")
    services.member_transfer_out(
        member=left,
        scope=TransferScope.OTHER_DISTRICT,
        place="Đảng bộ xã Quài Tở, huyện Tuần Giáo",
        on=date(2026, 1, 10),
        by=commune_staff_a,
    )
    return stayed, came, left


def test_register_has_the_card_cv_and_badge_numbers_and_the_ceremony(
    register_members, tree, commune_staff_a, client_for
):
    with translation.override("vi"):
        row = register(client_for(commune_staff_a), tree.commune_a)["Lò Văn Phương"]
        ceremony = header(str(Member._meta.get_field("ceremony_on").verbose_name))
        cv = header(str(Member._meta.get_field("cv_number").verbose_name))
        badge = header(str(Member._meta.get_field("badge_number").verbose_name))
    assert (row[cv], row[badge]) == ("LL-0345", "HH-30-1207")
    assert row[ceremony] == datetime(2015, 6, 20)


def test_register_has_the_transfer_in_with_its_date_and_place(
    register_members, tree, commune_staff_a, client_for
):
    with translation.override("vi"):
        row = register(client_for(commune_staff_a), tree.commune_a)["Cầm Văn Hặc"]
        on, place = header("transferred in on"), header("transferred in from")
    assert row[on] == datetime(2025, 9, 15)
    assert row[place].startswith("Đảng bộ xã Nậm Tăm, tỉnh Lai Châu")


def test_register_has_the_transfer_out_and_the_date_and_form_of_leaving(
    register_members, tree, commune_staff_a, client_for
):
    with translation.override("vi"):
        row = register(client_for(commune_staff_a), tree.commune_a)["Giàng A Sử"]
        on, place = header("transferred out on"), header("transferred out to")
        left = header(str(Member._meta.get_field("left_on").verbose_name))
        form = header("form of leaving")
        status = gettext("transferred out")
    assert row[on] == row[left] == datetime(2026, 1, 10)
    assert row[place].startswith("Đảng bộ xã Quài Tở, huyện Tuần Giáo")
    assert row[form].lower() == status.lower()


def test_register_reads_transfers_in_a_fixed_number_of_queries(
    register_members, tree, commune_staff_a, client_for, django_assert_max_num_queries
):
    client = warm(client_for(commune_staff_a))
    url = reverse("member_register_export", args=[tree.commune_a.pk])
    # 12: the register's reads, the export's audit event and the session's two-factor device
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(10):
        services.member_transfer_out(
            member=MemberFactory(unit=tree.cell_a1, full_name=f"Lò Văn Phương {n}"),
            scope=TransferScope.OTHER_DISTRICT,
            place="Đảng bộ xã Quài Tở",
            on=date(2026, 1, 10),
            by=commune_staff_a,
        )
    with django_assert_max_num_queries(12) as many:
        client.get(url)
    assert len(many) == len(few)


def test_transfer_in_has_no_admission_event_here(register_members):
    _stayed, came, _left = register_members
    assert not came.events.filter(kind=EventKind.ADMITTED).exists()
