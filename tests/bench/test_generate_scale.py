"""generate_scale: a tiny province, checked as the full one is (PostgreSQL only: COPY)."""

import hashlib
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from bench.scale import checks
from meetings.models import Attendance, Meeting, MemberMonth, MonthlyRollup
from members.models import Member, MembershipEvent, Placement
from tests.factories import UnitFactory
from units.models import CELL_KINDS, Unit, UnitKind

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="generate_scale writes by COPY and sums in PostgreSQL: run with DATABASE_URL",
)

SIZE = ["--members", "600", "--cells", "20", "--communes", "3", "--years", "1"]
TOLERANCE = 0.05  # active members at the end, against the number asked for


def generate(tmp_path, *extra):
    path = tmp_path / "personas.json"
    call_command("generate_scale", *SIZE, "--no-check", "--personas", str(path), *extra)
    return json.loads(path.read_text(encoding="utf-8"))


def signature() -> str:
    """A hash of the generated rows in a fixed order, ids replaced by their rank in their own
    table (the sequences move on between runs; the order they were drawn in does not)."""
    units = {pk: i for i, pk in enumerate(Unit.objects.order_by("pk").values_list("pk", flat=True))}
    members = {
        pk: i for i, pk in enumerate(Member.objects.order_by("pk").values_list("pk", flat=True))
    }
    meetings = {
        pk: i for i, pk in enumerate(Meeting.objects.order_by("pk").values_list("pk", flat=True))
    }
    rollups, absences = MonthlyRollup.objects.all(), MemberMonth.objects.all()
    parts = [
        [(units.get(p), k, n) for p, k, n in Unit.objects.values_list("parent", "kind", "name")],
        [
            (units[u], *rest)
            for u, *rest in Member.objects.values_list(
                "unit", "full_name", "sex", "birth_date", "ethnicity", "status", "admitted_on",
                "official_on", "left_on", "exempt_since", "citizen_id", "education", "occupation",
            )
        ],  # fmt: skip
        [
            (members[m], units[u], a, b)
            for m, u, a, b in Placement.objects.values_list(
                "member", "unit", "valid_from", "valid_to"
            )
        ],
        [
            (members[m], k, on)
            for m, k, on in MembershipEvent.objects.values_list("member", "kind", "on")
        ],
        [
            (units[c], d, k, e, p)
            for c, d, k, e, p in Meeting.objects.values_list(
                "cell", "held_on", "kind", "expected_count", "present_count"
            )
        ],
        [
            (meetings[mt], members[m], s, r, a)
            for mt, m, s, r, a in Attendance.objects.values_list(
                "meeting", "member", "status", "reason", "is_apart"
            )
        ],
        [(units[u], m, g) for u, m, g in rollups.values_list("unit", "month", "good_quality")],
        [(members[m], mo, n) for m, mo, n in absences.values_list("member", "month", "absences")],
    ]  # fmt: skip
    return hashlib.sha256(repr([sorted(p, key=repr) for p in parts]).encode()).hexdigest()


@postgresql_only
def test_a_tiny_province_has_what_was_asked_and_its_figures_add_up(tmp_path):
    generate(tmp_path)

    province = Unit.objects.get(kind=UnitKind.PROVINCIAL)
    assert Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).count() == 3
    # 20 cells, one of them merged into another this month.
    assert Unit.objects.filter(kind__in=CELL_KINDS).count() == 20
    assert Unit.objects.filter(kind__in=CELL_KINDS, dissolved_on__isnull=True).count() == 19
    assert checks.active_members() == pytest.approx(600, rel=TOLERANCE)
    assert Meeting.objects.count() > 19 * 10
    assert Attendance.objects.count() > 600 * 8
    assert checks.tree_problems() == []
    assert checks.link_problems() == []
    assert checks.count_problems() == []
    assert checks.member_problems(date.today()) == []
    # Deaths, admissions with their candidacies, moves, removal alerts' absences.
    kinds = set(MembershipEvent.objects.values_list("kind", flat=True))
    assert {"admitted", "recognised", "transfer_internal"} <= kinds
    assert Member.objects.filter(candidacy__isnull=False).exists()
    assert MemberMonth.objects.filter(unexcused__gte=1).exists()


@postgresql_only
def test_the_same_seed_gives_the_same_province(tmp_path):
    with transaction.atomic():
        generate(tmp_path)
        first = signature()
        transaction.set_rollback(True)
    generate(tmp_path)
    assert signature() == first


@postgresql_only
def test_the_personas_open_their_dashboard_member_list_and_meeting_grid(tmp_path):
    personas = generate(tmp_path)["personas"]

    assert [p["username"] for p in personas] == [
        "bench-province", "bench-commune", "bench-secretary", "bench-viewer",
    ]  # fmt: skip
    by_name = {p["username"]: p for p in personas}
    assert by_name["bench-province"]["totp_key"] and len(by_name["bench-viewer"]["totp_key"]) == 40
    assert by_name["bench-secretary"]["totp_key"] is None
    assert checks.page_problems(personas) == []


def test_a_database_with_units_is_refused_without_reset(tmp_path):
    UnitFactory(kind=UnitKind.PROVINCIAL)
    with pytest.raises(CommandError, match="empty"):
        generate(tmp_path)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's refusal")
def test_sqlite_is_refused_with_the_reason(tmp_path):
    with pytest.raises(CommandError, match="PostgreSQL"):
        generate(tmp_path)
