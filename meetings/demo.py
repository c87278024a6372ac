"""Demo meetings: five years of monthly cell meetings up to a given day, in bulk.

Every cell meets monthly, most at 80-95% attendance, some lagging near 70%, a few skipping
months (seed 000: cells that met once in 6 or 12 months; seed 004: ">90%" and "average 70%");
most hold a thematic meeting each quarter, registered with the commune; a few are model
meetings with cadres from the district; some meetings assign tasks. Rows are written with
bulk_create and the stored counts and rollups computed in bulk, not meeting by meeting: the
whole demo loads in seconds, the members' monthly absences rebuilt from the rows in one pass.
Meetings and attendance rows of the demo carry no history (an import of the minutes books, not
an edit); plans and tasks do. A few cells have registered next quarter's topic, still waiting
for their committee to accept it.
"""

import random
from collections import defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

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
from meetings.rules import add_months, month_start, next_quarter, quarter_of
from meetings.selectors import is_away_on
from meetings.services import member_month_rows, member_months_for, rollups_for
from members.models import Member, Placement
from units.demo.data import AS_OF
from units.models import CELL_KINDS, Unit

YEARS = 5

THEMATIC_TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao vai trò đảng viên trong xây dựng nông thôn mới",
    "Phát triển kinh tế hộ gia đình, giảm nghèo bền vững",
    "Giữ gìn an ninh trật tự, phòng chống ma túy trên địa bàn bản",
    "Phòng, chống di cư tự do và tảo hôn",
    "Bảo vệ và phát triển rừng, phòng chống cháy rừng",
    "Vận động nhân dân thực hiện nếp sống văn minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phát triển đảng viên là người dân tộc thiểu số",
    "Chuyển đổi cơ cấu cây trồng, vật nuôi",
]
CONTENTS = [
    "Đánh giá kết quả thực hiện nhiệm vụ tháng; tình hình sản xuất, an ninh trật tự trong bản; "
    "triển khai nhiệm vụ tháng tới.",
    "Quán triệt nghị quyết của Đảng ủy xã; kiểm điểm việc thực hiện nhiệm vụ được phân công; "
    "thu đảng phí.",
    "Thảo luận kế hoạch gieo trồng vụ mùa, vận động nhân dân tiêm phòng cho gia súc, "
    "giữ gìn vệ sinh môi trường.",
]
RESOLUTIONS = [
    "Chi bộ thống nhất các nhiệm vụ trọng tâm tháng tới; phân công đảng viên phụ trách nhóm hộ.",
    "Chi bộ nhất trí thông qua nghị quyết tháng; 100% đảng viên có mặt biểu quyết tán thành.",
]
EXCUSES = ["Đi nương", "Ốm", "Đi làm ăn xa", "Con ốm", "Đi họp ở xã", "Đi viện"]
TASKS = [
    "Vận động các hộ nghèo tham gia lớp tập huấn chăn nuôi",
    "Phối hợp trưởng bản tu sửa đường nội bản",
    "Nắm tình hình an ninh trật tự nhóm hộ phụ trách",
    "Tuyên truyền phòng chống cháy rừng",
    "Thu đảng phí quý",
]
GUESTS = [
    "Đồng chí Ủy viên Ban Thường vụ Huyện ủy dự, chỉ đạo",
    "Đồng chí Phó Bí thư Đảng ủy xã dự, chỉ đạo",
]


def _meeting_day(rng, month: date) -> date:
    return month + timedelta(days=rng.randint(2, 11))


