"""The data-quality page of a unit: member records that are missing, doubled or impossible."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from members.quality import SHOWN, data_quality
from units.access import get_unit_for_user


@login_required
def quality_view(request, unit_pk):
    """Every check of the unit's subtree, each with its count and the members concerned."""
    unit = get_unit_for_user(request.user, unit_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    today = timezone.localdate()
    context = {
        "unit": unit,
        "today": today,
        "shown": SHOWN,
        "sections": data_quality(user=request.user, unit=unit, today=today),
    }
    return render(request, "members/quality/quality.html", context)
