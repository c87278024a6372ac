"""Monthly meetings of every cell with their attendance, then every stored figure in SQL.

The demo's habits (meetings.demo): most cells meet every month with 80-95% present, some lag
near 70%, a few skip months; a cell that holds thematic meetings holds its quarter's last
monthly meeting as one (one meeting a month: the province's budget counts 180,000 meetings for
3,000 cells over 5 years). Members on long unexcused absences (PeopleBuilder.finish) miss every
meeting from the day it began, so the removal alert has candidates. Attendance rows go to the
database as COPY text from a scratch file; the meetings' stored counts, the cells' monthly
rollups and the members' monthly absences are then computed from them by grouped SQL.
"""

import tempfile
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from bench.scale.ids import copy_rows
from meetings.demo import CONTENTS, EXCUSES, GUESTS, RESOLUTIONS, TASKS, THEMATIC_TOPICS
from meetings.models import (
    ApartReason,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MemberMonth,
    MonthlyRollup,
    PlanStatus,
    Task,
    ThematicPlan,
)
from meetings.rules import GOOD_QUALITY_RATE, add_months, month_start, quarter_of
from meetings.selectors import is_away_on

MEETING_COLUMNS = (
    "id", "cell_id", "held_on", "kind", "is_model", "topic", "place", "chair_id", "recorder_id",
    "guests", "content", "resolution", "thematic_plan_id", "expected_count", "present_count",
    "excused_count", "unexcused_count", "apart_count", "version", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
ATTENDANCE_COLUMNS = ("meeting_id", "member_id", "status", "reason", "is_apart", "apart_reason")


def _habits(rng) -> dict:
    draw = rng.random()
    if draw < 0.06:
        return {"skip": 0.45, "rate": rng.uniform(0.62, 0.75)}  # rarely meets
    if draw < 0.2:
        return {"skip": 0.05, "rate": rng.uniform(0.66, 0.76)}  # lagging attendance
    return {"skip": 0.01, "rate": rng.uniform(0.82, 0.95)}


def write_meetings(rng, province, pop, ids, *, first_month: date, until: date) -> dict:
    """Every cell's meetings from `first_month` to `until`; returns row counts."""
    stays: dict[int, list] = {p.unit.pk: [] for p in province.plans}
    for m in pop.members:
        for cell_id, start, end in pop.stays[m.pk]:
            stays[cell_id].append((m, start, end))
    now = timezone.now()
    plans_from = date(until.year - 1, 1, 1)
    meetings, plans, tasks = [], [], []
    attendance = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as rows:
        for plan in province.plans:
            cell = plan.unit
            habits = _habits(rng)
            thematic = rng.random() < 0.85
            month = first_month
            while month <= until:
                day = month + timedelta(days=rng.randint(2, 11))
                skipped = rng.random() < habits["skip"]
                month_now, month = month, add_months(month, 1)
                if skipped or day > until:
                    continue
                counted, apart = [], []
                for m, start, end in stays[cell.pk]:
                    if start <= day and (end is None or end > day) and m.admitted_on <= day:
                        if m.exempt_since is not None and m.exempt_since <= day:
                            apart.append((m, ApartReason.EXEMPT))
                        elif is_away_on(m, day):
                            apart.append((m, ApartReason.AWAY))
                        else:
                            counted.append(m)
                if not counted and not apart:
                    continue
                counted.sort(key=lambda m: (m.admitted_on, m.sort_key, m.birth_date))
                kind = MeetingKind.REGULAR
                if thematic and month_now.month % 3 == 0:
                    kind = MeetingKind.THEMATIC
                is_model = kind == MeetingKind.REGULAR and rng.random() < 0.02
                meeting_id = ids.next(Meeting)
                topic = rng.choice(THEMATIC_TOPICS) if kind == MeetingKind.THEMATIC else ""
                plan_id = None
                if kind == MeetingKind.THEMATIC and day >= plans_from:
                    plan_id = ids.next(ThematicPlan)
                    year, quarter = quarter_of(day)
                    plans.append(
                        (plan_id, cell.pk, year, quarter, topic, PlanStatus.ACCEPTED, None, None,
                         month_start(day) - timedelta(days=20))
                    )  # fmt: skip
                meetings.append(
                    (meeting_id, cell.pk, day, kind, is_model, topic, "Nhà văn hóa bản",
                     counted[0].pk if counted else None,
                     counted[1].pk if len(counted) > 1 else None,
                     rng.choice(GUESTS) if is_model else "", rng.choice(CONTENTS),
                     rng.choice(RESOLUTIONS), plan_id, 0, 0, 0, 0, 0, 1, None, now, now)
                )  # fmt: skip
                for m in counted:
                    absent_from = getattr(m, "absent_from", None)
                    if absent_from is not None and day >= absent_from:
                        status, reason = AttendanceStatus.UNEXCUSED, ""
                    elif rng.random() < habits["rate"]:
                        status, reason = AttendanceStatus.PRESENT, ""
                    elif rng.random() < 0.75:
                        status, reason = AttendanceStatus.EXCUSED, rng.choice(EXCUSES)
                    else:
                        status, reason = AttendanceStatus.UNEXCUSED, ""
                    rows.write(f"{meeting_id}\t{m.pk}\t{status}\t{reason}\tf\t\n")
                for m, code in apart:
                    rows.write(f"{meeting_id}\t{m.pk}\t{AttendanceStatus.EXCUSED}\t\tt\t{code}\n")
                attendance += len(counted) + len(apart)
                if kind == MeetingKind.REGULAR and counted and rng.random() < 0.3:
                    for _ in range(rng.randint(1, 2)):
                        due = day + timedelta(days=30)
                        done = due - timedelta(days=rng.randint(0, 20))
                        done = done if rng.random() < 0.8 and done <= until else None
                        tasks.append((meeting_id, rng.choice(counted).pk, rng.choice(TASKS), due,
                                      done))  # fmt: skip
        copy_rows(
            ThematicPlan._meta.db_table,
            ["id", "cell_id", "year", "quarter", "topic", "status", "registered_by_id",
             "accepted_by_id", "accepted_on"],
            plans,
        )  # fmt: skip
        copy_rows(Meeting._meta.db_table, list(MEETING_COLUMNS), meetings)
        rows.seek(0)
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in ATTENDANCE_COLUMNS)
        with connection.cursor() as cursor:
            table = quote(Attendance._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                while block := rows.read(1 << 20):
                    copy.write(block.encode())
    copy_rows(Task._meta.db_table, ["meeting_id", "member_id", "text", "due_on", "done_on"], tasks)
    return {
        "meetings": len(meetings),
        "attendance": attendance,
        "thematic plans": len(plans),
        "tasks": len(tasks),
    }


def stored_figures() -> None:
    """The meetings' stored counts, the cells' monthly rollups and the members' monthly
    absences, each by one grouped statement over the rows they sum (as meetings.services
    computes them for one meeting)."""
    meeting = Meeting._meta.db_table
    attendance = Attendance._meta.db_table
    present, excused, unexcused = (
        AttendanceStatus.PRESENT,
        AttendanceStatus.EXCUSED,
        AttendanceStatus.UNEXCUSED,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {meeting} AS m SET
                expected_count = a.expected, present_count = a.present,
                excused_count = a.excused, unexcused_count = a.unexcused,
                apart_count = a.apart
            FROM (
                SELECT meeting_id,
                    count(*) FILTER (WHERE NOT is_apart) AS expected,
                    count(*) FILTER (WHERE NOT is_apart AND status = %s) AS present,
                    count(*) FILTER (WHERE NOT is_apart AND status = %s) AS excused,
                    count(*) FILTER (WHERE NOT is_apart AND status = %s) AS unexcused,
                    count(*) FILTER (WHERE is_apart) AS apart
                FROM {attendance} GROUP BY meeting_id
            ) AS a
            WHERE m.id = a.meeting_id
            """,
            [present, excused, unexcused],
        )
        # HD 12-HD/BTCTW: good quality is over 85% present and no unexcused absence.
        cursor.execute(
            f"""
            INSERT INTO {MonthlyRollup._meta.db_table}
                (unit_id, month, meetings, regular, thematic, good_quality,
                 expected, present, excused, unexcused)
            SELECT cell_id, date_trunc('month', held_on)::date, count(*),
                count(*) FILTER (WHERE kind = %s), count(*) FILTER (WHERE kind = %s),
                count(*) FILTER (WHERE expected_count > 0 AND unexcused_count = 0
                                 AND present_count > expected_count * %s / 100),
                sum(expected_count), sum(present_count), sum(excused_count), sum(unexcused_count)
            FROM {meeting}
            GROUP BY cell_id, date_trunc('month', held_on)
            """,
            [MeetingKind.REGULAR, MeetingKind.THEMATIC, GOOD_QUALITY_RATE],
        )
        # The cell of the member's last meeting of the month with an absence.
        cursor.execute(
            f"""
            INSERT INTO {MemberMonth._meta.db_table}
                (member_id, month, cell_id, unexcused, absences)
            SELECT a.member_id, date_trunc('month', m.held_on)::date,
                (array_agg(m.cell_id ORDER BY m.held_on DESC, m.id DESC))[1],
                count(*) FILTER (WHERE a.status = %s), count(*)
            FROM {attendance} AS a JOIN {meeting} AS m ON m.id = a.meeting_id
            WHERE NOT a.is_apart AND a.status <> %s
            GROUP BY a.member_id, date_trunc('month', m.held_on)
            """,
            [unexcused, present],
        )
