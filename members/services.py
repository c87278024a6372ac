"""Writes to member records: scoped, validated, atomic, leaving history.

Membership events (biến động đảng viên) are written only here: each service changes the
member's status and dates, the placements that give counts as of any date, and records the
event with its decision and author, in one transaction.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.choices import (
    ACTIVE_STATUSES,
    EXIT_STATUSES,
    EventKind,
    MemberStatus,
    TransferScope,
)
from members.models import ImportBatch, Member, MembershipEvent, Placement, placements_for
from members.rules import add_months, probation_ends
from units.access import scope_for
from units.models import CELL_KINDS, Unit
from units.vietnamese import name_sort_key, strip_diacritics

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


def _require_edit(by, unit: Unit) -> None:
    if not scope_for(by).can_edit(unit.path):
        raise PermissionDenied


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _locked(member: Member) -> Member:
    """The member's row, locked for the event, with its cell."""
    return Member.objects.select_for_update().select_related("unit").get(pk=member.pk)


def _check_on(member: Member, on: date | None, *, since: date | None = None) -> None:
    """An event's date: not in the future, not before the admission nor the last event."""
    if on is None:
        raise ValidationError({"on": _("Give the date.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    start = since or member.admitted_on
    if on < start:
        raise ValidationError(
            {
                "on": _("This date is before the member's admission (%(day)s).")
                % {"day": _day(start)}
            }
        )
    last = member.events.order_by("-on", "-id").first() if member.pk else None
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": _("This date is before the member's last event (%(event)s, %(day)s).")
                % {"event": last.get_kind_display(), "day": _day(last.on)}
            }
        )


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
    events = [
        MembershipEvent(
            member=member,
            kind=EventKind.ADMITTED,
            on=member.admitted_on,
            unit=member.unit,
            to_unit=member.unit,
            created_by=by,
        )
    ]
    if member.official_on:
        events.append(
            MembershipEvent(
                member=member,
                kind=EventKind.RECOGNISED,
                on=member.official_on,
                unit=member.unit,
                created_by=by,
            )
        )
    if member.exempt_since:
        events.append(
            MembershipEvent(
                member=member,
                kind=EventKind.EXEMPTED,
                on=member.exempt_since,
                unit=member.unit,
                created_by=by,
            )
        )
    if member.left_on:
        kind = next(k for k, status in EXIT_STATUSES.items() if status == member.status)
        events.append(
            MembershipEvent(
                member=member,
                kind=kind,
                on=member.left_on,
                unit=member.unit,
                from_unit=member.unit,
                created_by=by,
            )
        )
    return events


def events_bulk_create(events: list[MembershipEvent], *, by) -> int:
    """Write many events with their history rows in a few statements (imports, the demo).

    bulk_create_with_history builds two model objects per event (~5 s for the 20,000 events of
    a 10,000-member import, half the import's budget); here the rows go in one executemany and
    their history rows are copied from them by INSERT … SELECT, with the same author and time.
    """
    if not events:
        return 0
    now = timezone.now()
    fields = [f for f in MembershipEvent._meta.concrete_fields if not f.primary_key]
    for event in events:
        event.created_at = now
    db = transaction.get_connection()
    # Only dates need the backend's conversion; text, numbers and ids go in as they are.
    dated = {f.attname for f in fields if isinstance(f, models.DateField)}
    rows = [
        [
            f.get_db_prep_save(getattr(event, f.attname), db)
            if f.attname in dated
            else getattr(event, f.attname)
            for f in fields
        ]
        for event in events
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(MembershipEvent._meta.db_table)
    history = quote(MembershipEvent.history.model._meta.db_table)
    stamp = fields[[f.name for f in fields].index("created_at")].get_db_prep_save(now, connection)
    member_ids = sorted({event.member_id for event in events})
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows
        )
        for start in range(0, len(member_ids), 2000):
            chunk = member_ids[start : start + 2000]
            cursor.execute(
                f"INSERT INTO {history} ({quote('id')}, {columns}, {quote('history_date')}, "
                f"{quote('history_change_reason')}, {quote('history_type')}, "
                f"{quote('history_user_id')}) "
                f"SELECT {quote('id')}, {columns}, %s, NULL, '+', %s FROM {table} "
                f"WHERE {quote('created_at')} = %s "
                f"AND {quote('member_id')} IN ({', '.join(['%s'] * len(chunk))})",
                [stamp, by.pk if by else None, stamp, *chunk],
            )
    return len(events)


@transaction.atomic
def member_create(*, unit: Unit, by, **fields) -> Member:
    """Record a member in a cell the author may edit, placed there from the admission date,
    with the admission (and recognition) events of the record."""
    _require_edit(by, unit)
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
def member_update(*, member: Member, by, moved_on: date | None = None, **fields) -> Member:
    """Change a member's record; a change of cell needs edit rights on both cells.

    A change of cell is placed on `moved_on` (today by default), so counts as of an earlier day
    still find the member in the old cell, and recorded as a transfer between cells.
    """
    member = _locked(member)
    _require_edit(by, member.unit)
    old_unit, old_admitted, old_official = member.unit, member.admitted_on, member.official_on
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != member.unit_id:
        _require_edit(by, new_unit)
    for name, value in fields.items():
        setattr(member, name, value)
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
    if member.official_on and not old_official:
        _record(member, EventKind.RECOGNISED, on=member.official_on, by=by)
    if member.admitted_on != old_admitted:
        # A corrected admission date moves the start of the first placement with it, and
        # the admission event.
        first = member.placements.order_by("valid_from").first()
        if first is not None:
            first.valid_from = member.admitted_on
            first.save(update_fields=["valid_from"])
        for event in member.events.filter(kind=EventKind.ADMITTED, on=old_admitted):
            event.on = member.admitted_on
            event._history_user = by
            event.save(update_fields=["on"])
    return member


# --- Membership events ---------------------------------------------------------------------


@transaction.atomic
def member_recognise(
    *, member: Member, on: date, by, decision_number: str = "", note: str = ""
) -> MembershipEvent:
    """Công nhận đảng viên chính thức: a probationary member becomes a full member on `on`."""
    member = _locked(member)
    _require_edit(by, member.unit)
    _require_active(member)
    if member.status != MemberStatus.PROBATIONARY:
        raise ValidationError(_("Only a probationary member can be recognised as a full member."))
    _check_on(member, on)
    # HD 12-HD/BTCTW (2022): recognition takes effect when 12 months from the ceremony end.
    ends = probation_ends(member.ceremony_on or member.admitted_on)
    if on < ends:
        raise ValidationError(
            {
                "on": _("Probation ends on %(day)s: recognition cannot come earlier.")
                % {"day": _day(ends)}
            }
        )
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
    member = _locked(member)
    _require_edit(by, member.unit)
    _require_edit(by, to_unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    _require_edit(by, unit)
    _require_place(scope, place)
    fields.setdefault(
        "status", MemberStatus.FULL if fields.get("official_on") else MemberStatus.PROBATIONARY
    )
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
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
    member = _locked(member)
    _require_edit(by, member.unit)
    unit = unit or member.unit
    _require_edit(by, unit)
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


@transaction.atomic
def members_import(*, batch: ImportBatch, by, progress=None) -> dict:
    """Commit a previewed import: every row or none, with history, in one transaction.

    New members are written in bulk (10,000 rows within the import budget of DESIGN.md); rows
    that would change nothing write nothing, so importing the same file twice is harmless.
    `progress(phase, done, total)` hears how far it has got (by default the cache, which the
    import page polls: the transaction hides it from the database until the end).
    """
    from members.importer import CREATE, DONE, SAVE, UPDATE, ProgressReporter, values_from_json

    progress = progress or ProgressReporter(by.pk)

    batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    if batch.user_id != by.pk:
        raise PermissionDenied
    if batch.committed_at is not None:
        raise ValidationError(_("This file has already been imported."))
    if batch.error_count:
        raise ValidationError(_("Correct the errors in the file and upload it again."))
    _require_edit(by, batch.unit)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new = []
    total = len(batch.rows)
    for done, row in enumerate(batch.rows, start=1):
        progress(SAVE, done, total)
        values = values_from_json(row["values"])
        status = MemberStatus.FULL if values.get("official_on") else MemberStatus.PROBATIONARY
        try:
            if row["action"] == CREATE:
                new.append((row["row"], _new_member(batch.unit, status=status, **values)))
                continue
            member = Member.objects.select_related("unit").get(pk=row["member_id"])
            if member.unit_id != batch.unit_id:
                raise ValidationError(_("This member has moved to another cell."))
            # A file without the full-membership column leaves the status alone.
            if member.status in ACTIVE_STATUSES and "official_on" in values:
                values["status"] = status
            changes = {k: v for k, v in values.items() if getattr(member, k) != v}
            if row["action"] == UPDATE and changes:
                member_update(member=member, by=by, **changes)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        except (ValidationError, Member.DoesNotExist) as error:
            raise _row_error(row["row"], error) from error
    _check_still_unique(new)
    members = bulk_create_with_history([m for _row, m in new], Member, default_user=by)
    Placement.objects.bulk_create(placements_for(members), batch_size=500)
    events_bulk_create(
        [event for member in members for event in entry_events(member, by=by)], by=by
    )
    counts["created"] = len(members)
    batch.committed_at = timezone.now()
    batch.save(update_fields=["committed_at"])
    progress(DONE, total, total)
    return counts


def _new_member(unit: Unit, **fields) -> Member:
    """A validated, unsaved member with its derived keys, as Member.save() would write them."""
    member = Member(unit=unit, **fields)
    member.normalize_text_fields()
    member.search_key = strip_diacritics(member.full_name)
    member.sort_key = name_sort_key(member.full_name)
    # Uniqueness is checked for the whole file at once (_check_still_unique), not row by row;
    # the cell was checked once for the batch, not again for each row.
    member.full_clean(exclude=["unit"], validate_unique=False, validate_constraints=False)
    return member


def _check_still_unique(new: list) -> None:
    """Another member may have taken a citizen ID or card number since the preview."""
    for field_name, message in (
        ("citizen_id", _("Another member already has this citizen ID number.")),
        ("card_number", _("Another member already has this party card number.")),
    ):
        wanted = {getattr(m, field_name): row for row, m in new if getattr(m, field_name)}
        taken = Member.objects.filter(**{f"{field_name}__in": wanted}).values_list(
            field_name, flat=True
        )
        for value in taken[:1]:
            raise _row_error(wanted[value], ValidationError(message))


def _row_error(number: int, error) -> ValidationError:
    reasons = getattr(error, "messages", [str(error)])
    return ValidationError(
        _("Row %(row)d: %(reasons)s")
        % {"row": number, "reasons": " ".join(str(r) for r in reasons)}
    )
