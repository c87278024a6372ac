"""Who may see and edit what: a user becomes a set of unit subtrees.

Every read in chibo starts here. A user's assignments (role over a unit) give subtrees, each a
materialised-path prefix; a record is visible when its unit's path starts with one of them.
Out of scope is 404 (never reveal that a record exists); in scope but read-only is 403.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from units.models import EDIT_ROLES, PATH_END, Assignment, Officer, Role, Unit, Village


class OutOfScope(Http404):
    """A record that exists but lies outside the user's sight: answered as any 404, and audited
    (accounts.middleware.DenialAuditMiddleware) as a refusal, unlike an address that leads
    nowhere."""

    def __init__(self, path: str = ""):
        super().__init__()
        self.path = path


def _minimal(paths) -> tuple[str, ...]:
    """Drop paths that lie under another path of the set."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def paths_q(paths, field_name: str) -> Q:
    if not paths:
        return Q(**{f"{field_name}__in": []})
    q = Q()
    for path in paths:
        q |= Q(**{f"{field_name}__gte": path, f"{field_name}__lt": path + PATH_END})
    return q


@dataclass(frozen=True)
class Scope:
    """The subtrees a user may see, edit and administer, as path prefixes."""

    visible: tuple[str, ...] = ()
    editable: tuple[str, ...] = ()
    administered: tuple[str, ...] = ()
    everything: bool = False
    roots: tuple[Unit, ...] = field(default=(), compare=False)
    roles: frozenset = frozenset()

    def visible_q(self, field_name: str = "path") -> Q:
        return Q() if self.everything else paths_q(self.visible, field_name)

    def editable_q(self, field_name: str = "path") -> Q:
        return Q() if self.everything else paths_q(self.editable, field_name)

    def administered_q(self, field_name: str = "path") -> Q:
        return Q() if self.everything else paths_q(self.administered, field_name)

    def can_see(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.visible)

    def can_edit(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.editable)

    def can_administer(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.administered)

    @property
    def is_secretary_only(self) -> bool:
        return not self.everything and self.roles == frozenset({Role.SECRETARY})

    def can_restructure(self, path: str) -> bool:
        """May change the tree at `path` (found, edit, reorganise units, their villages and
        officers): edit rights there, and more than a cell secretary's."""
        return self.can_edit(path) and not self.is_secretary_only

    @property
    def can_edit_anything(self) -> bool:
        return self.everything or bool(self.editable)


EMPTY_SCOPE = Scope()


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (one query) and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_chibo_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roots = tuple(Unit.objects.filter(parent__isnull=True))
        scope = Scope(everything=True, roots=roots, roles=frozenset({Role.ADMIN}))
    else:
        assignments = list(
            Assignment.objects.filter(user=user, unit__dissolved_on__isnull=True).select_related(
                "unit"
            )
        )
        visible = _minimal(a.unit.path for a in assignments)
        scope = Scope(
            visible=visible,
            editable=_minimal(a.unit.path for a in assignments if a.role in EDIT_ROLES),
            administered=_minimal(a.unit.path for a in assignments if a.role == Role.ADMIN),
            roots=tuple(
                sorted(
                    (a.unit for a in assignments if a.unit.path in visible),
                    key=lambda u: u.path,
                )
            ),
            roles=frozenset(a.role for a in assignments),
        )
    user._chibo_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after the user's assignments change)."""
    if hasattr(user, "_chibo_scope"):
        del user._chibo_scope


def check_path(user, path: str, *, write: bool = False) -> None:
    """404 when `path` is outside the user's sight; 403 when visible but not editable."""
    scope = scope_for(user)
    if not scope.can_see(path):
        raise OutOfScope(path)
    if write and not scope.can_edit(path):
        raise PermissionDenied


def check_structure_edit(user, unit: Unit) -> None:
    """403 unless the user may change the tree at `unit` (callers looked it up in scope)."""
    if not scope_for(user).can_restructure(unit.path):
        raise PermissionDenied


def get_unit_for_user(user, pk, *, write: bool = False) -> Unit:
    """The unit `pk` if the user may see it (404 otherwise), and edit it when `write` (403)."""
    unit = Unit.objects.filter(pk=pk).select_related("parent").first()
    if unit is None:
        raise Http404
    check_path(user, unit.path, write=write)
    return unit


def get_village_for_user(user, pk) -> Village:
    """The village `pk` if the user may see it (Village.objects.visible_to), 404 otherwise."""
    village = Village.objects.visible_to(user).filter(pk=pk).first()
    if village is None:
        raise Http404
    return village


def get_officer_for_user(user, pk) -> Officer:
    """The officer `pk` if the user may see the officer's unit, 404 otherwise."""
    officer = Officer.objects.filter(pk=pk).select_related("unit").first()
    if officer is None:
        raise Http404
    check_path(user, officer.unit.path)
    return officer
