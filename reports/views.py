"""Leaders' pages: a unit's dashboard as of any date, and the resolutions' targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from members.choices import AGE_BANDS
from reports import charts, kept, selectors, services
from reports.forms import ResolutionForm, TargetForm
from units.access import get_unit_for_user, scope_for
from units.forms import AsOfForm, add_service_errors
from units.history import history_entries

# Names listed on a dashboard per alert (members, cells); the alert pages list them all.
DASHBOARD_LIST_LIMIT = 50


def _only(request, *methods):
    """After the object lookup (404 first, so out-of-scope ids never learn more), 405."""
    if request.method not in methods:
        return HttpResponseNotAllowed(methods)
    return None


@login_required
def report_home(request):
    """The dashboard of the first unit the user holds."""
    roots = scope_for(request.user).roots
    if not roots:
        return render(request, "reports/home.html", {})
    return redirect("report_dashboard", unit_pk=roots[0].pk)


@login_required
def dashboard(request, unit_pk):
    unit = get_unit_for_user(request.user, unit_pk)
    if refused := _only(request, "GET"):
        return refused
    as_of = AsOfForm(request.GET or None)
    today = timezone.localdate()
    # No figures exist for days to come: a later day shows today's, and says so.
    day = min(as_of.day or today, today)
    capped = as_of.day is not None and as_of.day > today
    query = f"?as_of={day:%d/%m/%Y}" if as_of.day else ""
    # The exports of the same day: the year to the day (the exports page's own default).
    exports_query = "?" + urlencode({"start": f"01/01/{day.year}", "end": f"{day:%d/%m/%Y}"})
    can_manage_targets = services.can_manage_targets(request.user, unit)
    user = request.user

    def render_body() -> str:
        board = selectors.dashboard(user=user, unit=unit, day=day)
        body = {
            "unit": unit,
            "board": board,
            "day": day,
            "query": query,
            "can_manage_targets": can_manage_targets,
            "list_limit": DASHBOARD_LIST_LIMIT,
            "list_slice": f":{DASHBOARD_LIST_LIMIT}",
            "bands": [
                (key, label, board.members.bands.get(key, 0)) for key, label, *_r in AGE_BANDS
            ],
            "members_chart": charts.columns(board.members_chart),
            "admissions_chart": charts.columns(board.admissions_chart),
            "attendance_chart": charts.columns(board.attendance_chart, percent=True),
            "compliance_chart": charts.rows(
                board.compliance_chart,
                href=lambda p: reverse("report_dashboard", args=[p.unit_pk]) + query,
            ),
        }
        html = render_to_string("reports/includes/dashboard_body.html", body)
        return html, {"name": board.name}

    key = kept.key_for(user, unit, day, query, can_manage_targets)
    body = kept.body(key, user, render_body)
    context = {
        "unit": unit,
        "as_of": as_of,
        "day": day,
        "capped": capped,
        "query": query,
        "exports_query": exports_query if as_of.day else "",
        "body": mark_safe(body.html),  # noqa: S308 - rendered by the template engine
        "kept": body,
        "name": body.facts["name"],
        "parent_visible": unit.parent is not None
        and scope_for(request.user).can_see(unit.parent.path),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def resolution_list(request, unit_pk):
    unit = get_unit_for_user(request.user, unit_pk)
    if refused := _only(request, "GET"):
        return refused
    context = {
        "unit": unit,
        "resolutions": selectors.resolution_list(user=request.user, unit=unit),
        "can_manage": services.can_manage_targets(request.user, unit),
    }
    return render(request, "reports/resolution_list.html", context)


def _resolution_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.RESOLUTION_FIELDS}


@login_required
def resolution_create(request, unit_pk):
    issuer = get_unit_for_user(request.user, unit_pk)
    if refused := _only(request, "GET", "POST"):
        return refused
    if not services.can_manage_targets(request.user, issuer):
        raise PermissionDenied
    form = ResolutionForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        try:
            resolution = services.resolution_create(
                issuer=issuer, by=request.user, **_resolution_fields(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Resolution %(number)s was recorded.") % {"number": resolution.number}
            )
            return redirect(resolution)
    return render(request, "reports/resolution_form.html", {"form": form, "unit": issuer})


@login_required
def resolution_detail(request, pk):
    resolution = selectors.get_resolution_for_user(request.user, pk)
    if refused := _only(request, "GET"):
        return refused
    can_manage = services.can_manage_targets(request.user, resolution.issuer)
    context = {
        "resolution": resolution,
        "unit": resolution.issuer,
        "targets": selectors.resolution_targets(user=request.user, resolution=resolution),
        "can_manage": can_manage,
        "form": TargetForm(resolution=resolution, user=request.user) if can_manage else None,
        "history": history_entries(resolution),
    }
    return render(request, "reports/resolution_detail.html", context)


@login_required
def resolution_edit(request, pk):
    resolution = selectors.get_resolution_for_user(request.user, pk, write=True)
    if refused := _only(request, "GET", "POST"):
        return refused
    form = ResolutionForm(request.POST or None, instance=resolution, issuer=resolution.issuer)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolution_update(
                resolution=resolution,
                by=request.user,
                token=form.edit_token,
                **_resolution_fields(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The resolution was saved."))
            return redirect(resolution)
    context = {"form": form, "unit": resolution.issuer, "resolution": resolution}
    return render(request, "reports/resolution_form.html", context)


def _target_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.TARGET_FIELDS}


@login_required
def target_create(request, pk):
    resolution = selectors.get_resolution_for_user(request.user, pk, write=True)
    if refused := _only(request, "GET", "POST"):
        return refused
    form = TargetForm(request.POST or None, resolution=resolution, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_create(resolution=resolution, by=request.user, **_target_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target was set."))
            return redirect(resolution)
    context = {"form": form, "resolution": resolution, "unit": resolution.issuer}
    return render(request, "reports/target_form.html", context)


@login_required
def target_edit(request, pk):
    target = selectors.get_target_for_user(request.user, pk, write=True)
    if refused := _only(request, "GET", "POST"):
        return refused
    resolution = target.resolution
    form = TargetForm(
        request.POST or None, instance=target, resolution=resolution, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_update(
                target=target, by=request.user, token=form.edit_token, **_target_fields(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target was saved."))
            return redirect(resolution)
    context = {"form": form, "resolution": resolution, "unit": resolution.issuer, "target": target}
    return render(request, "reports/target_form.html", context)


@login_required
def target_delete(request, pk):
    target = selectors.get_target_for_user(request.user, pk, write=True)
    if refused := _only(request, "POST"):
        return refused
    resolution = target.resolution
    services.target_delete(target=target, by=request.user)
    messages.success(request, _("The target was removed."))
    return redirect(resolution)
