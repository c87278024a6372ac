"""Checks of a generated province: the tree, the rows' links, the stored figures, the project's
own rules for member records, and the personas' pages."""

from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings.services import recompute_rollups
from members.choices import MemberStatus
from members.models import Member
from members.rules import probation_ends
from units.models import CELL_KINDS, Unit, UnitKind

# (table, column, referenced table): links loaded without per-row foreign-key checks.
LINKS = (
    ("meetings_attendance", "meeting_id", "meetings_meeting"),
    ("meetings_attendance", "member_id", "members_member"),
    ("meetings_meeting", "cell_id", "units_unit"),
    ("members_member", "unit_id", "units_unit"),
    ("members_member", "residence_village_id", "units_village"),
    ("members_placement", "member_id", "members_member"),
    ("members_placement", "unit_id", "units_unit"),
    ("members_membershipevent", "member_id", "members_member"),
    ("members_candidate", "member_id", "members_member"),
    ("units_officer", "member_id", "members_member"),
    ("units_village", "cell_id", "units_unit"),
)
SAMPLE = 300  # member records checked by Model.full_clean


def _scalar(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def tree_problems() -> list[str]:
    bad_paths = _scalar(
        "SELECT count(*) FROM units_unit u LEFT JOIN units_unit p ON p.id = u.parent_id "
        "WHERE u.path <> coalesce(p.path, '') || u.id || '.' "
        "OR u.depth <> coalesce(p.depth + 1, 0)"
    )
    bad_versions = _scalar(
        "SELECT count(*) FROM units_unitversion v JOIN units_unit u ON u.id = v.unit_id "
        "WHERE v.valid_to IS NULL AND (v.path <> u.path OR v.name <> u.name) "
        "AND u.dissolved_on IS NULL"
    )
    problems = []
    if bad_paths:
        problems.append(f"{bad_paths} units whose path is not their parent's path and id")
    if bad_versions:
        problems.append(f"{bad_versions} current unit versions unlike their unit")
    return problems


def link_problems() -> list[str]:
    problems = []
    for table, column, target in LINKS:
        missing = _scalar(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} r WHERE r.id = t.{column})"
        )
        if missing:
            problems.append(f"{missing} rows of {table}.{column} point nowhere")
    return problems


def count_problems() -> list[str]:
    """The meetings' stored counts against their attendance rows, then rollups and absences
    against the meetings and rows (meetings.services.recompute_rollups, without fixing)."""
    wrong = _scalar(
        """
        SELECT count(*) FROM meetings_meeting m LEFT JOIN (
            SELECT meeting_id,
                count(*) FILTER (WHERE NOT is_apart) AS expected,
                count(*) FILTER (WHERE NOT is_apart AND status = 'present') AS present,
                count(*) FILTER (WHERE is_apart) AS apart
            FROM meetings_attendance GROUP BY meeting_id
        ) a ON a.meeting_id = m.id
        WHERE m.expected_count <> coalesce(a.expected, 0)
           OR m.present_count <> coalesce(a.present, 0)
           OR m.apart_count <> coalesce(a.apart, 0)
        """
    )
    problems = [f"{wrong} meetings whose counts differ from their rows"] if wrong else []
    return problems + recompute_rollups(fix=False)


def member_problems(today: date) -> list[str]:
    """Statuses, dates and events as the member services keep them; Model.full_clean on a
    sample of records."""
    problems = []
    counts = {
        "admitted before 18": "admitted_on < birth_date + interval '18 years'",
        "full without a full-membership date": "status = 'full' AND official_on IS NULL",
        "probationary with a full-membership date": "status = 'probationary' "
        "AND official_on IS NOT NULL",
        "on the rolls with a leaving date": "status IN ('full', 'probationary') "
        "AND left_on IS NOT NULL",
        "off the rolls without a leaving date": "status NOT IN ('full', 'probationary') "
        "AND left_on IS NULL",
        "dated in the future": "greatest(birth_date, admitted_on, ceremony_on, official_on, "
        "exempt_since, left_on, away_since) > %s",
        "not in a cell": "unit_id NOT IN (SELECT id FROM units_unit "
        "WHERE kind IN ('base_cell', 'sub_cell'))",
        "placed nowhere now": "status IN ('full', 'probationary') AND NOT EXISTS ("
        "SELECT 1 FROM members_placement p WHERE p.member_id = members_member.id "
        "AND p.valid_to IS NULL AND p.unit_id = members_member.unit_id)",
        "without an entry event": "NOT EXISTS (SELECT 1 FROM members_membershipevent e "
        "WHERE e.member_id = members_member.id AND e.kind IN ('admitted', 'transfer_in', "
        "'reinstated'))",
    }
    for label, where in counts.items():
        params = [today] if "%s" in where else []
        found = _scalar(f"SELECT count(*) FROM members_member WHERE {where}", params)
        if found:
            problems.append(f"{found} members {label}")
    for m in Member.objects.select_related("unit").order_by("sort_key", "birth_date")[:SAMPLE]:
        if m.official_on and m.official_on < probation_ends(m.ceremony_on or m.admitted_on):
            problems.append(f"{m.full_name}: full member before the probation ended")
        try:
            m.full_clean(validate_unique=False)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            problems.append(f"{m.full_name}: {error}")
    return problems


def _client_for(username: str) -> Client:
    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def page_problems(personas: list[dict]) -> list[str]:
    """The pages the benchmark times answer 200 for the personas who use them."""
    by_role = {p["role"]: p for p in personas}
    province, commune, cell = (
        by_role["admin"]["unit_id"],
        by_role["staff"]["unit_id"],
        by_role["secretary"]["unit_id"],
    )
    pages = [
        ("bench-province", reverse("report_dashboard", args=[province])),
        ("bench-viewer", reverse("report_dashboard", args=[province])),
        ("bench-commune", reverse("member_list") + f"?unit={commune}"),
        ("bench-commune", reverse("meeting_grid", args=[commune])),
        ("bench-viewer", reverse("member_list") + "?q=lo+van"),
        ("bench-secretary", reverse("meeting_list", args=[cell])),
        ("bench-secretary", reverse("member_list")),
    ]
    problems = []
    clients = {}
    for username, url in pages:
        client = clients.setdefault(username, _client_for(username))
        status = client.get(url, HTTP_HOST="127.0.0.1").status_code
        if status != 200:
            problems.append(f"{username} {url}: {status}")
    return problems


def active_members() -> int:
    return Member.objects.active().count()


def summary_counts(province: Unit) -> dict:
    return {
        "communes": Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).count(),
        "cells": Unit.objects.subtree(province.path).filter(kind__in=CELL_KINDS).active().count(),
        "active members": active_members(),
        "deceased": Member.objects.filter(status=MemberStatus.DECEASED).count(),
    }
