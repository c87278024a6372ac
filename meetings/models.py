"""Cell meetings, attendance, tasks and thematic plans (sinh hoạt chi bộ).

A meeting stores its own attendance counts and every save upserts the cell's monthly rollup and
its members' monthly absences in the same transaction (DESIGN.md, "Stored counts and rollups"):
boards read rollups, drill-downs read meetings, and attendance rows serve one meeting or one
member's history.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Member
from units.models import NormalizedTextMixin, Officer, Unit


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("regular meeting")
    THEMATIC = "thematic", _("thematic meeting")
    EXTRAORDINARY = "extraordinary", _("extraordinary meeting")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    EXCUSED = "excused", _("excused absence")
    UNEXCUSED = "unexcused", _("unexcused absence")


class ApartReason(models.TextChoices):
    """Why a member on the rolls is kept apart from a meeting's rate (HD 12-HD/BTCTW)."""

    EXEMPT = "exempt", _("exempt from activity")
    AWAY = "away", _("on temporary transfer")


class PlanStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACCEPTED = "accepted", _("accepted")


def percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


class ThematicPlan(NormalizedTextMixin, models.Model):
    """Đăng ký nội dung sinh hoạt chuyên đề: a cell's thematic topic for a quarter."""

    cell = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="thematic_plans", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    topic = models.CharField(_("topic"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus, default=PlanStatus.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("history of thematic plan"))

    class Meta:
        verbose_name = _("thematic plan")
        verbose_name_plural = _("thematic plans")
        ordering = ["-year", "-quarter", "cell_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "year", "quarter"],
                name="meetings_thematicplan_one_per_quarter",
                violation_error_message=_(
                    "The cell has already registered a topic for this quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="meetings_thematicplan_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.ACCEPTED) | Q(accepted_on__isnull=False),
                name="meetings_thematicplan_accepted_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.quarter}/{self.year}: {self.topic}"


class Meeting(NormalizedTextMixin, models.Model):
    """Buổi sinh hoạt chi bộ: one meeting of a cell, with its minutes and stored counts."""

    cell = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="meetings", on_delete=models.PROTECT
    )
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind, default="regular")
    is_model = models.BooleanField(_("model meeting"), default=False)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        Member,
        verbose_name=_("chair"),
        related_name="meetings_chaired",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    recorder = models.ForeignKey(
        Member,
        verbose_name=_("recorder"),
        related_name="meetings_recorded",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    guests = models.TextField(_("guests from higher levels"), blank=True)
    # Officers of the committees above the cell who attended (chosen from a list), beside the
    # free text of `guests`; each row leaves history (MeetingGuest).
    guest_officers = models.ManyToManyField(
        Officer,
        verbose_name=_("guest officers"),
        through="MeetingGuest",
        related_name="meetings_attended",
        blank=True,
    )
    content = models.TextField(_("content"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    thematic_plan = models.ForeignKey(
        ThematicPlan,
        verbose_name=_("thematic plan"),
        related_name="meetings",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    # Stored counts, written with the attendance rows (derived, so not in history).
    expected_count = models.PositiveSmallIntegerField(_("expected"), default=0, editable=False)
    present_count = models.PositiveSmallIntegerField(_("present"), default=0, editable=False)
    excused_count = models.PositiveSmallIntegerField(_("excused"), default=0, editable=False)
    unexcused_count = models.PositiveSmallIntegerField(_("unexcused"), default=0, editable=False)
    apart_count = models.PositiveSmallIntegerField(_("exempt or away"), default=0, editable=False)
    # Optimistic locking: a save must name the version it was opened at.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "expected_count",
            "present_count",
            "excused_count",
            "unexcused_count",
            "apart_count",
            "version",
            "created_at",
            "updated_at",
        ],
        verbose_name=_("history of meeting"),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            # a cell's meetings, newest first; compliance and alerts of a cell by date
            models.Index(fields=["cell", "held_on"], name="meetings_meeting_cell_day_idx"),
            # alerts and drill-downs: meetings of a period across a subtree (joined to the cell)
            models.Index(fields=["held_on"], name="meetings_meeting_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=MeetingKind.THEMATIC) | ~Q(topic=""),
                name="meetings_meeting_thematic_has_topic",
                violation_error_message=_("A thematic meeting needs its topic."),
            ),
            models.CheckConstraint(
                condition=Q(
                    expected_count=F("present_count") + F("excused_count") + F("unexcused_count")
                ),
                name="meetings_meeting_counts_add_up",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    @property
    def absent_count(self) -> int:
        return self.excused_count + self.unexcused_count

    @property
    def attendance_rate(self) -> float | None:
        return percent(self.present_count, self.expected_count)

    @property
    def is_good_quality(self) -> bool:
        from meetings.rules import is_good_quality

        return is_good_quality(
            present=self.present_count,
            expected=self.expected_count,
            unexcused=self.unexcused_count,
        )


class Attendance(NormalizedTextMixin, models.Model):
    """Điểm danh: one member at one meeting. Members exempt or away on the day are kept
    apart (`is_apart`) and left out of the rate (HD 12-HD/BTCTW)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="attendance", on_delete=models.CASCADE
    )
    member = models.ForeignKey(
        Member, verbose_name=_("party member"), related_name="attendance", on_delete=models.PROTECT
    )
    status = models.CharField(
        _("attendance"), max_length=20, choices=AttendanceStatus, default="present"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_apart = models.BooleanField(_("exempt or away"), default=False)
    # Why a member is kept apart: a code, so pages show it in their own language.
    apart_reason = models.CharField(
        _("kept apart because"), max_length=20, choices=ApartReason, blank=True
    )
    history = HistoricalRecords(verbose_name=_("history of attendance"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "member__sort_key"]
        indexes = [
            # one member's attendance history; removal candidates and absences in a row
            models.Index(fields=["member", "status"], name="meetings_attendance_member_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="meetings_attendance_one_per_member",
                violation_error_message=_("This member is already on the meeting's list."),
            ),
            models.CheckConstraint(
                condition=Q(is_apart=False, apart_reason="")
                | (Q(is_apart=True) & ~Q(apart_reason="")),
                name="meetings_attendance_apart_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class MeetingGuest(models.Model):
    """An officer of a committee above the cell who attended a meeting (khách mời cấp trên)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="guest_rows", on_delete=models.CASCADE
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), related_name="+", on_delete=models.PROTECT
    )
    history = HistoricalRecords(verbose_name=_("history of meeting guest"))

    class Meta:
        verbose_name = _("meeting guest")
        verbose_name_plural = _("meeting guests")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "officer"], name="meetings_meetingguest_one_per_officer"
            )
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.officer}"


