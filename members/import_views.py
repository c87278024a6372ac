"""How far a running Excel import has got: a fragment the import pages poll with htmx.

The upload and the commit are plain form posts (they work without JavaScript); while one runs,
the page asks here every second. Progress lives in the shared cache, written by the importer and
by members.services.members_import (the commit's transaction hides it from the database).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from members.importer import read_progress
from units.access import scope_for


@login_required
def member_import_progress(request):
    """The user's own import progress since `since` (the Unix time the page was made)."""
    if not scope_for(request.user).can_edit_anything:
        raise PermissionDenied
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        since = float(request.GET.get("since", 0))
    except ValueError:
        since = 0.0
    progress = read_progress(request.user.pk, since=since)
    percent = None
    if progress and progress["total"]:
        percent = min(100, round(100 * progress["done"] / progress["total"]))
    context = {"progress": progress, "percent": percent}
    return render(request, "members/member_import_progress.html", context)
