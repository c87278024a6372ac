"""Writes to the unit tree, villages and assignments: validated, atomic, leaving history.

Reorganisations (found, rename, move, merge, split, dissolve, the 2025 reform) live in
units/reorganisation.py and use the building blocks here.
"""

import hashlib
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.access import check_structure_edit, forget_scope, paths_q, scope_for
from units.concurrency import lock_for_edit
from units.models import (
    Assignment,
    Officer,
    OfficerRole,
    Role,
    Term,
    Unit,
    UnitVersion,
    Village,
    VillageCoverage,
)

# Versions of units whose founding date is unknown start here.
BEGINNING = date(1930, 2, 3)  # the founding of the Party


def _save_with_history(obj, by) -> None:
    obj._history_user = by
    obj.full_clean()
    obj.save()


def _require_edit(by, unit: Unit | None) -> None:
    """Structural changes need edit rights over the unit above (secretaries have none)."""
    if unit is None:
        if not scope_for(by).everything:
            raise PermissionDenied
    else:
        check_structure_edit(by, unit)


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


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_not_in_future(on: date, field: str | None = None) -> None:
    """Changes are recorded once they take effect, never ahead of time."""
    if on > timezone.localdate():
        message = _("This date is in the future.")
        raise ValidationError({field: message} if field else message)


TREE_CHANGED = gettext_lazy(
    "The tree of units changed while this was being prepared (another reorganisation was "
    "saved). Nothing was changed: open the units again, check them, then start over."
)


def _root_id(path: str) -> int:
    return int(path.split(".", 1)[0])


def lock_tree(*subtrees: Unit | None, rows=()) -> None:
    """Lock, until the transaction ends, what a change of the tree touches: the root of every
    tree involved first (so that changes of the same tree run one after the other, whatever
    their order), then the units under each of `subtrees` and the units `rows`, by pk.

    The units given are refreshed from the database once locked: a change that waited for
    another works on the tree as that one left it. Everything that changes paths calls it
    (unit_create, unit_move, every reorganisation): a fixed locking order, so no deadlock.
    """
    units = [u for u in (*subtrees, *rows) if u is not None and u.pk]
    if not units:
        return
    # Paths as they are now: the caller's copies may be older than another change.
    paths = dict(Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("pk", "path"))
    roots = sorted({_root_id(path) for path in paths.values()})
    locking = Unit.objects.select_for_update(of=("self",)).order_by("pk")
    list(locking.filter(pk__in=roots).values_list("pk", flat=True))
    for unit in units:
        unit.refresh_from_db()
        if _root_id(unit.path) not in roots:  # moved to another tree while we waited
            raise ValidationError(TREE_CHANGED)
    wanted = paths_q([u.path for u in subtrees if u is not None and u.pk], "path")
    list(locking.filter(wanted | Q(pk__in=[u.pk for u in units])).values_list("pk", flat=True))


def tree_token(units) -> str:
    """A digest of the units under each of `units` and above them, as they stand: a
    reorganisation previewed at one token is confirmed only while the tree still has it."""
    units = [u for u in units if u is not None and u.pk]
    paths = list(Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("path", flat=True))
    above = {int(pk) for path in paths for pk in path.split(".") if pk}
    rows = (
        Unit.objects.filter(paths_q(paths, "path") | Q(pk__in=above))
        .order_by("pk")
        .values_list("pk", "path", "parent_id", "name", "kind", "dissolved_on")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:32]


