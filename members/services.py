"""Writes to member records: scoped, validated, atomic, leaving history.

Membership events (biến động đảng viên) are written only here: each service changes the
member's status and dates, the placements that give counts as of any date, and records the
event with its decision and author, in one transaction.
"""

from datetime import date
from itertools import batched

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members import bulk
from members.choices import (
    EXIT_STATUSES,
    EventKind,
    MemberStatus,
    TransferScope,
    status_from_record,
)
from members.models import ImportBatch, Member, MembershipEvent, Placement, placements_for
from members.rules import add_months, probation_ends
from units.access import scope_for
from units.concurrency import check_fresh
from units.models import CELL_KINDS, Unit

# HD 12-HD/BTCTW (2022): a temporary transfer lasts 3 months to under 1 year for work or
# residence, 3 months to 2 years for study. Configurable: the figures are the regulation's.
TEMPORARY_MIN_MONTHS = 3
TEMPORARY_MAX_MONTHS = {"work": 12, "residence": 12, "study": 24}
TEMPORARY_REASONS = {
    "work": gettext_lazy("work"),
    "residence": gettext_lazy("residence"),
    "study": gettext_lazy("study"),
}
# QĐ 294-QĐ/TW (2025): re-admission no earlier than 36 months after leaving.
READMISSION_MONTHS = 36
# Leaving the party (not a transfer): the kinds member_exit records.
EXIT_KINDS = (EventKind.DIED, EventKind.EXPELLED, EventKind.REMOVED, EventKind.RESIGNED)
# Who may be re-admitted: not the dead, and a transferred member is transferred back instead.
REINSTATABLE = (MemberStatus.EXPELLED, MemberStatus.REMOVED, MemberStatus.RESIGNED)


def require_edit(by, unit: Unit) -> None:
    """PermissionDenied unless `by` may edit `unit` (the cell of a member, a candidate …)."""
    if not scope_for(by).can_edit(unit.path):
        raise PermissionDenied


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _locked(member: Member, by) -> Member:
    """The member's row, locked for the event, with its cell, which `by` must be able to edit."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    require_edit(by, member.unit)
    return member


def _date_problem(member: Member, on: date, *, last, since: date | None = None) -> str | None:
    """Why `on` cannot be an event's date (None when it can): in the future, before the
    admission (or `since`), or before the member's `last` event."""
    if on > timezone.localdate():
        return _("This date is in the future.")
    start = since or member.admitted_on
    if on < start:
        return _("This date is before the member's admission (%(day)s).") % {"day": _day(start)}
    if last is not None and on < last.on:
        return _("This date is before the member's last event (%(event)s, %(day)s).") % {
            "event": last.get_kind_display(),
            "day": _day(last.on),
        }
    return None


def _last_event(member: Member) -> MembershipEvent | None:
    return member.events.order_by("-on", "-id").first() if member.pk else None


def _check_on(member: Member, on: date | None, *, since: date | None = None) -> None:
    """An event's date: not in the future, not before the admission nor the last event."""
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    problem = _date_problem(member, on, last=_last_event(member), since=since)
    if problem:
        raise ValidationError({"on": problem})


def recognition_problem(
    member: Member, on: date, *, last, probation_from: date | None = None
) -> str | None:
    """Why `member` cannot be recognised as a full member on `on` (None when it can): the
    rules member_recognise applies, for callers that check many members at once (the import),
    given the member's `last` event. `probation_from`: the ceremony date about to be recorded.
    """
    if not member.is_active:
        return _("This member is no longer on the rolls.")
    if member.status != MemberStatus.PROBATIONARY:
        return _("Only a probationary member can be recognised as a full member.")
    problem = _date_problem(member, on, last=last)
    if problem:
        return problem
    # HD 12-HD/BTCTW (2022): recognition takes effect when 12 months from the ceremony end.
    ends = probation_ends(probation_from or member.ceremony_on or member.admitted_on)
    if on < ends:
        return _("Probation ends on %(day)s: recognition cannot come earlier.") % {
            "day": _day(ends)
        }
    return None


