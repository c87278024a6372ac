"""Time and memory of the Excel export of the member list, for `bench/run`. Prints JSON.

    manage.py bench_export --username bench-province            # the export view itself
    manage.py bench_export --username bench-province --bare     # openpyxl alone, same cells

The export runs the view of "Export to Excel" on the member list (`members.views.member_export`,
the list's default filter: members on the rolls) for the user, in this process. `--bare` first
computes the same cells (not timed), then times openpyxl's write_only workbook writing them
with nothing else: the floor the export is compared with. Memory is the process's peak resident
set (getrusage) above what it held before the export started.
"""

import io
import json
import resource
import time
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand
from django.test import RequestFactory
from django.utils import translation
from openpyxl import Workbook

from members import views
from members.exports import LIST_COLUMNS, columns_for
from members.filters import ACTIVE, MemberFilter
from members.selectors import member_list
from units.models import Unit


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cells(user) -> tuple[list, list]:
    """The header and rows the export writes, as plain values."""
    units = Unit.objects.visible_to(user).active()
    members = MemberFilter({"status": ACTIVE}, queryset=member_list(user=user), units=units).qs
    columns = columns_for(LIST_COLUMNS, sensitive=False)  # the view's default, as timed
    header = [column.label() for column in columns]
    rows = []
    for number, member in enumerate(members.iterator(chunk_size=2000), start=1):
        row = []
        for column in columns:
            value = number if column.value is None else column.value(member)
            row.append(value if value is not None else "")
        rows.append(row)
    return header, rows


class Command(BaseCommand):
    help = "Time and peak memory of the member export (or of openpyxl alone), as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--bare", action="store_true")

    def handle(self, *, username, bare, **options):
        translation.activate("vi")
        user = get_user_model().objects.get(username=username)
        if bare:
            header, rows = _cells(user)
            before = _rss_mb()
            started = time.perf_counter()
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Sheet")
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            buffer = io.BytesIO()
            workbook.save(buffer)
            seconds = time.perf_counter() - started
            size = len(buffer.getvalue())
            count = len(rows)
        else:
            request = RequestFactory().get("/members/export.xlsx")
            request.user = user if user.is_active else AnonymousUser()
            request.session = {}
            # Warm the process as a server is (imports, translations), outside the timing.
            views.MemberFilter  # noqa: B018
            before = _rss_mb()
            started = time.perf_counter()
            response = views.member_export(request)
            seconds = time.perf_counter() - started
            size = len(response.content)
            count = member_list(user=user).filter(status__in=["probationary", "full"]).count()
            assert response.status_code == 200, response.status_code
        peak = _peak_mb()
        result = {
            "mode": "bare" if bare else "export",
            "rows": count,
            "seconds": seconds,
            "bytes": size,
            "rss_before_mb": before,
            "peak_rss_mb": peak,
            "peak_above_start_mb": peak - before,
            "date": date.today().isoformat(),
        }
        self.stdout.write(json.dumps(result))
