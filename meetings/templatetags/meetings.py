"""The meetings block of a unit's page: recent meetings and alerts of a cell, links for a
committee. A fixed handful of queries, whatever the size of the subtree."""

from django import template
from django.utils import timezone

from meetings import selectors
from units.access import scope_for

register = template.Library()


@register.inclusion_tag("meetings/includes/unit_panel.html", takes_context=True)
def meetings_panel(context, unit):
    user = context["request"].user
    as_of = getattr(context.get("as_of"), "day", None)  # the unit page's "figures as of" date
    today = as_of or timezone.localdate()
    panel = {
        "unit": unit,
        "today": today,
        "as_of": as_of,
        "can_edit": scope_for(user).can_edit(unit.path),
    }
    if unit.is_cell:
        panel["recent"] = list(selectors.meeting_list(user=user, cell=unit)[:3])
        panel["alerts"] = selectors.alerts_for(user=user, unit=unit, today=today)
    panel["board"] = selectors.board_kind(unit)
    return panel
