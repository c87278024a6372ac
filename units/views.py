"""Pages of the unit tree: home, the tree, a unit, and the forms that change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from members.selectors import member_list
from units import reorganisation, services
from units.access import (
    check_structure_edit,
    get_officer_for_user,
    get_unit_for_user,
    get_village_for_user,
    scope_for,
)
from units.forms import (
    AsOfForm,
    DissolveForm,
    FoundForm,
    MergeForm,
    MoveForm,
    OfficerEndForm,
    OfficerForm,
    ReformForm,
    RenameForm,
    SplitForm,
    TermForm,
    UnitForm,
    VillageForm,
    add_service_errors,
)
from units.history import history_entries
from units.models import (
    ReorgKind,
    Term,
    Unit,
    UnitKind,
)
from units.selectors import (
    cell_members_as_of,
    cell_membership_changes,
    secretaries_heading_villages,
    small_cells,
    unit_ancestors,
    unit_events,
    unit_node,
    unit_officers,
    unit_tree,
    village_coverage,
)

VILLAGE_FIELDS = ("name", "kind", "cell")
# Not the parent nor the end date: those change only through a dated reorganisation.
UNIT_FIELDS = ["kind", "category", "name", "short_name", "code", "founded_on"]


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
    """The whole visible tree with figures at every node, today or as of a date."""
    as_of = AsOfForm(request.GET or None)
    nodes = unit_tree(user=request.user, as_of=as_of.day)
    return render(request, "units/tree.html", {"nodes": nodes, "as_of": as_of})


@login_required
@require_safe
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    scope = scope_for(request.user)
    as_of = AsOfForm(request.GET or None)
    day = as_of.day
    node = unit_node(user=request.user, unit=unit, as_of=day)
    # Editing a unit's own record and reorganising it are for the committee above.
    can_reorganise = scope.can_restructure((unit.parent or unit).path)
    members = []
    if unit.is_cell and day is not None:
        members = cell_members_as_of(user=request.user, unit=unit, day=day)
    elif unit.is_cell:
        members = list(member_list(user=request.user).filter(unit=unit).active())
    context = {
        "unit": unit,
        # The heading shows the unit as it stood on the day (its name and kind then).
        "shown": node.unit if node else unit,
        "node": node,
        "as_of": as_of,
        "events": unit_events(unit=unit, until=day),
        "officers": unit_officers(unit=unit, day=day),
        "can_manage": can_reorganise,
        "secretaries_heading_villages": (
            0 if unit.is_cell else secretaries_heading_villages(unit=unit, day=day)
        ),
        "reorganisations": (
            [(k, label) for k, label in REORG_LABELS.items() if _applies(k, unit)]
            if can_reorganise
            else []
        ),
        "ancestors": unit_ancestors(user=request.user, unit=unit),
        "can_edit": can_reorganise,
        # Adding under a unit is for the unit itself.
        "can_add": scope.can_restructure(unit.path),
        "can_add_member": unit.is_cell and scope.can_edit(unit.path),
        "villages": village_coverage(commune=unit, as_of=day) if unit.has_villages else [],
        "small_cells": small_cells(node) if node else [],
        "members": members,
        "membership_changes": (
            cell_membership_changes(user=request.user, unit=unit, day=day) if unit.is_cell else []
        ),
        "history": history_entries(unit),
    }
    return render(request, "units/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request, parent_pk):
    parent = get_unit_for_user(request.user, parent_pk, write=True)
    check_structure_edit(request.user, parent)
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
    check_structure_edit(request.user, unit.parent or unit)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                unit=unit,
                by=request.user,
                token=form.edit_token,
                **{f: form.cleaned_data[f] for f in UNIT_FIELDS},
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
    check_structure_edit(request.user, commune)
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
    village = get_village_for_user(request.user, pk)
    commune = village.commune
    check_structure_edit(request.user, commune)
    form = VillageForm(request.POST or None, instance=village, commune=commune)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_update(
                village=village,
                by=request.user,
                effective_on=form.cleaned_data["effective_on"],
                token=form.edit_token,
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


REORGANISATIONS = {
    ReorgKind.FOUND: (FoundForm, reorganisation.reorg_found),
    ReorgKind.RENAME: (RenameForm, reorganisation.reorg_rename),
    ReorgKind.MOVE: (MoveForm, reorganisation.reorg_move),
    ReorgKind.MERGE: (MergeForm, reorganisation.reorg_merge),
    ReorgKind.SPLIT: (SplitForm, reorganisation.reorg_split),
    ReorgKind.DISSOLVE: (DissolveForm, reorganisation.reorg_dissolve),
    ReorgKind.REFORM_2025: (ReformForm, reorganisation.reorg_reform_2025),
}
REORG_LABELS = {
    ReorgKind.FOUND: gettext_lazy("Found a unit under it"),
    ReorgKind.RENAME: gettext_lazy("Rename"),
    ReorgKind.MOVE: gettext_lazy("Move under another unit"),
    ReorgKind.MERGE: gettext_lazy("Merge into another unit"),
    ReorgKind.SPLIT: gettext_lazy("Split into independent cells"),
    ReorgKind.DISSOLVE: gettext_lazy("Dissolve"),
    ReorgKind.REFORM_2025: gettext_lazy("Abolish the district level (2025)"),
}


def _applies(kind: str, unit: Unit) -> bool:
    if unit.dissolved_on:
        return False
    if kind == ReorgKind.FOUND:
        return unit.can_have_children
    if kind == ReorgKind.SPLIT:
        return unit.is_cell and unit.covered_villages.count() >= 2
    if kind == ReorgKind.REFORM_2025:
        return unit.kind == UnitKind.DISTRICT
    return unit.parent_id is not None


@login_required
@require_http_methods(["GET", "POST"])
def reorganise(request, pk, kind):
    """A reorganisation in two steps: the form, then a preview of its effects to confirm."""
    unit = get_unit_for_user(request.user, pk)
    if kind not in REORGANISATIONS or not _applies(kind, unit):
        raise Http404
    form_class, operation = REORGANISATIONS[kind]
    check_structure_edit(request.user, unit if kind == ReorgKind.FOUND else (unit.parent or unit))
    form = form_class(request.POST or None, unit=unit, user=request.user)
    event = token = None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("confirm"):
                # A confirmation from a preview page carries the tree's state it showed.
                event = reorganisation.confirm(
                    operation, token=request.POST.get("tree_token"), by=request.user,
                    **form.arguments(),
                )  # fmt: skip
                messages.success(request, event.summary)
                after = unit.parent if kind == ReorgKind.REFORM_2025 else unit
                return redirect(after)
        except ValidationError as error:
            add_service_errors(form, error)
        try:
            token = reorganisation.preview_token(**form.arguments())
            event = reorganisation.preview(operation, by=request.user, **form.arguments())
        except ValidationError as error:
            if not form.errors:
                add_service_errors(form, error)
    context = {
        "unit": unit,
        "form": form,
        "preview": event,
        "tree_token": token,
        "title": REORG_LABELS[kind],
    }
    return render(request, "units/reorganise.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request, pk):
    unit = get_unit_for_user(request.user, pk)
    check_structure_edit(request.user, unit.parent or unit)
    form = OfficerForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_appoint(unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The officer was recorded."))
            return redirect(unit)
    return render(request, "units/officer_form.html", {"form": form, "unit": unit})


@login_required
def officer_end(request, pk):
    """End an office on the date given (today when empty), from the unit page."""
    officer = get_officer_for_user(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    check_structure_edit(request.user, officer.unit.parent or officer.unit)
    form = OfficerEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.officer_end(officer=officer, ends_on=form.cleaned_data["ends_on"], by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The office of %(name)s ended.") % {"name": officer.member})
    return redirect(officer.unit)


@login_required
@require_http_methods(["GET", "POST"])
def term_create(request, pk):
    unit = get_unit_for_user(request.user, pk)
    check_structure_edit(request.user, unit.parent or unit)
    form = TermForm(request.POST or None, instance=Term(unit=unit))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.term_create(unit=unit, by=request.user, **data)
        messages.success(request, _("Term %(name)s was opened.") % {"name": data["name"]})
        return redirect(unit)
    return render(request, "units/officer_form.html", {"form": form, "unit": unit, "term": True})
