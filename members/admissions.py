"""The admissions pipeline: scoped reads of candidates (quần chúng ưu tú) and the writes that
move them stage by stage to admission, checked against the rules of members.rules."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.choices import EventKind, MemberStatus
from members.models import Candidate, Member, Placement
from members.rules import (
    Finding,
    Level,
    admission_findings,
    next_deadline,
    probation_ends,
)
from members.services import member_create, require_edit
from units.access import check_path, scope_for
from units.concurrency import check_fresh
from units.models import CELL_KINDS, PATH_END, Unit

# Stages, in the order a candidate goes through them; a candidate is at the last one reached.
STAGES = (
    ("candidate", gettext_lazy("Candidates (awareness class)")),
    ("application", gettext_lazy("Application submitted")),
    ("sponsors", gettext_lazy("Sponsors chosen")),
    ("background", gettext_lazy("Background checked")),
    ("cell_resolution", gettext_lazy("Cell resolution")),
    ("committee_resolution", gettext_lazy("Committee resolution")),
    ("decision", gettext_lazy("Admission decision")),
    ("ceremony", gettext_lazy("Ceremony held, to admit")),
    ("admitted", gettext_lazy("Admitted")),
)
STAGE_LABELS = dict(STAGES)
# Admitted and withdrawn candidates stay on the board this long.
BOARD_KEEPS_DAYS = 365

# The candidate's profile: the profile form's fields, copied to the member on admission.
PROFILE_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "ethnicity",
    "religion",
    "hometown",
    "residence_village",
    "citizen_id",
    "education",
    "occupation",
    "phone",
)


def stage_of(candidate: Candidate) -> str:
    """The last stage the candidate has reached."""
    c = candidate
    if c.member_id:
        return "admitted"
    for stage, reached in (
        ("ceremony", c.ceremony_on),
        ("decision", c.decision_on),
        ("committee_resolution", c.committee_resolution_on),
        ("cell_resolution", c.cell_resolution_on),
        ("background", c.background_checked_on),
        ("sponsors", c.sponsor_1_id and c.sponsor_2_id),
        ("application", c.application_on),
    ):
        if reached:
            return stage
    return "candidate"


def annotate(candidate: Candidate, today: date) -> Candidate:
    """Attach what pages show: stage, findings (broken, near, consent) and the next deadline."""
    c = candidate
    c.stage = stage_of(c)
    c.stage_label = STAGE_LABELS[c.stage]
    c.findings = admission_findings(c, today=today)
    c.broken = [f for f in c.findings if f.level == Level.BROKEN]
    c.near = [f for f in c.findings if f.level == Level.NEAR]
    c.consent = [f for f in c.findings if f.level == Level.CONSENT]
    c.deadline = next_deadline(c, today=today)
    c.probation_ends = probation_ends(c.ceremony_on) if c.member_id and c.ceremony_on else None
    return c


def _candidates():
    sponsor_rows = Member.objects.only(
        "id", "full_name", "unit_id", "status", "official_on", "left_on"
    ).prefetch_related(Prefetch("placements", queryset=Placement.objects.order_by("valid_from")))
    return Candidate.objects.select_related("unit", "member").prefetch_related(
        Prefetch("sponsor_1", queryset=sponsor_rows),
        Prefetch("sponsor_2", queryset=sponsor_rows),
    )


@dataclass
class Board:
    unit: Unit
    today: date
    columns: list = field(default_factory=list)  # [(stage, label, [candidates])]
    withdrawn: list = field(default_factory=list)
    broken_count: int = 0
    near_count: int = 0

    @property
    def active_count(self) -> int:
        return sum(len(items) for stage, _label, items in self.columns if stage != "admitted")


def candidate_board(user, unit: Unit, *, today: date | None = None) -> Board:
    """The candidates of a unit's subtree the user may see, by stage, with findings.

    Admitted and withdrawn candidates are kept for BOARD_KEEPS_DAYS. A fixed number of queries,
    whatever the number of candidates or units.
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=BOARD_KEEPS_DAYS)
    candidates = (
        _candidates()
        .filter(scope_for(user).visible_q("unit__path"))
        .filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
        .filter(
            Q(member__isnull=True, withdrawn_on__isnull=True)
            | Q(member__isnull=False, decision_on__gte=since)
            | Q(withdrawn_on__gte=since)
        )
        .order_by("sort_key", "id")
    )
    board = Board(unit=unit, today=today)
    by_stage = {stage: [] for stage, _label in STAGES}
    for candidate in candidates:
        annotate(candidate, today)
        if candidate.withdrawn_on:
            board.withdrawn.append(candidate)
            continue
        by_stage[candidate.stage].append(candidate)
        board.broken_count += bool(candidate.broken)
        board.near_count += bool(candidate.near)
    board.columns = [(stage, label, by_stage[stage]) for stage, label in STAGES]
    return board


def get_candidate_for_user(user, pk, *, write: bool = False) -> Candidate:
    """The candidate `pk` if the user may see it (404 otherwise), and edit it when `write` (403)."""
    candidate = _candidates().select_related("unit__parent", "residence_village").filter(pk=pk)
    candidate = candidate.first()
    if candidate is None:
        raise Http404
    check_path(user, candidate.unit.path, write=write)
    return candidate


