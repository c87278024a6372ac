"""Admission pages: a unit's board of candidates by stage, a candidate's page, the profile and
stage forms, withdrawal and admission. The forms live here: they serve these views only."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from members import admissions
from members.forms import offer_cells, offer_villages
from members.models import Candidate
from members.rules import (
    CEREMONY_WORKING_DAYS,
    DECISION_WORKING_DAYS,
    NEAR_WORKING_DAYS,
    Level,
)
from members.sensitive import drop_sensitive_fields, record_full_view, shown_sensitive_fields
from members.views import initial_unit
from units.access import get_unit_for_user, scope_for
from units.concurrency import EditTokenMixin
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin, add_service_errors
from units.history import history_entries

# The stage form, section by section (a heading, then its fields), in the pipeline's order.
STAGE_SECTIONS = [
    (gettext_lazy("Awareness class and application"), ["awareness_class_on", "application_on"]),
    (
        gettext_lazy("Sponsors"),
        ["sponsor_1", "sponsor_1_known_since", "sponsor_2", "sponsor_2_known_since"],
    ),
    (gettext_lazy("Background check"), ["background_checked_on"]),
    (gettext_lazy("Cell resolution"), ["cell_resolution_on", "cell_votes_for", "cell_voters"]),
    (
        gettext_lazy("Committee resolution"),
        ["committee_resolution_on", "committee_votes_for", "committee_voters"],
    ),
    (gettext_lazy("Decision and ceremony"), ["decision_on", "decision_number", "ceremony_on"]),
]
STAGE_FIELDS = [name for _title, names in STAGE_SECTIONS for name in names]
DATE_FIELDS = [
    "birth_date",
    "awareness_class_on",
    "application_on",
    "sponsor_1_known_since",
    "sponsor_2_known_since",
    "background_checked_on",
    "cell_resolution_on",
    "committee_resolution_on",
    "decision_on",
    "ceremony_on",
]


class CandidateForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """The candidate's profile and cell; a new candidate also gets the first two stages."""

    class Meta:
        model = Candidate
        fields = [
            "unit",
            *admissions.PROFILE_FIELDS,
            "awareness_class_on",
            "application_on",
            "note",
        ]
        widgets = {
            **{name: DateInput() for name in DATE_FIELDS},
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_cells(self.fields["unit"], user)
        offer_villages(self.fields["residence_village"], user)
        if self.instance.pk:
            # The stages have their own form.
            del self.fields["awareness_class_on"], self.fields["application_on"]
        drop_sensitive_fields(self, user)


class StageForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """Every stage's dates, sponsors and votes; sponsors are the full members of the cell."""

    class Meta:
        model = Candidate
        fields = STAGE_FIELDS
        widgets = {name: DateInput() for name in DATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = admissions.sponsor_choices(self.instance.unit, self.instance)
        for name in ("sponsor_1", "sponsor_2"):
            self.fields[name].queryset = choices
        for name in ("cell_votes_for", "cell_voters", "committee_votes_for", "committee_voters"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in STAGE_SECTIONS]


class WithdrawForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=gettext_lazy("withdrawn on"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdmitForm(BootstrapFormMixin, forms.Form):
    province_consent = forms.BooleanField(
        label=gettext_lazy("The province committee has consented to admitting a candidate over 60"),
        required=False,
    )


# The object is looked up before the method is checked, so a page out of scope is 404 for
# every method (the scope sweep asks with GET and POST).


@login_required
def admission_board(request, unit_pk):
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    board = admissions.candidate_board(request.user, unit, today=timezone.localdate())
    context = {
        "unit": unit,
        "board": board,
        "can_add": scope_for(request.user).can_edit(unit.path),
        "near_days": NEAR_WORKING_DAYS,
        "decision_days": DECISION_WORKING_DAYS,
        "ceremony_days": CEREMONY_WORKING_DAYS,
    }
    return render(request, "members/admissions/board.html", context)


@login_required
def admission_detail(request, pk):
    candidate = admissions.get_candidate_for_user(request.user, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    admissions.annotate(candidate, timezone.localdate())
    context = {
        "candidate": candidate,
        "can_edit": scope_for(request.user).can_edit(candidate.unit.path),
        "open": not candidate.member_id and not candidate.withdrawn_on,
        "withdraw_form": WithdrawForm(initial={"withdrawn_on": timezone.localdate()}),
        "history": history_entries(candidate),
    }
    return render(request, "members/admissions/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def admission_create(request):
    if not scope_for(request.user).can_edit_anything:
        raise PermissionDenied
    form = CandidateForm(request.POST or None, initial=initial_unit(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        unit = fields.pop("unit")
        try:
            candidate = admissions.candidate_create(unit=unit, by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": candidate.full_name})
            return redirect("admission_detail", candidate.pk)
    return render(request, "members/admissions/form.html", {"form": form})


def _edit(request, candidate, form, success):
    """Save a form of an open candidate through candidate_update, or show its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            admissions.candidate_update(
                candidate=candidate, by=request.user, token=form.edit_token, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success % {"name": candidate.full_name})
            return redirect("admission_detail", candidate.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def admission_edit(request, pk):
    candidate = admissions.get_candidate_for_user(request.user, pk, write=True)
    form = CandidateForm(request.POST or None, instance=candidate, user=request.user)
    done = _edit(request, candidate, form, _("Changes to %(name)s were saved."))
    if request.method == "GET" and shown_sensitive_fields(form):
        record_full_view(request, candidate, shown_sensitive_fields(form))
    context = {"form": form, "candidate": candidate, "closed": _closed(candidate)}
    return done or render(request, "members/admissions/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def admission_stages(request, pk):
    candidate = admissions.get_candidate_for_user(request.user, pk, write=True)
    form = StageForm(request.POST or None, instance=candidate)
    done = _edit(request, candidate, form, _("The stages of %(name)s were saved."))
    context = {"form": form, "candidate": candidate, "closed": _closed(candidate)}
    return done or render(request, "members/admissions/stages.html", context)


def _closed(candidate) -> bool:
    return bool(candidate.member_id or candidate.withdrawn_on)


@login_required
def admission_withdraw(request, pk):
    candidate = admissions.get_candidate_for_user(request.user, pk, write=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("admission_detail", candidate.pk)
    try:
        admissions.candidate_withdraw(
            candidate=candidate,
            on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s was withdrawn.") % {"name": candidate.full_name})
    return redirect("admission_detail", candidate.pk)


@login_required
@require_http_methods(["GET", "POST"])
def admission_admit(request, pk):
    """A confirmation page listing what admission writes; POST admits."""
    candidate = admissions.get_candidate_for_user(request.user, pk, write=True)
    admissions.annotate(candidate, timezone.localdate())
    form = AdmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member = admissions.candidate_admit(
                candidate=candidate,
                by=request.user,
                province_consent=form.cleaned_data["province_consent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was admitted as a probationary member.") % {"name": member.full_name},
            )
            return redirect(member)
    context = {
        "candidate": candidate,
        "form": form,
        "needs_consent": any(f.level == Level.CONSENT for f in candidate.findings),
        "board_url": reverse("admission_board", args=[candidate.unit_id]),
    }
    return render(request, "members/admissions/admit.html", context)
