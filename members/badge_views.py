"""Party-badge pages: who reaches a badge in a year in a unit, recording the awards, the export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from members.badges import badge_list, badge_workbook, badges_award
from members.exports import xlsx_response
from units.access import get_unit_for_user, scope_for
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin

FIRST_YEAR = 1960  # 30 years after the party's founding (1930): the first badges
# The columns of members.badges.badge_workbook, as the audit trail records an export.
BADGE_COLUMNS = [
    "number",
    "full_name",
    "birth_date",
    "unit",
    "admitted_on",
    "badge_years",
    "awarded_on",
    "decision_number",
]


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_lazy("year"),
        min_value=FIRST_YEAR,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year and year > timezone.localdate().year + 5:
            raise ValidationError(_("Choose a year no more than five years ahead."))
        return year


class AwardForm(NormalizedFormMixin, BootstrapFormMixin, forms.Form):
    decision_number = forms.CharField(label=_lazy("decision number"), max_length=50)
    awarded_on = forms.DateField(label=_lazy("awarded on"), widget=DateInput())


def _year(request) -> tuple[YearForm, int]:
    form = YearForm(request.GET or request.POST or None)
    this_year = timezone.localdate().year
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["year"] or this_year
    return form, this_year


@login_required
def badge_list_view(request, unit_pk):
    """Members of a unit reaching a badge in the chosen year (this year by default)."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    year_form, year = _year(request)
    context = {
        "unit": unit,
        "year": year,
        "year_form": year_form,
        "groups": badge_list(user=request.user, unit=unit, year=year),
        "can_award": scope_for(request.user).can_edit(unit.path),
        "award_form": AwardForm(initial={"awarded_on": timezone.localdate()}),
    }
    return render(request, "members/badges/badge_list.html", context)


@login_required
def badge_award_view(request, unit_pk):
    """Record the badges of one decision for the members ticked on the list."""
    unit = get_unit_for_user(request.user, unit_pk, write=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _form, year = _year(request)
    form = AwardForm(request.POST)
    member_ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
    back = f"{reverse('badge_list', args=[unit.pk])}?year={year}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        awards = badges_award(
            unit=unit, year=year, member_ids=member_ids, by=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("%(count)d badge awards were recorded.") % {"count": len(awards)})
    return redirect(back)


@login_required
def badge_export(request, unit_pk):
    """The year's badge list of a unit as an .xlsx workbook."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    _form, year = _year(request)
    groups = badge_list(user=request.user, unit=unit, year=year)
    content = badge_workbook(groups, unit=unit, year=year)
    return xlsx_response(
        content,
        f"huy-hieu-dang-{unit.pk}-{year}.xlsx",
        request=request,
        unit_path=unit.path,
        columns=BADGE_COLUMNS,
        rows=sum(len(group.members) for group in groups),
        detail={"year": year},
    )
