"""Generate the province: draw everything in memory in a fixed order, write it by COPY, compute
the stored figures in SQL, then the personas and two reorganisations through the services."""

import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from bench.scale.ids import Ids, copy_objects, copy_rows
from bench.scale.meetings import stored_figures, write_meetings
from bench.scale.people import EVENT_COLUMNS, PeopleBuilder
from bench.scale.tree import PROVINCE_CODE, TreeBuilder
from meetings.rules import add_months, month_start
from members.choices import ACTIVE_STATUSES, MemberStatus
from members.models import Candidate, Member, MembershipEvent, Placement
from units.demo.build import TERM_2020, TERM_2025, _Builder
from units.models import Officer, OfficerRole, Term, Unit, UnitVersion, Village, VillageCoverage
from units.services import BEGINNING, coverage_rows, version_of

GROWTH = 0.019  # net yearly growth of the rolls at the rates of bench.scale.people


class GenerateError(Exception):
    pass


@dataclass
class Result:
    province: Unit
    seconds: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    active_members: int = 0


def window(years: int, today: date | None = None) -> tuple[date, date]:
    """The first month and the last day of `years` whole months-years ending last month."""
    today = today or timezone.localdate()
    first = add_months(month_start(today), -12 * years)
    return first, month_start(today) - timedelta(days=1)


def database_is_empty() -> bool:
    return not (Unit.objects.exists() or Member.objects.exists())


def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


class _Clock:
    def __init__(self, result: Result, say):
        self.result, self.say, self.last = result, say, time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.result.seconds[name] = round(now - self.last, 1)
        self.say(f"{name}: {now - self.last:.1f} s")
        self.last = now


def generate(*, members: int, cells: int, communes: int, years: int, seed: int, say=print):
    """Write the province; the caller holds the transaction and checks the database is empty."""
    if connection.vendor != "postgresql":
        raise GenerateError(
            "generate_scale writes by COPY and computes its figures in PostgreSQL's SQL: "
            "point DATABASE_URL at a PostgreSQL database."
        )
    if not (1 <= communes <= cells) or members < 6 * cells or years < 1:
        raise GenerateError("Ask for at least one commune, a cell per commune, 6 members a cell.")
    first_month, until = window(years)
    result = Result(province=None)
    clock = _Clock(result, say)
    draws = _Builder(by=None)
    draws.rng, draws.rng_left = random.Random(seed), random.Random(seed + 1)
    ids = Ids()
    start_members = round(members / (1 + GROWTH) ** years)
    province = TreeBuilder(draws, ids).build(communes=communes, cells=cells, members=start_members)
    result.province = province.unit
    people = PeopleBuilder(draws, province, ids, first_month=first_month, until=until)
    pop = people.build()
    clock.lap("draw the tree and the members")

    with connection.cursor() as cursor:
        replica = _superuser()
        if replica:
            # Every row is consistent by construction (checked afterwards): no per-row
            # foreign-key triggers while loading.
            cursor.execute("SET LOCAL session_replication_role = replica")
    copy_objects(Unit, province.units)
    copy_objects(
        UnitVersion,
        [version_of(u, u.founded_on or BEGINNING) for u in province.units],
        exclude=("id",),
    )
    copy_objects(Village, province.villages)
    copy_objects(VillageCoverage, coverage_rows(province.villages, BEGINNING), exclude=("id",))
    copy_objects(Member, pop.members)
    copy_rows(
        Placement._meta.db_table,
        ["member_id", "unit_id", "valid_from", "valid_to"],
        ((m.pk, cell, start, end) for m in pop.members for cell, start, end in pop.stays[m.pk]),
    )
    copy_rows(MembershipEvent._meta.db_table, EVENT_COLUMNS, pop.events)
    copy_objects(Candidate, pop.candidates, exclude=("id",))
    _offices(province, people, ids, until)
    clock.lap("write units, villages, members, events, officers")

    result.rows.update(
        write_meetings(draws.rng, province, pop, ids, first_month=first_month, until=until)
    )
    clock.lap("draw and write meetings and attendance")
    stored_figures()
    if replica:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    clock.lap("stored counts and rollups")
    result.active_members = sum(1 for m in pop.members if m.status in ACTIVE_STATUSES)
    return result, clock


def _offices(province, people, ids, until: date) -> None:
    """Terms 2020-2025 and 2025-2030 of every unit; a secretary (and a deputy in cells of 15
    or more) for every cell, and a commune's secretary, deputy and standing member, in office
    since the term began when they were already there (as units.demo.build.renew_terms)."""
    terms, officers = [], []
    current = {}
    for unit in province.units:
        for name, starts, ends in (TERM_2020, TERM_2025):
            term_id = ids.next(Term)
            terms.append((term_id, unit.pk, name, starts, ends))
            current[unit.pk] = (term_id, starts)
    roll = people.roll
    for plan in province.plans:
        term_id, starts = current[plan.unit.pk]
        full = [m for m in roll[plan.unit.pk] if m.status == MemberStatus.FULL]
        full.sort(key=lambda m: (people.pop.stays[m.pk][-1][1], m.admitted_on, m.sort_key))
        roles = [OfficerRole.SECRETARY] + (
            [OfficerRole.DEPUTY_SECRETARY] if len(full) >= 15 else []
        )
        for role, m in zip(roles, full, strict=False):
            since = max(starts, people.pop.stays[m.pk][-1][1])
            officers.append((plan.unit.pk, m.pk, role, term_id, min(since, until), None, False))
    for commune in province.communes:
        term_id, starts = current[commune.unit.pk]
        staff = [m for p in commune.cells if p.profile == "commune_agency" for m in roll[p.unit.pk]]
        staff = staff or [m for p in commune.cells for m in roll[p.unit.pk]]
        staff = [m for m in staff if m.status == MemberStatus.FULL]
        roles = (OfficerRole.SECRETARY, OfficerRole.DEPUTY_SECRETARY, OfficerRole.STANDING)
        for role, m in zip(roles, staff, strict=False):
            since = max(starts, people.pop.stays[m.pk][-1][1])
            officers.append((commune.unit.pk, m.pk, role, term_id, min(since, until), None, False))
    copy_rows(Term._meta.db_table, ["id", "unit_id", "name", "starts_on", "ends_on"], terms)
    copy_rows(
        Officer._meta.db_table,
        ["unit_id", "member_id", "role", "term_id", "starts_on", "ends_on", "is_village_head"],
        officers,
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def table_rows() -> dict[str, int]:
    """Rows per table of chibo's apps that hold any (what a full run reports)."""
    from units.demo.build import chibo_tables

    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(chibo_tables()):
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")
            count = cursor.fetchone()[0]
            if count:
                counts[table] = count
    return counts


def province_unit() -> Unit | None:
    return Unit.objects.filter(code=PROVINCE_CODE).first()
