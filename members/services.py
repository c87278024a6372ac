"""Writes to member records: scoped, validated, atomic, leaving history."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.choices import ACTIVE_STATUSES, MemberStatus
from members.models import ImportBatch, Member, Placement, placements_for
from units.access import scope_for
from units.models import Unit
from units.vietnamese import name_sort_key, strip_diacritics


def _require_edit(by, unit: Unit) -> None:
    if not scope_for(by).can_edit(unit.path):
        raise PermissionDenied


@transaction.atomic
def member_create(*, unit: Unit, by, **fields) -> Member:
    """Record a member in a cell the author may edit, placed there from the admission date."""
    _require_edit(by, unit)
    member = Member(unit=unit, **fields)
    member._history_user = by
    member.full_clean()
    member.save()
    Placement.objects.create(member=member, unit=unit, valid_from=member.admitted_on)
    return member


@transaction.atomic
def member_update(*, member: Member, by, moved_on: date | None = None, **fields) -> Member:
    """Change a member's record; a change of cell needs edit rights on both cells.

    A change of cell is placed on `moved_on` (today by default), so counts as of an earlier day
    still find the member in the old cell.
    """
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    _require_edit(by, member.unit)
    old_unit_id, old_admitted = member.unit_id, member.admitted_on
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != member.unit_id:
        _require_edit(by, new_unit)
    for name, value in fields.items():
        setattr(member, name, value)
    member._history_user = by
    member.full_clean()
    member.save()
    if member.unit_id != old_unit_id:
        _replace_placements([member.pk], member.unit_id, moved_on or date.today())
    if member.admitted_on != old_admitted:
        # A corrected admission date moves the start of the first placement with it.
        first = member.placements.order_by("valid_from").first()
        if first is not None:
            first.valid_from = member.admitted_on
            first.save(update_fields=["valid_from"])
    return member


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
def members_import(*, batch: ImportBatch, by) -> dict:
    """Commit a previewed import: every row or none, with history, in one transaction.

    New members are written in bulk (10,000 rows within the import budget of DESIGN.md); rows
    that would change nothing write nothing, so importing the same file twice is harmless.
    """
    from members.importer import CREATE, UPDATE, values_from_json

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
    for row in batch.rows:
        values = values_from_json(row["values"])
        status = MemberStatus.FULL if values.get("official_on") else MemberStatus.PROBATIONARY
        try:
            if row["action"] == CREATE:
                new.append((row["row"], _new_member(batch.unit, status=status, **values)))
                continue
            member = Member.objects.select_related("unit").get(pk=row["member_id"])
            if member.unit_id != batch.unit_id:
                raise ValidationError(_("This member has moved to another cell."))
            if member.status in ACTIVE_STATUSES:
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
    counts["created"] = len(members)
    batch.committed_at = timezone.now()
    batch.save(update_fields=["committed_at"])
    return counts


def _new_member(unit: Unit, **fields) -> Member:
    """A validated, unsaved member with its derived keys, as Member.save() would write them."""
    member = Member(unit=unit, **fields)
    member.normalize_text_fields()
    member.search_key = strip_diacritics(member.full_name)
    member.sort_key = name_sort_key(member.full_name)
    # Uniqueness is checked for the whole file at once (_check_still_unique), not row by row.
    member.full_clean(validate_unique=False, validate_constraints=False)
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
