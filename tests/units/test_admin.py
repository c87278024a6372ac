"""The Django admin: administrators see their own subtree, read-only, and assign roles there."""

from tests.factories import MemberFactory, UserFactory
from units.models import Assignment, Role
from units.services import assignment_create


def test_giving_the_admin_role_opens_the_django_admin(tree, superuser_admin):
    user = UserFactory(username="ban.to.chuc")

    assignment_create(user=user, unit=tree.district, role=Role.ADMIN, by=superuser_admin)

    user.refresh_from_db()
    assert user.is_staff


def test_admin_member_list_holds_only_the_administrators_subtree(tree, client_for, commune_admin):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    MemberFactory(unit=tree.cell_b1, full_name="Giàng A Sử")

    response = client_for(commune_admin).get("/admin/members/member/")

    assert "Lò Văn Phương" in response.text
    assert "Giàng A Sử" not in response.text


def test_admin_cannot_change_a_member_there(tree, client_for, commune_admin):
    member = MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")

    response = client_for(commune_admin).post(
        f"/admin/members/member/{member.pk}/change/", {"full_name": "Lò Văn Khác"}
    )

    member.refresh_from_db()
    assert member.full_name == "Lò Văn Phương"
    assert response.status_code in (302, 403)


def test_admin_cannot_assign_a_role_outside_the_subtree(tree, client_for, commune_admin):
    target = UserFactory(username="nguoi.ngoai")

    response = client_for(commune_admin).post(
        "/admin/units/assignment/add/",
        {"user": target.pk, "unit": tree.cell_b1.pk, "role": Role.SECRETARY},
    )

    assert response.status_code == 403
    assert not Assignment.objects.filter(user=target).exists()


def test_admin_assigns_a_secretary_inside_the_subtree(tree, client_for, commune_admin):
    target = UserFactory(username="bi.thu.moi")

    client_for(commune_admin).post(
        "/admin/units/assignment/add/",
        {"user": target.pk, "unit": tree.cell_a1.pk, "role": Role.SECRETARY},
    )

    assignment = Assignment.objects.get(user=target)
    assert assignment.history.first().history_user == commune_admin


def test_viewer_has_no_django_admin(tree, client_for, viewer):
    viewer.is_staff = True
    viewer.save()

    response = client_for(viewer).get("/admin/members/member/")

    assert response.status_code == 403


def test_admin_sees_accounts_of_her_subtree_but_not_of_others(
    tree, client_for, commune_admin, secretary_a, secretary_b
):
    response = client_for(commune_admin).get("/admin/auth/user/")

    assert secretary_a.username in response.text
    assert secretary_b.username not in response.text


def test_admin_cannot_make_anyone_a_superuser(tree, client_for, commune_admin, secretary_a):
    client_for(commune_admin).post(
        f"/admin/auth/user/{secretary_a.pk}/change/",
        {"username": secretary_a.username, "is_active": "on", "is_superuser": "on"},
    )

    secretary_a.refresh_from_db()
    assert not secretary_a.is_superuser


def test_admin_cannot_open_an_account_of_another_commune(
    tree, client_for, commune_admin, secretary_b
):
    response = client_for(commune_admin).get(f"/admin/auth/user/{secretary_b.pk}/change/")

    assert response.status_code in (302, 403, 404)
    assert secretary_b.username not in response.text


def test_admin_opens_an_account_for_a_new_secretary(tree, client_for, commune_admin):
    from django.contrib.auth.models import User

    client_for(commune_admin).post(
        "/admin/auth/user/add/",
        {
            "username": "bithu.banmen",
            "password1": "một-mật-khẩu-dài-2026",
            "password2": "một-mật-khẩu-dài-2026",
            "usable_password": "true",
        },
    )

    assert User.objects.filter(username="bithu.banmen", is_superuser=False).exists()
