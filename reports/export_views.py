"""The statistics exports of a unit: a page to pick the period, and one download per form.

Anyone who may see the unit may download its exports (viewers included); a unit out of sight
is 404. Every download is an .xlsx attachment with a Vietnamese file name, recorded in the audit
trail (members.exports.xlsx_response).
"""

import io
from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from meetings.rules import add_months
from members.exports import xlsx_response
from reports.exports import increase_decrease, meetings, organisations, structure
from reports.statistics import Period
from units.access import get_unit_for_user
from units.forms import BootstrapFormMixin, DateInput
from units.models import Unit

QUARTERS = [("", "—")] + [(str(q), str(q)) for q in range(1, 5)]
MONTHS = [("", "—")] + [(str(m), f"{m:02d}") for m in range(1, 13)]


class PeriodForm(BootstrapFormMixin, forms.Form):
    """The reporting period: two dates, or a year with a quarter or a month; this year to date
    when empty. A period running past today ends today (no figures exist for later days)."""

    start = forms.DateField(label=gettext_lazy("from"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("to"), required=False, widget=DateInput())
    year = forms.IntegerField(label=gettext_lazy("year"), required=False, min_value=1930)
    quarter = forms.ChoiceField(label=gettext_lazy("quarter"), required=False, choices=QUARTERS)
    month = forms.ChoiceField(label=gettext_lazy("month"), required=False, choices=MONTHS)

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = today.year
        self.fields["year"].widget.attrs.update({"max": today.year, "placeholder": today.year})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Give both dates of the period, or none."))
        else:
            year = data.get("year") or self.today.year
            if data.get("quarter") and data.get("month"):
                raise forms.ValidationError(_("Choose a quarter or a month, not both."))
            if data.get("quarter"):
                start = date(year, 3 * int(data["quarter"]) - 2, 1)
                end = add_months(start, 3)
            elif data.get("month"):
                start = date(year, int(data["month"]), 1)
                end = add_months(start, 1)
            else:
                start, end = date(year, 1, 1), date(year + 1, 1, 1)
            end -= timedelta(days=1)  # the last day of the month, quarter or year
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start > self.today:
            raise forms.ValidationError(_("The period starts after today."))
        data["period"] = Period(start, min(end, self.today))
        return data

    @property
    def period(self) -> Period | None:
        return self.cleaned_data["period"] if self.is_valid() else None


# url name: (module, title, what it holds)
EXPORTS = {
    "export_increase_decrease": (
        increase_decrease,
        gettext_lazy("Biểu 1: increase and decrease of members"),
        gettext_lazy(
            "Members at the start, admitted, transferred in and out, reinstated, died, "
            "expelled, removed, resigned, at the end; against the same period last year; "
            "per unit below."
        ),
    ),
    "export_structure": (
        structure,
        gettext_lazy("Biểu 2 and 3: members and new admissions"),
        gettext_lazy(
            "The members on the roll at the end of the period and those admitted in it, by sex, "
            "ethnicity, religion, occupation, age, education, qualification and political "
            "theory."
        ),
    ),
    "export_organisations": (
        organisations,
        gettext_lazy("Biểu 5: party organisations"),
        gettext_lazy(
            "Grassroots organisations by type and kind, cells, villages with their own or a "
            "combined cell, white villages, at the end of the period; per unit below."
        ),
    ),
    "export_meetings": (
        meetings,
        gettext_lazy("Cell meetings"),
        gettext_lazy(
            "Per cell: months met, meetings held, thematic meetings, attendance rate and "
            "meetings of good quality, in whole months."
        ),
    ),
}


def _page(request, unit, form, *, status=200):
    period = form.period if form.is_bound and form.is_valid() else None
    if period is None and not form.is_bound:
        period = PeriodForm({}, today=form.today).period
    exports = []
    if period is not None:
        query = urlencode({"start": f"{period.start:%d/%m/%Y}", "end": f"{period.end:%d/%m/%Y}"})
        for url_name, (_module, title, description) in EXPORTS.items():
            url = reverse(url_name, args=[unit.pk])
            exports.append({"title": title, "description": description, "url": f"{url}?{query}"})
    context = {
        "unit": unit,
        "form": form,
        "period": period,
        "exports": exports,
        "children": Unit.objects.visible_to(request.user)
        .filter(parent=unit)
        .active()
        .order_by("kind", "name"),
    }
    return render(request, "reports/exports/index.html", context, status=status)


@login_required
def report_exports(request, unit_pk):
    """The unit's exports, for the period chosen on the page (this year to date by default)."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":  # after the scope check: out of sight is 404 whatever the method
        return HttpResponseNotAllowed(["GET"])
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    return _page(request, unit, form, status=200 if not form.is_bound or form.is_valid() else 400)


def _export(request, unit_pk, url_name):
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = PeriodForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return _page(request, unit, form, status=400)
    module = EXPORTS[url_name][0]
    content = module.build(
        user=request.user, unit=unit, period=form.period, today=timezone.localdate()
    )
    sheets, rows = _sheets(content)
    return xlsx_response(
        content,
        module.name(unit, form.period),
        request=request,
        unit_path=unit.path,
        columns=sheets,
        rows=rows,
        detail={
            "form": url_name,
            "start": f"{form.period.start:%d/%m/%Y}",
            "end": f"{form.period.end:%d/%m/%Y}",
        },
    )


def _sheets(content: bytes) -> tuple[list[str], int]:
    """A statistics form's sheets and rows, as the audit trail records an export: the forms are
    figures (no member's record), a few hundred rows at most, so reading them back is cheap."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return workbook.sheetnames, sum(sheet.max_row or 0 for sheet in workbook.worksheets)
    finally:
        workbook.close()


@login_required
def export_increase_decrease(request, unit_pk):
    return _export(request, unit_pk, "export_increase_decrease")


@login_required
def export_structure(request, unit_pk):
    return _export(request, unit_pk, "export_structure")


@login_required
def export_organisations(request, unit_pk):
    return _export(request, unit_pk, "export_organisations")


@login_required
def export_meetings(request, unit_pk):
    return _export(request, unit_pk, "export_meetings")
