"""Pages of the unit tree: home, the tree, a unit, and the forms that change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.selectors import member_list
from units import services
from units.access import get_unit_for_user, scope_for
from units.forms import UnitForm, VillageForm, add_service_errors
from units.history import history_entries
from units.models import Unit, Village
from units.selectors import unit_node, unit_tree, village_coverage

VILLAGE_FIELDS = ("name", "kind", "cell")
UNIT_FIELDS = ["kind", "category", "name", "short_name", "code", "founded_on", "dissolved_on"]


@login_required
def home(request):
    """Each role's start page: the figures of every subtree the user holds."""
    scope = scope_for(request.user)
    nodes = unit_tree(user=request.user)
    cell_members = {}
    for node in nodes:
        node.can_add_member = node.unit.is_cell and scope.can_edit(node.unit.path)
        if node.unit.is_cell:
            cell_members[node.unit.pk] = list(
                member_list(user=request.user).filter(unit=node.unit).active()
            )
    return render(request, "units/home.html", {"nodes": nodes, "cell_members": cell_members})


@login_required
def tree(request):
    """The whole visible tree with figures at every node."""
    return render(request, "units/tree.html", {"nodes": unit_tree(user=request.user)})


@login_required
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    scope = scope_for(request.user)
    node = unit_node(user=request.user, unit=unit)
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids).filter(scope.visible_q("path"))
    context = {
        "unit": unit,
        "node": node,
        "ancestors": ancestors,
        # Editing a unit's own record is for the committee above; adding under it for its own.
        "can_edit": scope.can_edit((unit.parent or unit).path) and not scope.is_secretary_only,
        "can_add": scope.can_edit(unit.path) and not scope.is_secretary_only,
        "can_add_member": unit.is_cell and scope.can_edit(unit.path),
        "villages": village_coverage(commune=unit) if unit.has_villages else [],
        "members": (
            list(member_list(user=request.user).filter(unit=unit).active()) if unit.is_cell else []
        ),
        "history": history_entries(unit),
    }
    return render(request, "units/unit_detail.html", context)


def _check_structure_edit(user, unit):
    """Changing the tree needs edit rights over `unit` (the unit above); secretaries have none.

    Callers have already looked the target up through access (404 when out of sight), so a
    refusal here is 403.
    """
    scope = scope_for(user)
    if not scope.can_edit(unit.path) or scope.is_secretary_only:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request, parent_pk):
    parent = get_unit_for_user(request.user, parent_pk, write=True)
    _check_structure_edit(request.user, parent)
    if not parent.can_have_children:
        raise PermissionDenied
    form = UnitForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                parent=parent, by=request.user, **{f: form.cleaned_data[f] for f in UNIT_FIELDS}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Unit “%(name)s” was created.") % {"name": unit.name})
            return redirect(unit)
    return render(request, "units/unit_form.html", {"form": form, "parent": parent})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = get_unit_for_user(request.user, pk, write=True)
    _check_structure_edit(request.user, unit.parent or unit)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                unit=unit, by=request.user, **{f: form.cleaned_data[f] for f in UNIT_FIELDS}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes to “%(name)s” were saved.") % {"name": unit.name})
            return redirect(unit)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request, commune_pk):
    commune = get_unit_for_user(request.user, commune_pk, write=True)
    _check_structure_edit(request.user, commune)
    if not commune.has_villages:
        raise PermissionDenied
    form = VillageForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        try:
            village = services.village_create(
                commune=commune,
                by=request.user,
                **{f: form.cleaned_data[f] for f in VILLAGE_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Village “%(name)s” was added.") % {"name": village.name})
            return redirect(commune)
    return render(request, "units/village_form.html", {"form": form, "commune": commune})


@login_required
@require_http_methods(["GET", "POST"])
def village_edit(request, pk):
    village = get_object_or_404(Village.objects.visible_to(request.user), pk=pk)
    commune = village.commune
    _check_structure_edit(request.user, commune)
    form = VillageForm(request.POST or None, instance=village, commune=commune)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_update(
                village=village,
                by=request.user,
                **{f: form.cleaned_data[f] for f in VILLAGE_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Changes to “%(name)s” were saved.") % {"name": village.name}
            )
            return redirect(commune)
    return render(
        request,
        "units/village_form.html",
        {"form": form, "commune": commune, "village": village, "history": history_entries(village)},
    )