def _require_active(member: Member) -> None:
    if not member.is_active:
        raise ValidationError(_("This member is no longer on the rolls."))


def _save(member: Member, by) -> None:
    member._history_user = by
    member.full_clean()
    member.save()


def _record(member: Member, kind: str, *, on: date, by, **fields) -> MembershipEvent:
    fields.setdefault("unit", member.unit)
    event = MembershipEvent(member=member, kind=kind, on=on, created_by=by, **fields)
    event._history_user = by
    event.full_clean()
    event.save()
    return event


def _close_placement(member: Member, on: date) -> None:
    Placement.objects.filter(member=member, valid_to__isnull=True).update(valid_to=on)


def _require_cell(unit: Unit, on: date, field: str) -> None:
    if unit.kind not in CELL_KINDS:
        raise ValidationError({field: _("Members belong to a party cell.")})
    if unit.dissolved_on and unit.dissolved_on <= on:
        raise ValidationError({field: _("This cell was dissolved on that date.")})
    if unit.founded_on and unit.founded_on > on:
        raise ValidationError({field: _("This cell did not exist yet on that date.")})


def entry_events(member: Member, *, by) -> list[MembershipEvent]:
    """Unsaved events that a member's record already implies: admitted, recognised, exempted,
    left. For records entered with their past (the form, an import, the demo)."""

    def event(kind: str, on: date, **fields) -> MembershipEvent:
        return MembershipEvent(
            member=member, kind=kind, on=on, unit=member.unit, created_by=by, **fields
        )

    events = [event(EventKind.ADMITTED, member.admitted_on, to_unit=member.unit)]
    if member.official_on:
        events.append(event(EventKind.RECOGNISED, member.official_on))
    if member.exempt_since:
        events.append(event(EventKind.EXEMPTED, member.exempt_since))
    if member.left_on:
        kind = next(k for k, status in EXIT_STATUSES.items() if status == member.status)
        events.append(event(kind, member.left_on, from_unit=member.unit))
    return events


def events_bulk_create(events: list[MembershipEvent], *, by) -> int:
    """Write many events with their history rows in a few statements (imports, the demo):
    bulk_create_with_history took ~5 s for the 20,000 events of a 10,000-member import, half
    the import's budget (members.bulk)."""
    bulk.insert_with_history(MembershipEvent, events, by=by)
    return len(events)


@transaction.atomic
def member_create(*, unit: Unit, by, **fields) -> Member:
    """Record a member in a cell the author may edit, placed there from the admission date,
    with the admission (and recognition) events of the record."""
    require_edit(by, unit)
    member = Member(unit=unit, **fields)
    member._history_user = by
    member.full_clean()
    member.save()
    Placement.objects.create(
        member=member, unit=unit, valid_from=member.admitted_on, valid_to=member.left_on
    )
    bulk_create_with_history(entry_events(member, by=by), MembershipEvent, default_user=by)
    return member