def check_not_before_last_change(paths, on: date, *, member_units=()) -> None:
    """Changes are recorded in date order: refuse one dated before a later change of the tree.

    With `member_units`, the units whose own members the change moves or ends: refuse it too
    when a member joined, moved or left one of them after `on` (a merger dated before a
    member's later move would leave a placement ending before it began). Two queries at most.
    """
    latest = (
        UnitVersion.objects.filter(valid_to__isnull=True)
        .filter(paths_q(paths, "path"))
        .aggregate(latest=Max("valid_from"))["latest"]
    )
    if latest and on < latest:
        raise ValidationError(
            _("A later change of these units is recorded on %(day)s; enter changes in date order.")
            % {"day": _day(latest)}
        )
    if not member_units:
        return
    from members.models import Placement  # members depend on units, not the reverse

    moves = Placement.objects.filter(unit_id__in=list(member_units)).aggregate(
        started=Max("valid_from"), ended=Max("valid_to")
    )
    latest = max((d for d in moves.values() if d is not None), default=None)
    if latest and on < latest:
        raise ValidationError(
            _(
                "A member joined, moved or left these units on %(day)s, after this date; "
                "enter changes in date order."
            )
            % {"day": _day(latest)}
        )


def coverage_rows(villages, since: date) -> list[VillageCoverage]:
    """The first coverage of new villages from `since`: with no cell until their cell's founding.

    Unsaved, for the caller to write in bulk (the village services, the demo, the factories).
    """
    rows = []
    for village in villages:
        start = since
        founded = village.cell.founded_on if village.cell_id else None
        if founded and founded > since:
            rows.append(
                VillageCoverage(
                    village=village,
                    commune_id=village.commune_id,
                    cell=None,
                    valid_from=since,
                    valid_to=founded,
                )
            )
            start = founded
        rows.append(
            VillageCoverage(
                village=village,
                commune_id=village.commune_id,
                cell_id=village.cell_id,
                valid_from=start,
            )
        )
    return rows


def coverage_change(villages, on: date) -> None:
    """Villages whose commune or covering cell changes on `on` (already set on the objects):
    their coverage in force is closed and the new one opened, in four queries however many.

    Every writer of a village's commune or cell calls it in the same transaction (village_update,
    units.reorganisation._pass_villages), so Village.commune/cell, kept for today's reads, are
    always the coverage in force.
    """
    villages = list(villages)
    if not villages:
        return
    ids = [v.pk for v in villages]
    current = VillageCoverage.objects.filter(village_id__in=ids, valid_to__isnull=True)
    later = current.filter(valid_from__gt=on).aggregate(day=Max("valid_from"))["day"]
    if later:
        raise ValidationError(
            _(
                "A later change of these villages is recorded on %(day)s; "
                "enter changes in date order."
            )
            % {"day": _day(later)}
        )
    # A second change on the same day replaces the first.
    current.filter(valid_from=on).delete()
    current.update(valid_to=on)
    VillageCoverage.objects.bulk_create(
        VillageCoverage(village_id=v.pk, commune_id=v.commune_id, cell_id=v.cell_id, valid_from=on)
        for v in villages
    )


@transaction.atomic
def unit_create(*, parent: Unit | None, by, effective_on: date | None = None, **fields) -> Unit:
    """Found a unit under `parent`; its path is the parent's path plus its own id."""
    _require_edit(by, parent)
    lock_tree(rows=[parent])  # the parent's path is final until the new path is written
    unit = Unit(parent=parent, **fields)
    _save_with_history(unit, by)
    prefix = parent.path if parent else ""
    unit.path = f"{prefix}{unit.pk}."
    unit.depth = parent.depth + 1 if parent else 0
    # Derived column: written without history.
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    version_of(unit, effective_on or unit.founded_on or BEGINNING).save()
    return unit


# Fields that change only through a dated reorganisation (units/reorganisation.py).
REORGANISED_FIELDS = ("parent", "parent_id", "dissolved_on", "path", "depth")