def sponsor_choices(cell: Unit, candidate: Candidate | None = None):
    """Who may be chosen as a sponsor: the cell's full members, and the present sponsors."""
    q = Q(unit=cell, status=MemberStatus.FULL)
    if candidate is not None:
        q |= Q(pk__in=[pk for pk in (candidate.sponsor_1_id, candidate.sponsor_2_id) if pk])
    return Member.objects.filter(q).order_by("sort_key", "id")


# Writes ---------------------------------------------------------------------------------------


def _refuse_broken(findings: list[Finding], *, only_recorded: bool = True) -> None:
    broken = [f for f in findings if f.level == Level.BROKEN and (f.recorded or not only_recorded)]
    if broken:
        raise ValidationError([str(f) for f in broken])


def _check_and_save(candidate: Candidate, by, today: date) -> Candidate:
    if candidate.unit.kind not in CELL_KINDS:
        raise ValidationError({"unit": _("Candidates belong to a party cell.")})
    future = {
        name: _("This date is in the future.")
        for name in (
            "awareness_class_on",
            "application_on",
            "sponsor_1_known_since",
            "sponsor_2_known_since",
            "background_checked_on",
            "cell_resolution_on",
            "committee_resolution_on",
            "decision_on",
            "ceremony_on",
            "withdrawn_on",
        )
        if getattr(candidate, name) and getattr(candidate, name) > today
    }
    if candidate.birth_date and candidate.birth_date > today:
        future["birth_date"] = _("This date is in the future.")
    if future:
        raise ValidationError(future)
    candidate.full_clean()
    _refuse_broken(admission_findings(candidate, today=today))
    candidate._history_user = by
    candidate.save()
    return candidate


@transaction.atomic
def candidate_create(*, unit: Unit, by, today: date | None = None, **fields) -> Candidate:
    """Record a candidate in a cell the author may edit; the stages given are checked."""
    require_edit(by, unit)
    candidate = Candidate(unit=unit, **fields)
    return _check_and_save(candidate, by, today or timezone.localdate())


@transaction.atomic
def candidate_update(
    *, candidate: Candidate, by, today: date | None = None, token: str | None = None, **fields
) -> Candidate:
    """Change a candidate's profile or stages; a stage that breaks a rule is refused by name,
    a save from a page opened before someone else's (`token`, units.concurrency) as stale."""
    candidate = Candidate.objects.select_for_update().select_related("unit").get(pk=candidate.pk)
    require_edit(by, candidate.unit)
    check_fresh(candidate, token)
    if candidate.member_id or candidate.withdrawn_on:
        raise ValidationError(_("An admitted or withdrawn candidate can no longer be changed."))
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != candidate.unit_id:
        require_edit(by, new_unit)
    for name, value in fields.items():
        setattr(candidate, name, value)
    return _check_and_save(candidate, by, today or timezone.localdate())


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, on: date, reason: str, by) -> Candidate:
    """Take a candidate off the pipeline (moved away, declined, not accepted), with the reason."""
    candidate = Candidate.objects.select_for_update().select_related("unit").get(pk=candidate.pk)
    require_edit(by, candidate.unit)
    if candidate.member_id:
        raise ValidationError(_("This candidate has already been admitted."))
    if candidate.withdrawn_on:
        raise ValidationError(_("This candidate has already been withdrawn."))
    if on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("This date is in the future.")})
    candidate.withdrawn_on = on
    reason = reason.strip()
    if reason:
        candidate.note = f"{candidate.note}\n{reason}".strip()
    candidate._history_user = by
    candidate.save(update_fields=["withdrawn_on", "note", "updated_at"])
    return candidate


@transaction.atomic
def candidate_admit(
    *, candidate: Candidate, by, province_consent: bool = False, today: date | None = None
) -> Member:
    """Admit a candidate whose file meets every rule: the probationary member in the candidate's
    cell from the decision (placed there), the ADMITTED event with the decision number, and the
    candidate linked to the member, all in one transaction."""
    today = today or timezone.localdate()
    Candidate.objects.select_for_update().only("pk").get(pk=candidate.pk)  # one admission only
    candidate = _candidates().get(pk=candidate.pk)
    require_edit(by, candidate.unit)
    if candidate.member_id:
        raise ValidationError(_("This candidate has already been admitted."))
    if candidate.withdrawn_on:
        raise ValidationError(_("This candidate has been withdrawn."))
    if not (candidate.decision_on and candidate.decision_number and candidate.ceremony_on):
        raise ValidationError(
            _("Record the admission decision, its number and the ceremony before admitting.")
        )
    findings = admission_findings(candidate, today=today)
    _refuse_broken(findings, only_recorded=False)
    consent = [f for f in findings if f.level == Level.CONSENT]
    if consent and not province_consent:
        raise ValidationError([str(f) for f in consent])
    member = member_create(
        unit=candidate.unit,
        by=by,
        **{name: getattr(candidate, name) for name in PROFILE_FIELDS},
        occupation_before=candidate.occupation,
        admitted_on=candidate.decision_on,
        ceremony_on=candidate.ceremony_on,
        status=MemberStatus.PROBATIONARY,
    )
    # member_create wrote the admission the record implies (by `by`): complete it.
    event = member.events.get(kind=EventKind.ADMITTED)
    event.decision_number = candidate.decision_number
    if consent:
        event.note = _("Admitted with the province committee's consent (over 60).")
    event._history_user = by
    event.save()
    candidate.member = member
    candidate._history_user = by
    candidate.save(update_fields=["member", "updated_at"])
    return member
