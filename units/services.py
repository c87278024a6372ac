"""Writes to the unit tree, villages and assignments: validated, atomic, leaving history.

Reorganisations (found, rename, move, merge, split, dissolve, the 2025 reform) live in
units/reorganisation.py and use the building blocks here.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from units.access import forget_scope, paths_q, scope_for
from units.models import (
    Assignment,
    Officer,
    OfficerRole,
    Role,
    Term,
    Unit,
    UnitVersion,
    Village,
)

# Versions of units whose founding date is unknown start here.
BEGINNING = date(1930, 2, 3)  # the founding of the Party


def _save_with_history(obj, by) -> None:
    obj._history_user = by
    obj.full_clean()
    obj.save()


def _require_edit(by, unit: Unit | None) -> None:
    """Structural changes need edit rights over the unit above (secretaries have none)."""
    scope = scope_for(by)
    if unit is None:
        if not scope.everything:
            raise PermissionDenied
    elif not scope.can_edit(unit.path) or scope.is_secretary_only:
        raise PermissionDenied


def version_of(unit: Unit, valid_from: date) -> UnitVersion:
    return UnitVersion(
        unit=unit,
        parent_id=unit.parent_id,
        path=unit.path,
        depth=unit.depth,
        kind=unit.kind,
        name=unit.name,
        valid_from=valid_from,
        valid_to=unit.dissolved_on,
    )


def check_not_before_last_change(paths, on: date) -> None:
    """Changes are recorded in date order: refuse one dated before a later change of the tree."""
    latest = (
        UnitVersion.objects.filter(valid_to__isnull=True)
        .filter(paths_q(paths, "path"))
        .aggregate(latest=Max("valid_from"))["latest"]
    )
    if latest and on < latest:
        raise ValidationError(
            _("A later change of these units is recorded on %(day)s; enter changes in date order.")
            % {"day": latest.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def unit_create(*, parent: Unit | None, by, effective_on: date | None = None, **fields) -> Unit:
    """Found a unit under `parent`; its path is the parent's path plus its own id."""
    _require_edit(by, parent)
    unit = Unit(parent=parent, **fields)
    _save_with_history(unit, by)
    prefix = parent.path if parent else ""
    unit.path = f"{prefix}{unit.pk}."
    unit.depth = parent.depth + 1 if parent else 0
    # Derived column: written without history.
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    version_of(unit, effective_on or unit.founded_on or BEGINNING).save()
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, by, **fields) -> Unit:
    """Change a unit's own fields (not its place in the tree: see unit_move)."""
    _require_edit(by, unit.parent or unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    for name, value in fields.items():
        setattr(unit, name, value)
    _save_with_history(unit, by)
    # A correction, not a dated change: the version in force takes the corrected record.
    UnitVersion.objects.filter(unit=unit, valid_to__isnull=True).update(
        name=unit.name, kind=unit.kind
    )
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit, by, effective_on: date | None = None) -> Unit:
    """Move a unit with its whole subtree under `new_parent`: one UPDATE of the paths.

    The versions of the subtree are closed on `effective_on` (today by default) and reopened
    at the new place, so the tree as of an earlier date still shows the old place.
    """
    _require_edit(by, unit.parent or unit)
    _require_edit(by, new_parent)
    on = effective_on or date.today()
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
    check_not_before_last_change([unit.path], on)
    old_path, old_depth = unit.path, unit.depth
    unit.parent = new_parent
    _save_with_history(unit, by)
    new_path = f"{new_parent.path}{unit.pk}."
    shift = new_parent.depth + 1 - old_depth
    Unit.objects.subtree(old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + shift,
    )
    UnitVersion.objects.subtree(old_path).filter(valid_to__isnull=True).update(valid_to=on)
    unit.path, unit.depth = new_path, old_depth + shift
    UnitVersion.objects.bulk_create(
        [version_of(u, on) for u in Unit.objects.subtree(new_path).active()]
    )
    return unit


def subtree_paths_consistent() -> bool:
    """True when every unit's path is its parent's path plus its id (a check for tests and ops)."""
    for unit in Unit.objects.select_related("parent").only("pk", "path", "parent__path"):
        expected = f"{unit.parent.path if unit.parent else ''}{unit.pk}."
        if unit.path != expected:
            return False
    return True


@transaction.atomic
def village_create(*, commune: Unit, by, **fields) -> Village:
    """Add a village to a commune."""
    _require_edit(by, commune)
    village = Village(commune=commune, **fields)
    _save_with_history(village, by)
    return village


@transaction.atomic
def village_update(*, village: Village, by, **fields) -> Village:
    """Rename a village or change the cell that covers it."""
    _require_edit(by, village.commune)
    village = Village.objects.select_for_update().get(pk=village.pk)
    for name, value in fields.items():
        setattr(village, name, value)
    _save_with_history(village, by)
    return village


@transaction.atomic
def assignment_create(*, user, unit: Unit, role: str, by) -> Assignment:
    """Give `user` a role over `unit` (and so its subtree)."""
    scope = scope_for(by)
    if not scope.can_administer(unit.path):
        raise PermissionDenied
    assignment = Assignment(user=user, unit=unit, role=role)
    _save_with_history(assignment, by)
    if role == Role.ADMIN and not user.is_staff:
        # Administrators also use the (scoped, mostly read-only) Django admin.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_scope(user)
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, by) -> None:
    """Take a role away; the history keeps who had it."""
    if not scope_for(by).can_administer(assignment.unit.path):
        raise PermissionDenied
    assignment._history_user = by
    assignment.delete()
    forget_scope(assignment.user)


@transaction.atomic
def term_create(*, unit: Unit, name: str, starts_on: date, ends_on: date | None, by) -> "Term":
    """Open a term of office (nhiệm kỳ) of a unit."""
    _require_edit(by, unit.parent or unit)
    term = Term(unit=unit, name=name, starts_on=starts_on, ends_on=ends_on)
    _save_with_history(term, by)
    return term


@transaction.atomic
def officer_appoint(
    *, unit: Unit, member, role: str, starts_on: date, by, term=None, is_village_head=False,
    username: str = "",
) -> Officer:  # fmt: skip
    """Appoint an officer; a cell's secretary may at once get the secretary role in chibo.

    The one who appoints must be able to edit the committee above the unit; giving the role
    needs an administrator (assignment_create checks it).
    """
    _require_edit(by, unit.parent or unit)
    if not member.unit.path.startswith(unit.path):
        raise ValidationError({"member": _("The officer must be a member of this unit.")})
    officer = Officer(
        unit=unit,
        member=member,
        role=role,
        term=term,
        starts_on=starts_on,
        is_village_head=is_village_head,
    )
    _save_with_history(officer, by)
    if username:
        if not (unit.is_cell and role == OfficerRole.SECRETARY):
            raise ValidationError(_("Only a cell's secretary gets the secretary role with it."))
        if not scope_for(by).can_administer(unit.path):
            raise ValidationError(_("Only an administrator may give access to chibo."))
        user, _created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"last_name": member.full_name.rsplit(" ", 1)[0],
                      "first_name": member.full_name.rsplit(" ", 1)[-1]},
        )  # fmt: skip
        if not Assignment.objects.filter(user=user, unit=unit).exists():
            assignment_create(user=user, unit=unit, role=Role.SECRETARY, by=by)
    return officer


@transaction.atomic
def officer_end(*, officer: Officer, ends_on: date, by) -> Officer:
    """An officer's office ends (term over, moved, resigned)."""
    _require_edit(by, officer.unit.parent or officer.unit)
    officer.ends_on = ends_on
    _save_with_history(officer, by)
    return officer
