"""Filters of the audit page: event, user, dates (dd/mm/yyyy), unit (subtree), text."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, AuditKind
from units.access import paths_q
from units.forms import compact_filter_form
from units.models import Unit


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _date_input(placeholder):
    return forms.TextInput(attrs={"placeholder": placeholder, "inputmode": "numeric"})


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("kind of event"), choices=AuditKind.choices, empty_label=_("all events")
    )
    user = django_filters.CharFilter(
        label=_("user"),
        method="filter_user",
        widget=forms.TextInput(attrs={"placeholder": _("username"), "type": "search"}),
    )
    since = django_filters.DateFilter(
        label=_("from"), method="filter_since", widget=_date_input(_("from dd/mm/yyyy"))
    )
    until = django_filters.DateFilter(
        label=_("until"), method="filter_until", widget=_date_input(_("until dd/mm/yyyy"))
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit"), queryset=Unit.objects.none(), method="filter_unit"
    )
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_text",
        widget=forms.TextInput(attrs={"placeholder": _("record or address"), "type": "search"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "user", "since", "until", "unit", "q"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        compact_filter_form(self, units=units, empty_label=_("all units"))

    def filter_user(self, queryset, name, value):
        return queryset.filter(username__icontains=value.strip())

    # Ranges on the indexed time column, from the start of a day in chibo's time zone.
    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(paths_q([value.path], "unit_path"))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(object_repr__icontains=value) | Q(path__icontains=value))
