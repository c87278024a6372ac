"""Writes to member records: scoped, validated, atomic, leaving history."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from members.models import Member
from units.access import scope_for
from units.models import Unit


def _require_edit(by, unit: Unit) -> None:
    if not scope_for(by).can_edit(unit.path):
        raise PermissionDenied


@transaction.atomic
def member_create(*, unit: Unit, by, **fields) -> Member:
    """Record a member in a cell the author may edit."""
    _require_edit(by, unit)
    member = Member(unit=unit, **fields)
    member._history_user = by
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, by, **fields) -> Member:
    """Change a member's record; a change of cell needs edit rights on both cells."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    _require_edit(by, member.unit)
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != member.unit_id:
        _require_edit(by, new_unit)
    for name, value in fields.items():
        setattr(member, name, value)
    member._history_user = by
    member.full_clean()
    member.save()
    return member