@transaction.atomic
def member_update(
    *, member: Member, by, moved_on: date | None = None, token: str | None = None, **fields
) -> Member:
    """Change a member's record; a change of cell needs edit rights on both cells.

    A change of cell is placed on `moved_on` (today by default), so counts as of an earlier day
    still find the member in the old cell, and recorded as a transfer between cells. The dates
    that events record stay in step with them: a corrected admission date moves the admission
    (event and first placement) and must come before every later event; a first full-membership
    date is a recognition, under member_recognise's rules. `token`: the record's edit token
    when the form was opened; a save from a stale page is refused (units.concurrency).
    """
    member = _locked(member, by)
    check_fresh(member, token)
    old_unit, old_admitted, old_official = member.unit, member.admitted_on, member.official_on
    old_status = member.status
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != member.unit_id:
        require_edit(by, new_unit)
    for name, value in fields.items():
        setattr(member, name, value)
    placements = list(member.placements.order_by("valid_from", "id"))
    # The admission's placement starts on the admission date (not so for a member transferred
    # in from outside, placed from the transfer): it moves with a corrected date.
    admission_placement = next((p for p in placements if p.valid_from == old_admitted), None)
    if member.admitted_on != old_admitted:
        _check_admission_date(member, placements, admission_placement)
    recognised = False
    if member.official_on != old_official:
        member.status = old_status
        recognised = _check_official_date(member, old_official)
    _save(member, by)
    if member.unit_id != old_unit.pk:
        on = moved_on or date.today()
        _replace_placements([member.pk], member.unit_id, on)
        _record(
            member,
            EventKind.TRANSFER_INTERNAL,
            on=on,
            by=by,
            unit=old_unit,
            from_unit=old_unit,
            to_unit=member.unit,
        )
    if recognised:
        _record(member, EventKind.RECOGNISED, on=member.official_on, by=by)
    elif member.official_on != old_official:
        _redate_events(member, EventKind.RECOGNISED, old_official, member.official_on, by=by)
    if member.admitted_on != old_admitted:
        if admission_placement is not None:
            admission_placement.valid_from = member.admitted_on
            admission_placement.save(update_fields=["valid_from"])
        _redate_events(member, EventKind.ADMITTED, old_admitted, member.admitted_on, by=by)
    return member


def _redate_events(member: Member, kind: str, old: date, new: date, *, by) -> None:
    """The member's `kind` events of `old` move to `new` (a corrected date on the record)."""
    for event in member.events.filter(kind=kind, on=old):
        event.on = new
        event._history_user = by
        event.save(update_fields=["on"])


def _check_admission_date(member: Member, placements, admission_placement) -> None:
    """A corrected admission date comes no later than any other event of the member, and
    leaves every placement starting no earlier than it and ending no earlier than it starts."""
    admitted = member.admitted_on
    later = member.events.exclude(kind=EventKind.ADMITTED).order_by("on", "id").first()
    if later is not None and admitted > later.on:
        raise ValidationError(
            {
                "admitted_on": _(
                    "The admission date cannot be after the member's event “%(event)s” of %(day)s."
                )
                % {"event": later.get_kind_display(), "day": _day(later.on)}
            }
        )
    for placement in placements:
        if placement is admission_placement:
            ends = placement.valid_to
            if ends is None or admitted <= ends:
                continue
            day = ends
        elif admitted <= placement.valid_from:
            continue
        else:
            day = placement.valid_from
        raise ValidationError(
            {
                "admitted_on": _(
                    "The admission date cannot be after %(day)s, when the member's cell changed."
                )
                % {"day": _day(day)}
            }
        )


def _check_official_date(member: Member, old_official: date | None) -> bool:
    """A full-membership date set on the record: True when it recognises a probationary member
    (member_recognise's rules), False when it corrects the date of the recognition event, which
    stays between the events around it."""
    new = member.official_on
    if old_official is None:
        problem = recognition_problem(member, new, last=_last_event(member))
        if problem:
            raise ValidationError({"official_on": problem})
        member.status = MemberStatus.FULL
        return True
    if new is None:
        raise ValidationError(
            {"official_on": _("A full member's date of full membership cannot be removed.")}
        )
    others = member.events.exclude(kind=EventKind.RECOGNISED, on=old_official).order_by("on", "id")
    before = others.filter(on__lte=old_official).last()
    after = others.filter(on__gt=old_official).first()
    if before is not None and new < before.on:
        problem = _(
            "The full-membership date cannot be before the member's event “%(event)s” of %(day)s."
        )
        raise ValidationError(
            {"official_on": problem % {"event": before.get_kind_display(), "day": _day(before.on)}}
        )
    if after is not None and new > after.on:
        problem = _(
            "The full-membership date cannot be after the member's event “%(event)s” of %(day)s."
        )
        raise ValidationError(
            {"official_on": problem % {"event": after.get_kind_display(), "day": _day(after.on)}}
        )
    return False


# --- Membership events ---------------------------------------------------------------------