def build_meetings(district: Unit, rng_seed: int, until: date = AS_OF) -> dict:
    """Five years of meetings for every cell under `district`, up to `until`; returns counts."""
    rng = random.Random(rng_seed)
    first_month = add_months(month_start(until), -12 * YEARS + 1)
    cells = list(
        Unit.objects.subtree(district.path)
        .filter(kind__in=CELL_KINDS)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=until))
        # Creation order, not the path: paths sort by the digits of ids, which differ between
        # databases whose sequences have moved on, and the draws below must not.
        .order_by("pk")
    )
    cell_ids = {c.pk for c in cells}
    stays = defaultdict(list)  # cell id → [(member, from, to)]
    members = {
        m.pk: m
        for m in Member.objects.filter(placements__unit_id__in=cell_ids).only(
            "id", "admitted_on", "exempt_since", "left_on", "status", "away_since", "away_until"
        )
    }
    for member_id, unit_id, start, end in Placement.objects.filter(
        unit_id__in=cell_ids, valid_from__lte=until
    ).values_list("member_id", "unit_id", "valid_from", "valid_to"):
        stays[unit_id].append((members[member_id], start, end))

    meetings, rosters = [], []  # rosters[i]: (counted, apart) of meetings[i]
    for cell in cells:
        _cell_meetings(rng, cell, stays[cell.pk], first_month, until, meetings, rosters)

    attendance = []
    for meeting, (counted, apart, profile) in zip(meetings, rosters, strict=True):
        _attendance(rng, meeting, counted, apart, profile, attendance)
    # Counts are set before the insert; the rows take their meeting's id once it has one.
    meetings = Meeting.objects.bulk_create(meetings, batch_size=1000)
    _insert_attendance(attendance)
    plans, links, tasks = [], [], []
    for meeting, (counted, _apart, _profile) in zip(meetings, rosters, strict=True):
        if meeting.kind == MeetingKind.THEMATIC and meeting.held_on >= date(until.year - 1, 1, 1):
            year, quarter = quarter_of(meeting.held_on)
            plans.append(
                ThematicPlan(
                    cell_id=meeting.cell_id,
                    year=year,
                    quarter=quarter,
                    topic=meeting.topic,
                    status=PlanStatus.ACCEPTED,
                    accepted_on=month_start(meeting.held_on) - timedelta(days=20),
                )
            )
            links.append(meeting)
        if meeting.kind == MeetingKind.REGULAR and counted and rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                due = meeting.held_on + timedelta(days=30)
                done = due - timedelta(days=rng.randint(0, 20)) if rng.random() < 0.8 else None
                tasks.append(
                    Task(
                        meeting=meeting,
                        member=rng.choice(counted),
                        text=rng.choice(TASKS),
                        due_on=due,
                        done_on=done if done and done <= until else None,
                    )
                )
    plans = bulk_create_with_history(plans, ThematicPlan, batch_size=1000)
    for meeting, plan in zip(links, plans, strict=True):
        meeting.thematic_plan_id = plan.pk
    Meeting.objects.bulk_update(links, ["thematic_plan"], batch_size=1000)
    bulk_create_with_history(tasks, Task, batch_size=1000)
    MonthlyRollup.objects.bulk_create(
        rollups_for(Meeting.objects.filter(cell_id__in=cell_ids)), batch_size=2000
    )
    absences = member_month_rows(Attendance.objects.filter(meeting__cell_id__in=cell_ids))
    MemberMonth.objects.bulk_create(member_months_for(absences), batch_size=2000)
    pending = _pending_plans(rng, cells, until)
    return {
        "meetings": len(meetings),
        "attendance": len(attendance),
        "tasks": len(tasks),
        "pending_plans": len(pending),
    }


PENDING_PLANS = 5


def _pending_plans(rng, cells, until: date) -> list[ThematicPlan]:
    """A few cells register next quarter's topic, not yet accepted: the committee's step.

    Drawn after everything else, so the meetings above stay the same draw for draw.
    """
    year, quarter = next_quarter(until)
    alive = [c for c in cells if not c.dissolved_on or c.dissolved_on > until]
    chosen = sorted(rng.sample(alive, min(PENDING_PLANS, len(alive))), key=lambda c: c.pk)
    plans = [
        ThematicPlan(
            cell=cell,
            year=year,
            quarter=quarter,
            topic=rng.choice(THEMATIC_TOPICS),
            status=PlanStatus.REGISTERED,
        )
        for cell in chosen
    ]
    return bulk_create_with_history(plans, ThematicPlan, batch_size=1000)


