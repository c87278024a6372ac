"""Helpers for the meeting tests: members in a cell, meetings logged through the service, and
the POST a secretary's phone sends."""

from datetime import date

from meetings import services
from meetings.models import AttendanceStatus, MeetingKind
from tests.factories import MemberFactory

TASK_ROWS = 3
DAY = date(2026, 3, 14)  # the day the tests' meetings are held
TODAY = date(2026, 3, 20)  # the day they run (tests.meetings.conftest.after_day)


def members_in(cell, n: int, **fields):
    """`n` full members of `cell`, admitted long before any meeting of the tests."""
    return MemberFactory.create_batch(n, unit=cell, **{"admitted_on": date(2000, 5, 19), **fields})


EXCUSE = "Đi nương"


def log_meeting(
    cell,
    by,
    day: date,
    *,
    absent: dict | None = None,
    kind: str = MeetingKind.REGULAR,
    topic: str = "",
    **fields,
):
    """A meeting logged through the service; `absent` maps members to a status (an excused
    absence gets a reason, as the form requires)."""
    attendance = {
        m.pk: (status, EXCUSE if status == AttendanceStatus.EXCUSED else "")
        for m, status in (absent or {}).items()
    }
    values = {"held_on": day, "kind": kind, "topic": topic, "is_model": False, **fields}
    return services.meeting_save(cell=cell, by=by, fields=values, attendance=attendance)


def signature(cell, day: date, meeting=None) -> str:
    """The signature of the list the form shows for `cell` on `day` (its hidden field)."""
    from meetings.selectors import cell_roster, roster_signature

    return roster_signature(cell_roster(cell, day, meeting=meeting))


def form_data(
    day: date,
    members=(),
    *,
    statuses=None,
    reasons=None,
    version=None,
    cell=None,
    meeting=None,
    **fields,
):
    """What the meeting form posts: every member present unless `statuses` says otherwise, an
    excused one with a reason unless `reasons` says otherwise, and the signature of the day's
    list as the form rendered it (from `cell`, else the members' cell)."""
    statuses = statuses or {}
    reasons = reasons or {}
    if cell is None and meeting is not None:
        cell = meeting.cell
    if cell is None and members:
        cell = members[0].unit
    data = {
        "held_on": day.strftime("%d/%m/%Y"),
        "kind": MeetingKind.REGULAR,
        "topic": "",
        "place": "Nhà văn hóa bản",
        "chair": "",
        "recorder": "",
        "guests": "",
        "content": "Đánh giá kết quả tháng, triển khai nhiệm vụ tháng tới.",
        "resolution": "Thống nhất các nhiệm vụ đã đề ra.",
        "thematic_plan": "",
        "task-TOTAL_FORMS": str(TASK_ROWS),
        "task-INITIAL_FORMS": "0",
        "task-MIN_NUM_FORMS": "0",
        "task-MAX_NUM_FORMS": str(TASK_ROWS),
    }
    if version is not None:
        data["version"] = str(version)
    if cell is not None:
        data["roster"] = signature(cell, day, meeting)
    for member in members:
        status = statuses.get(member, AttendanceStatus.PRESENT)
        data[f"status_{member.pk}"] = status
        data[f"reason_{member.pk}"] = reasons.get(
            member, EXCUSE if status == AttendanceStatus.EXCUSED else ""
        )
    for i in range(TASK_ROWS):
        data.update({f"task-{i}-member": "", f"task-{i}-text": "", f"task-{i}-due_on": ""})
    data.update(fields)
    return data
