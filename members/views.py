"""Member pages: the list with filters and search, a member's page, the record form, and the
Excel import (upload, preview, commit)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django_tables2 import RequestConfig

from meetings.selectors import is_away_on
from members import services
from members.admissions import get_candidate_for_user
from members.choices import EventKind, MemberStatus
from members.exports import (
    LIST_COLUMNS,
    REGISTER_COLUMNS,
    columns_for,
    write_members,
    xlsx_response,
)
from members.filters import ACTIVE, MemberFilter
from members.forms import (
    EventForm,
    ExitForm,
    ImportForm,
    MemberForm,
    RegisterPeriodForm,
    ReinstateForm,
    TemporaryOutForm,
    TransferForm,
    TransferInForm,
    TransferOutForm,
    editable_cells,
)
from members.importer import CREATE, UNCHANGED, UPDATE, Importer, ImportFileError, template_workbook
from members.importer import FIELDS as IMPORT_FIELDS
from members.rules import PROBATION_MONTHS, RECOGNITION_NOTICE_DAYS
from members.selectors import (
    get_import_batch_for_user,
    get_member_for_user,
    member_list,
    member_standing_on,
    member_timeline,
    probation_due,
    register_members,
    with_register_moves,
)
from members.sensitive import may_see_sensitive, record_full_view, reveal, shown_sensitive_fields
from members.tables import MemberTable
from units.access import get_unit_for_user, scope_for
from units.forms import AsOfForm, add_service_errors
from units.history import history_entries
from units.models import Unit
from units.widgets import PlainSelect

PER_PAGE = 50


def _member_filter(request) -> MemberFilter:
    """The member list's filters on what the user may see (the list and its export share it)."""
    data = request.GET.copy()
    data.setdefault("status", ACTIVE)
    units = Unit.objects.visible_to(request.user).active().order_by("path")
    members = MemberFilter(
        data,
        queryset=member_list(user=request.user),
        units=units,
        id_prefix=may_see_sensitive(request.user),
    )
    for field in members.form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            field.widget.is_required = field.required
    return members


def initial_unit(request) -> dict:
    """A new record's form starts in the cell `?unit=` names (one the user may edit: 404/403)."""
    if request.GET.get("unit", "").isdigit():
        return {"unit": get_unit_for_user(request.user, request.GET["unit"], write=True)}
    return {}


@login_required
def member_list_view(request):
    members = _member_filter(request)
    table = MemberTable(members.qs.select_related(None).values_list(*MemberTable.ROW))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    template = "members/member_list.html"
    if request.htmx:
        template += "#results"
    context = {
        "filter": members,
        "table": table,
        "can_add": scope_for(request.user).can_edit_anything,
    }
    return render(request, template, context)


@login_required
@require_safe
def member_detail(request, pk):
    member = get_member_for_user(request.user, pk)
    can_edit = scope_for(request.user).can_edit(member.unit.path)
    as_of = AsOfForm(request.GET or None)
    timeline = member_timeline(member)
    context = {
        "member": member,
        "can_edit": can_edit,
        "actions": _actions_for(member, request.user) if can_edit else [],
        "timeline": timeline,
        "as_of": as_of,
        # Status and cell on the chosen day, from the events and placements.
        "standing": member_standing_on(member, as_of.day, events=timeline) if as_of.day else None,
        "away": is_away_on(member, timezone.localdate()),
        "history": history_entries(member),
    }
    return render(request, "members/member_detail.html", context)


def sensitive_values(request, record, back: str):
    """The full sensitive fields of one record, for a user with the right (403 otherwise): the
    "Show" button's fragment (htmx), or a page. The view is recorded (members.sensitive)."""
    if request.method != "GET":  # after the scope check: out of sight is 404 whatever the method
        return HttpResponseNotAllowed(["GET"])
    if not may_see_sensitive(request.user, record.unit.path):
        raise PermissionDenied
    full = reveal(request, record)
    model = type(record)
    values = [
        (name, model._meta.get_field(name).verbose_name, value) for name, value in full.items()
    ]
    template = "members/sensitive.html" + ("#values" if request.htmx else "")
    return render(request, template, {"record": record, "values": values, "back": back})


@login_required
def member_sensitive(request, pk):
    member = get_member_for_user(request.user, pk)
    return sensitive_values(request, member, member.get_absolute_url())