def _cell_meetings(rng, cell, stays, first_month, until, meetings, rosters) -> None:
    """One cell's meetings: its habits are drawn once, then month after month."""
    draw = rng.random()
    if draw < 0.06:
        profile = {"skip": 0.45, "rate": rng.uniform(0.62, 0.75)}  # rarely meets
    elif draw < 0.2:
        profile = {"skip": 0.05, "rate": rng.uniform(0.66, 0.76)}  # lagging attendance
    else:
        profile = {"skip": 0.01, "rate": rng.uniform(0.82, 0.95)}
    thematic = rng.random() < 0.85
    dissolved = cell.dissolved_on
    month = first_month
    while month <= until:
        quarter_end = month.month % 3 == 0
        for kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
            if kind == MeetingKind.REGULAR and rng.random() < profile["skip"]:
                continue
            if kind == MeetingKind.THEMATIC and not (thematic and quarter_end):
                continue
            day = _meeting_day(rng, month)
            if kind == MeetingKind.THEMATIC:
                day = min(day + timedelta(days=14), month + timedelta(days=27))
            if day > until or (cell.founded_on and day < cell.founded_on):
                continue
            if dissolved and day >= dissolved:
                continue
            counted, apart, seen = [], [], set()
            for member, start, end in stays:
                if member.pk in seen:
                    continue
                if start <= day and (end is None or end > day) and member.admitted_on <= day:
                    seen.add(member.pk)
                    exempt = member.exempt_since is not None and member.exempt_since <= day
                    (apart if exempt or is_away_on(member, day) else counted).append(member)
            if not counted and not apart:
                continue
            counted.sort(key=lambda m: m.admitted_on)
            is_model = kind == MeetingKind.REGULAR and rng.random() < 0.02
            meetings.append(
                Meeting(
                    cell=cell,
                    held_on=day,
                    kind=kind,
                    is_model=is_model,
                    topic=rng.choice(THEMATIC_TOPICS) if kind == MeetingKind.THEMATIC else "",
                    place="Nhà văn hóa bản",
                    chair=counted[0] if counted else None,
                    recorder=counted[1] if len(counted) > 1 else None,
                    guests=rng.choice(GUESTS) if is_model else "",
                    content=rng.choice(CONTENTS),
                    resolution=rng.choice(RESOLUTIONS),
                )
            )
            rosters.append((counted, apart, profile))
        month = add_months(month, 1)


def _insert_attendance(rows) -> None:
    """Hundreds of thousands of rows in one executemany: bulk_create would send them a few
    hundred at a time (SQLite's parameter limit) and build a model object for each."""
    table = connection.ops.quote_name(Attendance._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Attendance._meta.get_field(name).column)
        for name in ("meeting", "member", "status", "reason", "is_apart", "apart_reason")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(m.pk, *rest) for m, *rest in rows])


def _attendance(rng, meeting, counted, apart, profile, rows) -> None:
    tally = {AttendanceStatus.PRESENT: 0, AttendanceStatus.EXCUSED: 0, "unexcused": 0}
    for member in counted:
        if rng.random() < profile["rate"]:
            status, reason = AttendanceStatus.PRESENT, ""
        elif rng.random() < 0.75:
            status, reason = AttendanceStatus.EXCUSED, rng.choice(EXCUSES)
        else:
            status, reason = AttendanceStatus.UNEXCUSED, ""
        tally[status] += 1
        rows.append((meeting, member.pk, status, reason, False, ""))
    for member in apart:
        exempt = member.exempt_since is not None and member.exempt_since <= meeting.held_on
        code = ApartReason.EXEMPT if exempt else ApartReason.AWAY
        rows.append((meeting, member.pk, AttendanceStatus.EXCUSED, "", True, code))
    meeting.present_count = tally[AttendanceStatus.PRESENT]
    meeting.excused_count = tally[AttendanceStatus.EXCUSED]
    meeting.unexcused_count = tally[AttendanceStatus.UNEXCUSED]
    meeting.expected_count = len(counted)
    meeting.apart_count = len(apart)