@transaction.atomic
def unit_update(*, unit: Unit, by, token: str | None = None, **fields) -> Unit:
    """Correct a unit's own fields: not its place in the tree nor its end, which are dated
    reorganisations (reorg_move, reorg_merge, reorg_dissolve) with their events."""
    refused = sorted(set(fields) & set(REORGANISED_FIELDS))
    if refused:
        raise ValidationError(
            _("Move or dissolve a unit through a reorganisation, not by editing it.")
        )
    _require_edit(by, unit.parent or unit)
    unit = lock_for_edit(Unit.objects.all(), unit.pk, token)
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
    lock_tree(unit, rows=[unit.parent, new_parent])
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
def village_create(*, commune: Unit, by, effective_on: date | None = None, **fields) -> Village:
    """Add a village to a commune; its coverage counts from `effective_on` (by default the
    beginning: a village recorded now has existed all along), uncovered until its cell's
    founding."""
    _require_edit(by, commune)
    village = Village(commune=commune, **fields)
    _save_with_history(village, by)
    VillageCoverage.objects.bulk_create(coverage_rows([village], effective_on or BEGINNING))
    return village


@transaction.atomic
def village_update(
    *, village: Village, by, effective_on: date | None = None, token: str | None = None, **fields
) -> Village:
    """Rename a village or change the cell that covers it, from `effective_on` (today by
    default): figures as of an earlier date keep the old cell."""
    _require_edit(by, village.commune)
    on = effective_on or timezone.localdate()
    check_not_in_future(on, "effective_on")
    village = lock_for_edit(Village.objects.all(), village.pk, token)
    before = (village.commune_id, village.cell_id)
    for name, value in fields.items():
        setattr(village, name, value)
    _save_with_history(village, by)
    if (village.commune_id, village.cell_id) != before:
        try:
            coverage_change([village], on)
        except ValidationError as error:
            raise ValidationError({"effective_on": error.messages}) from error
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


def _officer_login(*, unit: Unit, member, role: str, username: str, by):
    """The login a cell secretary gets with her office: a new user, or the one this member
    already had with an earlier office. Anyone else's existing login is refused."""
    if not (unit.is_cell and role == OfficerRole.SECRETARY):
        raise ValidationError(_("Only a cell's secretary gets the secretary role with it."))
    if not scope_for(by).can_administer(unit.path):
        raise ValidationError(_("Only an administrator may give access to chibo."))
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _sep, last = member.full_name.rpartition(" ")
        user = User.objects.create(username=username, last_name=first, first_name=last)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif not Officer.objects.filter(member=member, user=user).exists():
        raise ValidationError(
            {
                "username": _("The username %(username)s belongs to someone else; choose another.")
                % {"username": username}
            }
        )
    if not Assignment.objects.filter(user=user, unit=unit).exists():
        assignment_create(user=user, unit=unit, role=Role.SECRETARY, by=by)
    return user


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
    check_not_in_future(starts_on, "starts_on")
    user = None
    if username:
        user = _officer_login(unit=unit, member=member, role=role, username=username, by=by)
    officer = Officer(
        unit=unit,
        member=member,
        role=role,
        term=term,
        starts_on=starts_on,
        is_village_head=is_village_head,
        user=user,
    )
    _save_with_history(officer, by)
    return officer


@transaction.atomic
def officer_end(*, officer: Officer, by, ends_on: date | None = None) -> Officer:
    """An officer's office ends on `ends_on` (today by default): term over, moved, resigned.

    From that day the officer is a former officer; the unit page as of an earlier date still
    shows them in office.
    """
    _require_edit(by, officer.unit.parent or officer.unit)
    # Locked: of two ends of the same office at once, the second sees it ended.
    officer = lock_for_edit(Officer.objects.select_related("unit"), officer.pk)
    ends_on = ends_on or timezone.localdate()
    if officer.ends_on is not None:
        raise ValidationError(_("This office has already ended."))
    check_not_in_future(ends_on, "ends_on")
    if ends_on < officer.starts_on:
        raise ValidationError(
            {
                "ends_on": _("An office cannot end before it began (%(day)s).")
                % {"day": _day(officer.starts_on)}
            }
        )
    officer.ends_on = ends_on
    _save_with_history(officer, by)
    return officer
