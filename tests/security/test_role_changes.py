"""Role changes leave an event naming who made them and what changed, however they were made."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind
from tests.factories import UserFactory
from units.models import Assignment, Role
from units.services import assignment_create, assignment_delete


def _role_changes():
    return list(AuditEvent.objects.filter(kind=AuditKind.ROLE_CHANGE).order_by("pk"))


def test_giving_a_role_records_who_gave_it_and_the_new_role(tree, district_admin):
    user = UserFactory(username="mai.bt")
    before = len(_role_changes())

    assignment_create(user=user, unit=tree.commune_a, role=Role.STAFF, by=district_admin)

    event = _role_changes()[before]
    assert (event.user, event.unit_path) == (district_admin, tree.commune_a.path)
    assert event.detail["before"] is None
    assert event.detail["after"] == {
        "user": "mai.bt",
        "unit": tree.commune_a.display_name,
        "role": "staff",
    }


def test_taking_a_role_away_records_the_role_it_was(tree, district_admin, secretary_a):
    assignment = Assignment.objects.get(user=secretary_a)

    assignment_delete(assignment=assignment, by=district_admin)

    event = _role_changes()[-1]
    assert event.user == district_admin
    assert (event.detail["before"]["role"], event.detail["after"]) == ("secretary", None)


def test_changing_a_role_records_before_and_after(tree, secretary_a):
    assignment = Assignment.objects.get(user=secretary_a)
    assignment.role = Role.VIEWER
    assignment.save()

    event = _role_changes()[-1]
    assert (event.detail["before"]["role"], event.detail["after"]["role"]) == (
        "secretary",
        "viewer",
    )


def test_a_role_given_in_the_admin_names_the_signed_in_administrator(
    tree, superuser_admin, client_for
):
    user = UserFactory(username="mai.bt")
    response = client_for(superuser_admin).post(
        reverse("admin:units_assignment_add"),
        {"user": user.pk, "unit": tree.cell_a2.pk, "role": Role.SECRETARY},
    )

    event = _role_changes()[-1]
    assert response.status_code == 302
    assert (event.user, event.path) == (superuser_admin, reverse("admin:units_assignment_add"))
    assert event.detail["after"]["user"] == "mai.bt"


def test_making_a_user_a_superuser_records_the_flag_before_and_after(db):
    user = UserFactory(username="mai.bt")

    user.is_superuser = True
    user.save()

    event = _role_changes()[-1]
    assert event.object_repr == "mai.bt"
    assert (event.detail["before"], event.detail["after"]) == (
        {"is_superuser": False},
        {"is_superuser": True},
    )


def test_deactivating_a_user_is_recorded(db):
    user = UserFactory(username="mai.bt")

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert _role_changes()[-1].detail["after"] == {"is_active": False}


def test_signing_in_or_renaming_a_user_records_no_role_change(db, client):
    user = UserFactory(username="mai.bt")
    client.force_login(user)
    user.first_name = "Mai"
    user.save()

    assert _role_changes() == []


def test_adding_and_removing_a_group_is_recorded(db):
    user = UserFactory(username="mai.bt")
    group = Group.objects.create(name="Ban Tổ chức")

    user.groups.add(group)
    user.groups.clear()

    added, removed = _role_changes()
    assert added.detail == {"change": "groups_changed", "subject": "mai.bt", "added": [group.name]}
    assert removed.detail["removed"] == [group.name]


def test_a_permission_given_to_a_user_or_a_group_is_recorded(db):
    user = UserFactory(username="mai.bt")
    group = Group.objects.create(name="Thanh tra")
    permission = Permission.objects.get(codename="view_audit_trail")

    user.user_permissions.add(permission)
    group.permissions.add(permission)

    for_user, for_group = _role_changes()
    assert for_user.detail["added"] == for_group.detail["added"] == ["accounts.view_audit_trail"]
    assert (for_user.object_repr, for_group.object_repr) == ("mai.bt", "Thanh tra")


def test_no_role_change_event_holds_a_password(tree, district_admin):
    user = UserFactory(username="mai.bt", is_staff=True)
    assignment_create(user=user, unit=tree.commune_a, role=Role.ADMIN, by=district_admin)

    stored = [str(e.detail) + e.object_repr for e in _role_changes()]
    assert stored and not any(user.password in text for text in stored)
