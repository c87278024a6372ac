"""Writes of resolutions and targets: by the staff of the issuing committee, with history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import Resolution, Target
from reports.selectors import target_units
from units.access import scope_for
from units.concurrency import lock_for_edit
from units.models import CELL_KINDS, Unit

RESOLUTION_FIELDS = ("number", "title", "start_year", "end_year", "adopted_on")
TARGET_FIELDS = ("unit", "year", "kind", "value", "note")


def can_manage_targets(user, issuer: Unit) -> bool:
    """Resolutions are entered by the staff or administrators of the committee that issued
    them (or of one above it); cell secretaries and read-only leaders only read them."""
    return scope_for(user).can_restructure(issuer.path) and not issuer.is_cell


def _require_manage(by, issuer: Unit) -> None:
    if not can_manage_targets(by, issuer):
        raise PermissionDenied


def _save(obj, by) -> None:
    obj._history_user = by
    obj.full_clean()
    obj.save()


@transaction.atomic
def resolution_create(*, issuer: Unit, by, **fields) -> Resolution:
    """Record a resolution of `issuer` (e.g. 03-NQ/HU, 2016-2020)."""
    _require_manage(by, issuer)
    resolution = Resolution(issuer=issuer, created_by=by, **fields)
    _save(resolution, by)
    return resolution


@transaction.atomic
def resolution_update(
    *, resolution: Resolution, by, token: str | None = None, **fields
) -> Resolution:
    """Change a resolution; refused when saved from a page opened before someone else's save."""
    _require_manage(by, resolution.issuer)
    resolution = lock_for_edit(Resolution.objects.select_related("issuer"), resolution.pk, token)
    for name, value in fields.items():
        setattr(resolution, name, value)
    outside = [t.year for t in resolution.targets.all() if t.year and not resolution.covers(t.year)]
    if outside:
        raise ValidationError(
            _("Targets are set for %(years)s, outside the new period.")
            % {"years": ", ".join(str(y) for y in sorted(set(outside)))}
        )
    _save(resolution, by)
    return resolution


def _check_target(target: Target) -> None:
    resolution, unit = target.resolution, target.unit
    if unit is None:
        return
    if unit.kind in CELL_KINDS:
        raise ValidationError({"unit": _("Targets are set for committees, not for cells.")})
    if not target_units(resolution).filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": _("A resolution sets targets for its committee and the units under it.")}
        )
    if target.year is not None and not resolution.covers(target.year):
        raise ValidationError(
            {
                "year": _("The year must lie within the resolution's period (%(start)s-%(end)s).")
                % {"start": resolution.start_year, "end": resolution.end_year}
            }
        )


@transaction.atomic
def target_create(*, resolution: Resolution, by, **fields) -> Target:
    """Set a target of `resolution` for a unit, for one year or the whole period."""
    _require_manage(by, resolution.issuer)
    target = Target(resolution=resolution, **fields)
    _check_target(target)
    _save(target, by)
    return target


@transaction.atomic
def target_update(*, target: Target, by, token: str | None = None, **fields) -> Target:
    """Change a target; refused when saved from a page opened before someone else's save."""
    _require_manage(by, target.resolution.issuer)
    target = lock_for_edit(Target.objects.select_related("resolution"), target.pk, token)
    for name, value in fields.items():
        setattr(target, name, value)
    _check_target(target)
    _save(target, by)
    return target


@transaction.atomic
def target_delete(*, target: Target, by) -> None:
    _require_manage(by, target.resolution.issuer)
    target._history_user = by
    target.delete()