class Task(NormalizedTextMixin, models.Model):
    """Phân công nhiệm vụ: a task a meeting assigned to a member."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="tasks", on_delete=models.CASCADE
    )
    member = models.ForeignKey(
        Member, verbose_name=_("party member"), related_name="tasks", on_delete=models.PROTECT
    )
    text = models.CharField(_("task"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("history of task"))

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        # Open tasks first on every database (PostgreSQL sorts NULL last by default).
        ordering = [F("done_on").asc(nulls_first=True), "due_on", "id"]
        indexes = [
            # a member's open tasks
            models.Index(fields=["member", "done_on"], name="meetings_task_member_idx"),
        ]

    def __str__(self):
        return self.text

    def is_overdue_on(self, day: date) -> bool:
        return self.done_on is None and self.due_on is not None and self.due_on < day


class MonthlyRollup(models.Model):
    """A cell's meetings in one month, summed: what every board reads (derived, no history)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="meeting_rollups", on_delete=models.CASCADE
    )
    month = models.DateField(_("month"))  # the first day of the month
    meetings = models.PositiveSmallIntegerField(default=0)
    regular = models.PositiveSmallIntegerField(default=0)
    thematic = models.PositiveSmallIntegerField(default=0)
    good_quality = models.PositiveSmallIntegerField(default=0)
    expected = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    unexcused = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly meeting rollup")
        verbose_name_plural = _("monthly meeting rollups")
        ordering = ["unit_id", "month"]
        indexes = [
            # commune grid and district board: a period's rollups, joined to the cells' paths
            models.Index(fields=["month", "unit"], name="meetings_rollup_month_idx"),
        ]
        constraints = [
            # also serves "a cell's months" (unit first)
            models.UniqueConstraint(
                fields=["unit", "month"], name="meetings_monthlyrollup_one_per_unit_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="meetings_monthlyrollup_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.month:%m/%Y}"

    @property
    def attendance_rate(self) -> float | None:
        return percent(self.present, self.expected)


class MemberMonth(models.Model):
    """A member's absences in one month, summed from the attendance rows (derived, no history).

    Written in the same transaction as the attendance (meeting saves, edits, deletes), rebuilt
    in bulk by the demo and checked by `recompute_rollups`: the removal-candidates alert and the
    leaders' boards read these, never the attendance rows. Only months with an absence are kept.
    """

    member = models.ForeignKey(
        Member,
        verbose_name=_("party member"),
        related_name="meeting_months",
        on_delete=models.CASCADE,
    )
    # The cell of the member's last meeting of the month (a member moved mid-month counts once).
    cell = models.ForeignKey(
        Unit, verbose_name=_("party cell"), related_name="member_months", on_delete=models.CASCADE
    )
    month = models.DateField(_("month"))  # the first day of the month
    unexcused = models.PositiveSmallIntegerField(_("unexcused absences"), default=0)
    absences = models.PositiveSmallIntegerField(_("absences"), default=0)

    class Meta:
        verbose_name = _("member's monthly absences")
        verbose_name_plural = _("members' monthly absences")
        ordering = ["member_id", "month"]
        indexes = [
            # removal candidates (meetings.selectors.removal_candidates): a calendar year's
            # months with an unexcused absence across a subtree, joined to the cells' paths
            models.Index(fields=["month", "cell"], name="meetings_membermonth_month_idx"),
        ]
        constraints = [
            # also serves "a member's months" (member first) and the upsert of one meeting
            models.UniqueConstraint(
                fields=["member", "month"], name="meetings_membermonth_one_per_member_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="meetings_membermonth_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(unexcused__lte=F("absences")),
                name="meetings_membermonth_unexcused_within_absences",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.month:%m/%Y}"