@login_required
def candidate_sensitive(request, pk):
    candidate = get_candidate_for_user(request.user, pk)
    return sensitive_values(request, candidate, reverse("admission_detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    scope = scope_for(request.user)
    if not scope.can_edit_anything:
        raise PermissionDenied
    form = MemberForm(request.POST or None, initial=initial_unit(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.record()
        unit = fields.pop("unit")
        try:
            member = services.member_create(unit=unit, by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": member.full_name})
            return redirect(member)
    return render(request, "members/member_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer_in(request):
    """Record a member who transfers in from a party organisation outside."""
    if not scope_for(request.user).can_edit_anything:
        raise PermissionDenied
    form = TransferInForm(request.POST or None, initial=initial_unit(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.record()
        unit = fields.pop("unit")
        try:
            member = services.member_transfer_in(
                unit=unit, by=request.user, **form.transfer(), **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was received on transfer into %(cell)s.")
                % {"name": member.full_name, "cell": unit.display_name},
            )
            return redirect(member)
    context = {"form": form, "transfer_in": True}
    return render(request, "members/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = get_member_for_user(request.user, pk, write=True)
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                member=member, by=request.user, token=form.edit_token, **form.record()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Changes to %(name)s were saved.") % {"name": member.full_name}
            )
            return redirect(member)
    if request.method == "GET" and shown_sensitive_fields(form):
        record_full_view(request, member, shown_sensitive_fields(form))
    return render(request, "members/member_form.html", {"form": form, "member": member})


# --- Membership events ---------------------------------------------------------------------


def _on_rolls(m, other_cells):
    return m.is_active


def _can_transfer(m, other_cells):
    """On the rolls, and another cell the user may edit to go to (the form's choices)."""
    return m.is_active and other_cells


# action (in the URL): (label, form, service, extra form arguments, when it applies: to a
# member, given whether the user may edit a cell other than the member's)
EVENT_ACTIONS = {
    "recognise": (
        gettext_lazy("Recognise as a full member"),
        EventForm,
        services.member_recognise,
        {},
        lambda m, other_cells: m.status == MemberStatus.PROBATIONARY,
    ),
    "transfer": (
        gettext_lazy("Transfer to another cell"),
        TransferForm,
        services.member_transfer,
        {},
        _can_transfer,
    ),
    "transfer-out": (
        gettext_lazy("Transfer out (another district or province)"),
        TransferOutForm,
        services.member_transfer_out,
        {},
        _on_rolls,
    ),
    "temporary-out": (
        gettext_lazy("Temporary transfer out"),
        TemporaryOutForm,
        services.member_temporary_out,
        {},
        lambda m, other_cells: m.is_active and not is_away_on(m, timezone.localdate()),
    ),
    "temporary-back": (
        gettext_lazy("Back from temporary transfer"),
        EventForm,
        services.member_temporary_back,
        {},
        lambda m, other_cells: m.is_active and m.away_since is not None,
    ),
    "exempt": (
        gettext_lazy("Exempt from activity"),
        EventForm,
        services.member_exempt,
        {},
        lambda m, other_cells: m.is_active and m.exempt_since is None,
    ),
    "exemption-end": (
        gettext_lazy("End the exemption from activity"),
        EventForm,
        services.member_exemption_end,
        {},
        lambda m, other_cells: m.is_active and m.exempt_since is not None,
    ),
    "died": (
        gettext_lazy("Death"),
        ExitForm,
        services.member_exit,
        {"kind": EventKind.DIED},
        _on_rolls,
    ),
    "expelled": (
        gettext_lazy("Expulsion"),
        ExitForm,
        services.member_exit,
        {"kind": EventKind.EXPELLED},
        _on_rolls,
    ),
    "removed": (
        gettext_lazy("Removal from the rolls"),
        ExitForm,
        services.member_exit,
        {"kind": EventKind.REMOVED},
        _on_rolls,
    ),
    "resigned": (
        gettext_lazy("Resignation from the party"),
        ExitForm,
        services.member_exit,
        {"kind": EventKind.RESIGNED},
        _on_rolls,
    ),
    "reinstate": (
        gettext_lazy("Re-admit"),
        ReinstateForm,
        services.member_reinstate,
        {},
        lambda m, other_cells: m.status in services.REINSTATABLE,
    ),
}


def _actions_for(member, user) -> list[tuple[str, str]]:
    """The events that apply to the member now, for the action menu (one query)."""
    other_cells = editable_cells(user).exclude(pk=member.unit_id).exists()
    return [
        (action, label)
        for action, (label, _form, _service, _extra, applies) in EVENT_ACTIONS.items()
        if applies(member, other_cells)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def member_event(request, pk, action):
    """One membership event: its form, then the service; refusals are shown on the form."""
    member = get_member_for_user(request.user, pk, write=True)
    if action not in EVENT_ACTIONS:
        raise Http404
    title, form_class, service, extra, _applies = EVENT_ACTIONS[action]
    form = form_class(request.POST or None, member=member, user=request.user, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            event = service(by=request.user, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s: “%(event)s” on %(day)s was recorded.")
                % {
                    "event": event.get_kind_display().capitalize(),
                    "name": member.full_name,
                    "day": event.on.strftime("%d/%m/%Y"),
                },
            )
            return redirect(member)
    context = {"form": form, "member": member, "title": title}
    return render(request, "members/event_form.html", context)


@login_required
def member_import_template(request):
    if not scope_for(request.user).can_edit_anything:
        raise PermissionDenied
    return xlsx_response(
        template_workbook(),
        "mau-nhap-dang-vien.xlsx",
        request=request,
        unit_path="",
        columns=IMPORT_FIELDS,
        rows=0,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    """Upload a file: it is read and validated, nothing is written but the preview."""
    if not scope_for(request.user).can_edit_anything:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        unit, uploaded = form.cleaned_data["unit"], form.cleaned_data["file"]
        try:
            rows = Importer(user=request.user, unit=unit).read(uploaded)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            batch = services.import_batch_create(
                unit=unit, by=request.user, file_name=uploaded.name, rows=rows
            )
            return redirect(batch)
    return render(request, "members/member_import.html", {"form": form})


# Rows of the preview per page: every row of a 10,000-row file is kept, and paged.
PREVIEW_ROWS = 200
PREVIEW_ERROR_ROWS = 100


def _page(request, items: list, per_page: int, param: str):
    """One page of `items` from the query parameter `param`, with the links to the pages
    before and after it (the other parameters kept, so each list pages on its own)."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}#{param}"

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    page.param = param
    return page


@login_required
def member_import_preview(request, pk):
    """What the commit would do, row by row: errors, probable duplicates, changes, paged."""
    batch = get_import_batch_for_user(request.user, pk)
    rows = batch.rows
    error_rows = [row for row in rows if row["errors"]]
    warned_rows = [row for row in rows if row.get("warnings") and not row["errors"]]
    context = {
        "batch": batch,
        "rows": rows,
        "page": _page(request, rows, PREVIEW_ROWS, "page"),
        "error_rows": error_rows,
        "errors_page": _page(request, error_rows, PREVIEW_ERROR_ROWS, "errors_page"),
        "warned_rows": warned_rows,
        "warnings_page": _page(request, warned_rows, PREVIEW_ERROR_ROWS, "warnings_page"),
        "created": batch.count(CREATE),
        "updated": batch.count(UPDATE),
        "unchanged": batch.count(UNCHANGED),
    }
    return render(request, "members/member_import_preview.html", context)


@login_required
def member_import_commit(request, pk):
    batch = get_import_batch_for_user(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        counts = services.members_import(batch=batch, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(batch)
    messages.success(
        request,
        _("Import done: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.") % counts,
    )
    return redirect(f"{redirect('member_list').url}?unit={batch.unit_id}")


def _sensitive_asked(request, path: str | None) -> bool:
    """Whether the export takes the sensitive columns: asked for (`?sensitive=1`, the link only
    users with the right are offered) and allowed (403 otherwise, never a quiet full file)."""
    if request.GET.get("sensitive") != "1":
        return False
    if not may_see_sensitive(request.user, path):
        raise PermissionDenied
    return True


def _scope_detail(user) -> dict:
    scope = scope_for(user)
    return {"scope": "everything" if scope.everything else list(scope.visible)}


@login_required
@require_http_methods(["GET"])
def member_export(request):
    """The member list as filtered on screen, as an .xlsx workbook (sensitive columns only
    when asked for by a user with the right)."""
    members = _member_filter(request)
    if "unit" in members.form.errors:
        raise Http404  # a unit out of sight is not there
    unit = members.form.cleaned_data.get("unit")
    sensitive = _sensitive_asked(request, unit.path if unit else None)
    written = write_members(
        members.qs, columns_for(LIST_COLUMNS, sensitive=sensitive), title=_("Party members")
    )
    return xlsx_response(
        written.content,
        f"danh-sach-dang-vien-{date.today():%Y%m%d}.xlsx",
        request=request,
        unit_path=unit.path if unit else "",
        columns=written.columns,
        rows=written.rows,
        detail={"filters": {k: v for k, v in request.GET.items() if k != "sensitive"}}
        | ({} if unit else _scope_detail(request.user)),
    )


@login_required
def member_register_export(request, unit_pk):
    """Sổ danh sách đảng viên of a unit's subtree over a period (`start`, `end`: all time by
    default): every member on its rolls then, those since transferred elsewhere included."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    period = RegisterPeriodForm(request.GET)
    if not period.is_valid():
        return HttpResponseBadRequest(" ".join(m for ms in period.errors.values() for m in ms))
    start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    sensitive = _sensitive_asked(request, unit.path)
    members = register_members(user=request.user, unit=unit, start=start, end=end)
    written = write_members(
        with_register_moves(members, unit=unit, start=start, end=end),
        columns_for(REGISTER_COLUMNS, sensitive=sensitive),
        title=_("Member register"),
    )
    return xlsx_response(
        written.content,
        f"so-danh-sach-dang-vien-{unit.pk}.xlsx",
        request=request,
        unit_path=unit.path,
        columns=written.columns,
        rows=written.rows,
        detail={"start": period.data.get("start", ""), "end": period.data.get("end", "")},
    )


@login_required
def member_probation(request, unit_pk):
    """Probationary members due for recognition soon, and those overdue, in a unit's subtree."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    today = timezone.localdate()
    due = probation_due(user=request.user, unit=unit, today=today)
    scope = scope_for(request.user)
    for member in [*due["overdue"], *due["due_soon"]]:
        member.can_recognise = scope.can_edit(member.unit.path)
    context = {
        "unit": unit,
        "today": today,
        "months": PROBATION_MONTHS,
        "notice_days": RECOGNITION_NOTICE_DAYS,
        **due,
    }
    return render(request, "members/probation.html", context)
