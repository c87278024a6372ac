"""Forms of resolutions and targets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Resolution, Target
from reports.selectors import target_units
from units.access import scope_for
from units.concurrency import EditTokenMixin
from units.forms import BootstrapFormMixin, DateInput, NormalizedFormMixin
from units.models import Unit

YEAR_MIN, YEAR_MAX = 1930, 2100


class ResolutionForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Resolution
        fields = ["number", "title", "start_year", "end_year", "adopted_on"]
        widgets = {"adopted_on": DateInput()}
        help_texts = {"number": _("As written on the resolution, e.g. 03-NQ/HU.")}

    def __init__(self, *args, issuer: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.issuer = issuer
        for name in ("start_year", "end_year"):
            self.fields[name].min_value = YEAR_MIN
            self.fields[name].max_value = YEAR_MAX
            self.fields[name].widget.attrs.update(min=YEAR_MIN, max=YEAR_MAX)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The period ends before it starts."))
        return cleaned


class TargetForm(EditTokenMixin, NormalizedFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["unit", "kind", "year", "value", "note"]
        help_texts = {
            "year": _("Leave empty for every year of the resolution's period."),
            "value": _("A number of members, a percentage, or thematic meetings per cell."),
        }

    def __init__(self, *args, resolution: Resolution, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resolution = resolution
        self.fields["unit"].queryset = (
            target_units(resolution).filter(scope_for(user).visible_q("path")).order_by("path")
        )
        self.fields["unit"].initial = resolution.issuer_id
        self.fields["year"].widget.attrs.update(min=resolution.start_year, max=resolution.end_year)
        self.fields["value"].min_value = 0

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        resolution = self.instance.resolution
        if year is not None and not resolution.covers(year):
            self.add_error(
                "year",
                _("The year must lie within the resolution's period (%(start)s-%(end)s).")
                % {"start": resolution.start_year, "end": resolution.end_year},
            )
        return cleaned
