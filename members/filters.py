"""Filters of the member list: subtree, status, sex, ethnicity, age band, text search."""

from datetime import date

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from members.choices import ACTIVE_STATUSES, AGE_BANDS, Ethnicity, MemberStatus, Sex
from members.models import Member
from units.forms import compact_filter_form
from units.models import Unit

ACTIVE = "active"
LEFT = "left"
STATUS_CHOICES = [
    (ACTIVE, _("on the rolls")),
    (LEFT, _("no longer on the rolls")),
    *MemberStatus.choices,
]
MINORITY = "minority"


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"placeholder": _("name without diacritics, ID or card number"), "type": "search"}
        ),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit"), queryset=Unit.objects.none(), method="filter_subtree"
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=STATUS_CHOICES, method="filter_status", empty_label=_("all")
    )
    sex = django_filters.ChoiceFilter(label=_("sex"), choices=Sex.choices, empty_label=_("all"))
    ethnicity = django_filters.ChoiceFilter(
        label=_("ethnicity"),
        choices=[(MINORITY, _("ethnic minorities")), *Ethnicity.choices],
        method="filter_ethnicity",
        empty_label=_("all"),
    )
    age_band = django_filters.ChoiceFilter(
        label=_("age"),
        choices=[(key, label) for key, label, _lo, _hi in AGE_BANDS],
        method="filter_age_band",
        empty_label=_("all"),
    )

    class Meta:
        model = Member
        fields = ["q", "unit", "status", "sex", "ethnicity", "age_band"]

    def __init__(self, *args, units=None, id_prefix: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.id_prefix = id_prefix  # members.sensitive: citizen IDs by their start, or whole
        compact_filter_form(self, units=units, empty_label=_("everything I may see"))

    def filter_search(self, queryset, name, value):
        return queryset.search(value, id_prefix=self.id_prefix)

    def filter_subtree(self, queryset, name, value):
        return queryset.in_subtree(value.path)

    def filter_status(self, queryset, name, value):
        if value == ACTIVE:
            return queryset.filter(status__in=ACTIVE_STATUSES)
        if value == LEFT:
            return queryset.exclude(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_ethnicity(self, queryset, name, value):
        if value == MINORITY:
            return queryset.exclude(ethnicity=Ethnicity.KINH)
        return queryset.filter(ethnicity=value)

    def filter_age_band(self, queryset, name, value):
        band = next((b for b in AGE_BANDS if b[0] == value), None)
        if band is None:
            return queryset
        today = date.today()
        _key, _label, low, high = band
        if high is not None:
            # Older than `high` years means born on or before this day.
            queryset = queryset.filter(birth_date__gt=_years_ago(today, high + 1))
        if low is not None:
            queryset = queryset.filter(birth_date__lte=_years_ago(today, low))
        return queryset