@transaction.atomic
def member_recognise(
    *, member: Member, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Công nhận đảng viên chính thức: a probationary member becomes a full member on `on`."""
    member = _locked(member, by)
    _require_active(member)
    if member.status != MemberStatus.PROBATIONARY:
        raise ValidationError(_("Only a probationary member can be recognised as a full member."))
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    problem = recognition_problem(member, on, last=_last_event(member))
    if problem:
        raise ValidationError({"on": problem})
    member.status, member.official_on = MemberStatus.FULL, on
    _save(member, by)
    return _record(
        member, EventKind.RECOGNISED, on=on, by=by, decision_number=decision_number, note=note
    )


@transaction.atomic
def member_transfer(
    *, member: Member, to_unit: Unit, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Chuyển sinh hoạt nội bộ: move a member to another cell of the tree on `on`.

    The author must be able to edit both cells; counts as of the day before still find the
    member in the old cell (placements).
    """
    member = _locked(member, by)
    require_edit(by, to_unit)
    _require_active(member)
    if to_unit.pk == member.unit_id:
        raise ValidationError({"to_unit": _("The member is already in this cell.")})
    _check_on(member, on)
    _require_cell(to_unit, on, "to_unit")
    from_unit = member.unit
    member.unit = to_unit
    _save(member, by)
    _replace_placements([member.pk], to_unit.pk, on)
    return _record(
        member,
        EventKind.TRANSFER_INTERNAL,
        on=on,
        by=by,
        unit=from_unit,
        from_unit=from_unit,
        to_unit=to_unit,
        decision_number=decision_number,
        note=note,
    )


def _require_place(scope: str, place: str) -> None:
    if scope not in TransferScope.values:
        raise ValidationError({"scope": _("Choose where the transfer goes.")})
    if not place.strip():
        raise ValidationError({"place": _("Give the party organisation outside.")})


@transaction.atomic
def member_transfer_out(
    *,
    member: Member,
    scope: str,
    place: str,
    on: date,
    by,
    decision_number: str = "",
    note: str = "",
) -> MembershipEvent:
    """Chuyển sinh hoạt chính thức ra ngoài: the member leaves chibo's rolls for a party
    organisation outside; the record is kept, with the transfer."""
    member = _locked(member, by)
    _require_active(member)
    _require_place(scope, place)
    _check_on(member, on)
    member.status, member.left_on = MemberStatus.TRANSFERRED_OUT, on
    _save(member, by)
    _close_placement(member, on)
    return _record(
        member,
        EventKind.TRANSFER_OUT,
        on=on,
        by=by,
        from_unit=member.unit,
        scope=scope,
        place=place,
        decision_number=decision_number,
        note=note,
    )


@transaction.atomic
def member_transfer_in(
    *,
    unit: Unit,
    scope: str,
    place: str,
    on: date,
    by,
    decision_number: str = "",
    note: str = "",
    **fields,
) -> Member:
    """Tiếp nhận đảng viên chuyển đến: record a member who comes from a party organisation
    outside, on the cell's rolls from `on` (party age still counts from the admission)."""
    require_edit(by, unit)
    _require_place(scope, place)
    fields.setdefault("status", status_from_record(fields.get("official_on")))
    member = Member(unit=unit, **fields)
    member.full_clean()
    _check_on(member, on)
    _require_cell(unit, on, "unit")
    member._history_user = by
    member.save()
    Placement.objects.create(member=member, unit=unit, valid_from=on)
    _record(
        member,
        EventKind.TRANSFER_IN,
        on=on,
        by=by,
        to_unit=unit,
        scope=scope,
        place=place,
        decision_number=decision_number,
        note=note,
    )
    return member


def _open_temporary(member: Member) -> MembershipEvent | None:
    """The temporary transfer out not yet followed by a return, if any."""
    last = (
        member.events.filter(kind__in=[EventKind.TEMP_OUT, EventKind.TEMP_BACK])
        .order_by("-on", "-id")
        .first()
    )
    return last if last is not None and last.kind == EventKind.TEMP_OUT else None


@transaction.atomic
def member_temporary_out(
    *,
    member: Member,
    on: date,
    until: date,
    reason: str,
    place: str,
    by,
    decision_number: str = "",
    note: str = "",
) -> MembershipEvent:
    """Chuyển sinh hoạt tạm thời: the member meets elsewhere until `until`, still on this
    cell's rolls (shown apart in its meetings)."""
    member = _locked(member, by)
    _require_active(member)
    if reason not in TEMPORARY_MAX_MONTHS:
        raise ValidationError({"reason": _("Choose the reason of the temporary transfer.")})
    if not place.strip():
        raise ValidationError({"place": _("Give the party organisation outside.")})
    _check_on(member, on)
    if _open_temporary(member) is not None and member.away_until and member.away_until > on:
        raise ValidationError(_("This member is already on temporary transfer."))
    if until is None or until < add_months(on, TEMPORARY_MIN_MONTHS):
        raise ValidationError(
            {
                "until": _("A temporary transfer lasts at least %(months)d months.")
                % {"months": TEMPORARY_MIN_MONTHS}
            }
        )
    # Work and residence: under 1 year (the day a year later is too late); study: up to 2 years.
    if reason == "study":
        if until > add_months(on, TEMPORARY_MAX_MONTHS["study"]):
            raise ValidationError(
                {
                    "until": _("A temporary transfer for study lasts at most %(months)d months.")
                    % {"months": TEMPORARY_MAX_MONTHS["study"]}
                }
            )
    elif until >= add_months(on, TEMPORARY_MAX_MONTHS[reason]):
        raise ValidationError(
            {"until": _("A temporary transfer for work or residence lasts less than a year.")}
        )
    member.away_since, member.away_until = on, until
    _save(member, by)
    label = str(TEMPORARY_REASONS[reason]).capitalize()
    return _record(
        member,
        EventKind.TEMP_OUT,
        on=on,
        by=by,
        from_unit=member.unit,
        place=place,
        until=until,
        decision_number=decision_number,
        note=f"{label}. {note}".strip() if note else label,
    )


@transaction.atomic
def member_temporary_back(
    *, member: Member, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Back from a temporary transfer on `on`: the member meets in the cell again."""
    member = _locked(member, by)
    _require_active(member)
    if _open_temporary(member) is None or member.away_since is None:
        raise ValidationError(_("This member is not on temporary transfer."))
    _check_on(member, on)
    if on <= member.away_since:
        raise ValidationError({"on": _("The return comes after the temporary transfer began.")})
    member.away_until = on
    _save(member, by)
    return _record(
        member, EventKind.TEMP_BACK, on=on, by=by, decision_number=decision_number, note=note
    )


@transaction.atomic
def member_exempt(
    *, member: Member, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Miễn công tác và sinh hoạt đảng (old age, illness): from `on`, left out of the
    attendance rate and the rating, still on the rolls."""
    member = _locked(member, by)
    _require_active(member)
    if member.exempt_since is not None:
        raise ValidationError(_("This member is already exempt from activity."))
    _check_on(member, on)
    member.exempt_since = on
    _save(member, by)
    return _record(
        member, EventKind.EXEMPTED, on=on, by=by, decision_number=decision_number, note=note
    )


@transaction.atomic
def member_exemption_end(
    *, member: Member, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """The member takes part in the cell's activity again from `on`."""
    member = _locked(member, by)
    _require_active(member)
    if member.exempt_since is None:
        raise ValidationError(_("This member is not exempt from activity."))
    _check_on(member, on)
    if on <= member.exempt_since:
        raise ValidationError({"on": _("The exemption ends after the day it began.")})
    member.exempt_since = None
    _save(member, by)
    return _record(
        member,
        EventKind.EXEMPTION_ENDED,
        on=on,
        by=by,
        decision_number=decision_number,
        note=note,
    )


@transaction.atomic
def member_exit(
    *, member: Member, kind: str, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Từ trần, khai trừ, xóa tên, xin ra khỏi Đảng: the member leaves the rolls on `on`; the
    record is kept with the status the event leaves behind."""
    if kind not in EXIT_KINDS:
        raise ValidationError(_("Choose how the member left."))
    member = _locked(member, by)
    _require_active(member)
    _check_on(member, on)
    member.status, member.left_on = EXIT_STATUSES[kind], on
    _save(member, by)
    _close_placement(member, on)
    return _record(
        member,
        kind,
        on=on,
        by=by,
        from_unit=member.unit,
        decision_number=decision_number,
        note=note,
    )


@transaction.atomic
def member_reinstate(
    *,
    member: Member,
    on: date,
    by,
    unit: Unit | None = None,
    decision_number: str = "",
    note: str = "",
) -> MembershipEvent:
    """Kết nạp lại: a member who was expelled, removed or resigned is admitted again, into
    `unit` (the old cell by default), on probation from the new ceremony. Party age still
    counts from the first admission."""
    member = _locked(member, by)
    unit = unit or member.unit
    require_edit(by, unit)
    if member.status not in REINSTATABLE:
        raise ValidationError(
            _("Only a member who was expelled, removed or resigned can be re-admitted.")
        )
    _check_on(member, on)
    # QĐ 294-QĐ/TW (2025): re-admission no earlier than 36 months after leaving.
    earliest = add_months(member.left_on, READMISSION_MONTHS)
    if on < earliest:
        raise ValidationError(
            {
                "on": _(
                    "Re-admission comes no earlier than %(months)d months after leaving "
                    "(from %(day)s)."
                )
                % {"months": READMISSION_MONTHS, "day": _day(earliest)}
            }
        )
    _require_cell(unit, on, "unit")
    member.unit = unit
    member.status, member.official_on, member.left_on = MemberStatus.PROBATIONARY, None, None
    member.ceremony_on = on
    member.exempt_since = member.away_since = member.away_until = None
    _save(member, by)
    Placement.objects.create(member=member, unit=unit, valid_from=on)
    return _record(
        member,
        EventKind.REINSTATED,
        on=on,
        by=by,
        unit=unit,
        to_unit=unit,
        decision_number=decision_number,
        note=note,
    )


def _replace_placements(member_ids, unit_id: int, on: date) -> None:
    Placement.objects.filter(member_id__in=member_ids, valid_to__isnull=True).update(valid_to=on)
    Placement.objects.bulk_create(
        [Placement(member_id=pk, unit_id=unit_id, valid_from=on) for pk in member_ids]
    )


def members_move(*, members, to_unit: Unit, on: date, by) -> int:
    """Move members to another cell on a date (mergers, splits): history and placements kept.

    Callers (reorganisation services) check scope and hold the transaction.
    """
    members = list(members)
    for member in members:
        member.unit = to_unit
    bulk_update_with_history(members, Member, ["unit"], default_user=by, batch_size=500)
    _replace_placements([m.pk for m in members], to_unit.pk, on)
    return len(members)


# --- Excel import ------------------------------------------------------------------------------


def import_batch_create(*, unit: Unit, by, file_name: str, rows: list) -> ImportBatch:
    """Keep a file's rows as the importer read them (members.importer.Row), errors and all,
    for its preview and commit: a batch private to `by`, into a cell `by` may edit."""
    require_edit(by, unit)
    return ImportBatch.objects.create(
        user=by,
        unit=unit,
        file_name=file_name[:255],
        rows=[row.as_json() for row in rows],
        error_count=sum(len(row.errors) for row in rows),
    )


def import_update_problems(member: Member, changes: dict, *, last) -> dict:
    """Why an import may not make `changes` to `member`, by field (empty when it may).

    The dates that membership events record change through those events, never silently by an
    import: the admission date is corrected on the member's page (which moves the admission
    event), a full member's date stays. A probationary member's first full-membership date is
    a recognition, accepted under member_recognise's rules (`last`: the member's last event).
    """
    problems = {}
    if "admitted_on" in changes:
        problems["admitted_on"] = _(
            "The admission date on record is %(day)s, the date of the event “%(event)s”: "
            "correct it on the member's page, not by an import."
        ) % {"day": _day(member.admitted_on), "event": EventKind.ADMITTED.label}
    if "official_on" in changes:
        if member.official_on is not None:
            problems["official_on"] = _(
                "This member has been a full member since %(day)s (event “%(event)s”): an "
                "import cannot change that date."
            ) % {"day": _day(member.official_on), "event": EventKind.RECOGNISED.label}
        else:
            problem = recognition_problem(
                member,
                changes["official_on"],
                last=last,
                probation_from=changes.get("ceremony_on"),
            )
            if problem:
                problems["official_on"] = problem
    return problems


def last_events(member_ids) -> dict[int, MembershipEvent]:
    """Each member's latest event (by date, then id), for many members in a few queries."""
    found = {}
    for chunk in batched(member_ids, IMPORT_CHUNK):
        events = (
            MembershipEvent.objects.filter(member_id__in=chunk)
            .only("member_id", "kind", "on")
            .order_by("member_id", "-on", "-id")
        )
        for event in events:
            found.setdefault(event.member_id, event)
    return found


IMPORT_CHUNK = 1000  # members per query and per write, and between two progress reports


@transaction.atomic
def members_import(*, batch: ImportBatch, by, progress=None) -> dict:
    """Commit a previewed import: every row or none, with history, in one transaction.

    New members and updates are written in bulk (members.bulk: 10,000 rows within the import
    budget of DESIGN.md), recognitions with their events; rows that would change nothing write
    nothing, so importing the same file twice is harmless. Every row was fully validated by the
    preview: new rows are written as it read them (the database's constraints still hold), an
    update is validated again when its member's record was saved since. `progress(phase, done,
    total)` hears how far it has got, writing included (by default the cache, which the import
    page polls: the transaction hides it from the database until the end).
    """
    from members.importer import (
        CREATE,
        DONE,
        SAVE,
        UPDATE,
        WRITE,
        ProgressReporter,
        values_from_json,
    )

    progress = progress or ProgressReporter(by.pk)

    batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    if batch.user_id != by.pk:
        raise PermissionDenied
    if batch.committed_at is not None:
        raise ValidationError(_("This file has already been imported."))
    if batch.error_count:
        raise ValidationError(_("Correct the errors in the file and upload it again."))
    require_edit(by, batch.unit)
    rows = batch.rows
    total = len(rows)
    targets = _import_targets([row["member_id"] for row in rows if row["action"] == UPDATE])
    recognising = [
        row["member_id"]
        for row in rows
        if row["action"] == UPDATE
        and row["values"].get("official_on")
        and row["member_id"] in targets
        and targets[row["member_id"]].official_on is None
    ]
    last = last_events(recognising)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new, updated, fields, events = [], [], set(), []
    for done, row in enumerate(rows, start=1):
        progress(SAVE, done, total)
        values = values_from_json(row["values"])
        try:
            if row["action"] == CREATE:
                new.append((row["row"], _new_member(batch.unit, **values)))
                continue
            change = None
            if row["action"] == UPDATE:
                member = targets.get(row["member_id"])
                change = _import_update(
                    member, values, unit=batch.unit, last=last, by=by, seen=row.get("seen")
                )
            if change is None:
                counts["unchanged"] += 1
                continue
        except ValidationError as error:
            raise _row_error(row["row"], error) from error
        member, names, event = change
        updated.append((row["row"], member))
        fields |= names
        if event is not None:
            events.append(event)
    _check_still_unique(new, updated)
    to_write = len(new) + len(updated)
    written = 0
    progress(WRITE, written, to_write)
    for chunk in batched([m for _row, m in updated], IMPORT_CHUNK):
        bulk.update_with_history(Member, chunk, sorted(fields), by=by)
        written += len(chunk)
        progress(WRITE, written, to_write)
    events_bulk_create(events, by=by)  # the recognitions
    for chunk in batched([m for _row, m in new], IMPORT_CHUNK):
        bulk.insert_with_history(Member, chunk, by=by)
        bulk.insert_rows(Placement, placements_for(chunk), returning=False)
        events_bulk_create([e for member in chunk for e in entry_events(member, by=by)], by=by)
        written += len(chunk)
        progress(WRITE, written, to_write)
    counts["created"], counts["updated"] = len(new), len(updated)
    batch.committed_at = timezone.now()
    batch.save(update_fields=["committed_at"])
    progress(DONE, total, total)
    return counts


def _import_targets(member_ids: list) -> dict[int, Member]:
    """The members an import updates, locked until the commit ends."""
    found = {}
    for chunk in batched(member_ids, IMPORT_CHUNK):
        for member in Member.objects.select_for_update().filter(pk__in=chunk):
            found[member.pk] = member
    return found


def _import_update(member: Member | None, values: dict, *, unit: Unit, last: dict, by, seen):
    """(member with the row's changes, changed fields, recognition event or None), or None
    when the row changes nothing; ValidationError when the change is not allowed any more.

    The preview checked the change against the record as it was then (`seen`: its last save);
    a record saved since (an event recorded, an edit) is checked again."""
    if member is None:
        raise ValidationError(_("This member is no longer in the database."))
    if member.unit_id != unit.pk:
        raise ValidationError(_("This member has moved to another cell."))
    member.unit = unit  # the record's rules read the cell: no query per member
    changes = {name: value for name, value in values.items() if getattr(member, name) != value}
    if not changes:
        return None
    checked = bool(seen) and member.updated_at.isoformat() == seen
    if not checked:
        problems = import_update_problems(member, changes, last=last.get(member.pk))
        if problems:
            raise ValidationError(problems)
    for name, value in changes.items():
        setattr(member, name, value)
    names = set(changes) | {"search_key", "sort_key"}
    event = None
    if "official_on" in changes:
        member.status = MemberStatus.FULL
        names.add("status")
        event = MembershipEvent(
            member=member,
            kind=EventKind.RECOGNISED,
            on=member.official_on,
            unit_id=member.unit_id,
            created_by=by,
        )
    member.set_name_keys()
    if not checked:
        # The record's rules, and the fields the row changes (the others were valid already);
        # the cell was checked for the batch, the village is one of its commune's (preview).
        member.full_clean(
            exclude=[f.name for f in Member._meta.fields if f.attname not in changes]
            + ["unit", "residence_village"],
            validate_unique=False,
            validate_constraints=False,
        )
    return member, names, event


def _new_member(unit: Unit, **fields) -> Member:
    """An unsaved member of a row the preview validated, with its status and derived keys."""
    fields.setdefault("status", status_from_record(fields.get("official_on")))
    member = Member(unit=unit, **fields)
    member.set_name_keys()  # what save() would write (the importer wrote its text normalised)
    return member


def _check_still_unique(new: list, updated: list) -> None:
    """Another member may have taken a citizen ID or card number since the preview."""
    for field_name, message in (
        ("citizen_id", _("Another member already has this citizen ID number.")),
        ("card_number", _("Another member already has this party card number.")),
    ):
        wanted = {}
        for row, member in [*new, *updated]:
            value = getattr(member, field_name)
            if value:
                wanted[value] = (row, member.pk)
        for chunk in batched(wanted, IMPORT_CHUNK):
            taken = Member.objects.filter(**{f"{field_name}__in": chunk}).values_list(
                field_name, "pk"
            )
            for value, pk in taken:
                row, own = wanted[value]
                if pk != own:
                    raise _row_error(row, ValidationError(message))


def _row_error(number: int, error) -> ValidationError:
    reasons = getattr(error, "messages", [str(error)])
    return ValidationError(
        _("Row %(row)d: %(reasons)s")
        % {"row": number, "reasons": " ".join(str(r) for r in reasons)}
    )
