"""Benchmark of the Excel import of members against DESIGN.md's budget (10,000 rows ≤ 10 s).

    DEBUG=on .venv/bin/python manage.py bench_import --rows 10000

Writes a realistic file with the template's columns, then times each phase as a user meets it:
reading the workbook, checking every row against the database, storing the preview, and the
all-or-nothing commit. Everything runs in one transaction that is rolled back at the end (a
scratch province, commune and cell, and a scratch administrator), so the database is left as it
was. Exits with an error when the total is over budget.
"""

import io
import os
import random
import time
import unicodedata
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from openpyxl import Workbook

from members import services
from members.choices import Education, Ethnicity, Occupation, Qualification, Sex, TheoryLevel
from members.importer import CHECK, COLUMNS, SAVE, Importer, choice_labels
from members.models import ImportBatch, Member, Placement, placements_for
from units.models import UnitCategory, UnitKind, Village
from units.services import unit_create
from units.vietnamese import name_sort_key, strip_diacritics

# DESIGN.md, "Budgets": Excel import of 10,000 members with full validation ≤ 10 s.
BUDGET_SECONDS_PER_10K = 10.0

FAMILY = ["Lò", "Quàng", "Cà", "Tòng", "Lường", "Giàng", "Mùa", "Vàng", "Thào", "Sùng", "Lầu",
          "Nguyễn", "Trần", "Đặng", "Hoàng", "Lý", "Điêu", "Bạc", "Lê", "Phạm"]  # fmt: skip
MIDDLE = {Sex.MALE: ["Văn", "A", "Đức", "Minh", "Công"], Sex.FEMALE: ["Thị", "Thị Thu", "Thị Ngọc"]}
GIVEN = {
    Sex.MALE: ["Phương", "Sử", "Thanh", "Chứ", "Páo", "Dũng", "Hùng", "Tiến", "Ún", "Khánh"],
    Sex.FEMALE: ["Bình", "Hoa", "Hương", "Xuân", "Ánh", "Sua", "Ngọc", "Mai", "Lan", "Dung"],
}
# Most members in the seed districts are of ethnic minorities (DESIGN.md, "Members").
ETHNICITIES = (
    [Ethnicity.THAI] * 5
    + [Ethnicity.HMONG] * 3
    + [
        Ethnicity.KINH,
        Ethnicity.KHO_MU,
        Ethnicity.DAO,
        Ethnicity.LAO,
    ]
)
# The scratch commune's villages; the file names them with or without "Bản" and diacritics.
VILLAGES = ["Bản Mển", "Bản Huổi Mí", "Bản Nậm Chua", "Bản Co Sản", "Bản Púng Giắt"]
VILLAGE_TEXTS = [*VILLAGES, "Huổi Mí", "ban nam chua", ""]
PLACES = [
    "Mường Chà, Điện Biên",
    "Mường Nhé, Điện Biên",
    "Tuần Giáo, Điện Biên",
    "Sìn Hồ, Lai Châu",
]


def _labels(choices) -> dict:
    return dict(choice_labels(choices))


class Command(BaseCommand):
    help = "Time the Excel import of N member rows (parse, check, commit) against the budget."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument(
            "--existing",
            type=int,
            default=0,
            help="percentage of rows that match members already in the cell (updates)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--budget",
            type=float,
            default=None,
            help="seconds allowed (default: 10 s per 10,000 rows, DESIGN.md)",
        )

    def handle(self, *, rows, existing, seed, budget, **options):
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        if budget is None:
            budget = BUDGET_SECONDS_PER_10K * rows / 10_000
        # DEBUG=on lets the command run without production secrets; the import is timed as
        # production runs it, without Django recording every SQL query in memory.
        random.seed(seed)
        debug, settings.DEBUG = settings.DEBUG, False
        try:
            self._bench(rows, existing, budget)
        finally:
            settings.DEBUG = debug

    def _bench(self, rows: int, existing: int, budget: float) -> None:
        timings = {}
        with transaction.atomic():
            user, cell = self._scratch()
            started = time.perf_counter()
            content, matched = self._workbook(rows, existing)
            timings["generate file (not counted)"] = (time.perf_counter() - started, None)
            if matched:
                self._existing_members(cell, matched)
            size_mb = len(content) / 1024 / 1024
            self.stdout.write(
                f"{connection.vendor}: {rows:,} rows, {len(matched):,} matching members "
                f"already in the cell, file {size_mb:.1f} MB"
            )
            timings.update(self._run(user, cell, content))
            transaction.set_rollback(True)
        counted = [v for k, v in timings.items() if "not counted" not in k]
        total = sum(wall for wall, _cpu in counted)
        cpu = sum(cpu for _wall, cpu in counted)
        self.stdout.write(f"  {'phase':<34} {'wall':>8} {'cpu':>8}")
        for phase, (wall, cpu_seconds) in timings.items():
            cpu_text = f"{cpu_seconds:7.2f}s" if cpu_seconds is not None else ""
            self.stdout.write(f"  {phase:<34} {wall:7.2f}s {cpu_text:>8}")
        verdict = "within" if total <= budget else "OVER"
        self.stdout.write(
            f"  {'total':<34} {total:7.2f}s {cpu:7.2f}s  ({verdict} budget {budget:.1f} s, wall)"
        )
        if os.getloadavg()[0] > os.cpu_count():
            self.stdout.write(
                f"  note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
                "wall times include waiting for other processes."
            )
        if total > budget:
            raise CommandError(f"Import of {rows:,} rows took {total:.2f} s, over {budget:.1f} s.")

    def _scratch(self):
        """A throwaway administrator and cell (rolled back with everything else)."""
        user = get_user_model().objects.create(
            username=f"bench-import-{uuid.uuid4().hex[:8]}", is_superuser=True, is_active=True
        )
        province = unit_create(
            parent=None, by=user, kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh (bench)"
        )
        commune = unit_create(
            parent=province, by=user, kind=UnitKind.COMMUNE, name="Đảng bộ xã (bench)"
        )
        cell = unit_create(
            parent=commune,
            by=user,
            kind=UnitKind.SUB_CELL,
            category=UnitCategory.VILLAGE,
            name="Chi bộ bản (bench)",
        )
        for name in VILLAGES:
            Village.objects.create(commune=commune, name=name)
        return user, cell

    def _free_numbers(self, rows: int) -> tuple[list[str], list[str]]:
        """Citizen IDs and card numbers no member has yet (they are unique in the database)."""
        base = random.randrange(10**8, 9 * 10**8)
        ids = [f"099{base + n:09d}" for n in range(rows)]
        cards = [f"9{base + n:09d}" for n in range(rows)]
        taken_ids = set(
            Member.objects.filter(citizen_id__gte=ids[0], citizen_id__lte=ids[-1]).values_list(
                "citizen_id", flat=True
            )
        )
        taken_cards = set(
            Member.objects.filter(
                card_number__gte=cards[0], card_number__lte=cards[-1]
            ).values_list("card_number", flat=True)
        )
        if taken_ids or taken_cards:
            raise CommandError("Generated numbers are taken; run again with another --seed.")
        return ids, cards

    def _workbook(self, rows: int, existing: int) -> tuple[bytes, list[dict]]:
        """A file like an office fills in: Vietnamese labels, mostly text dates, some real
        dates, a few names typed with decomposed accents and stray spaces."""
        sexes, ethnicities = _labels(Sex), _labels(Ethnicity)
        education, theory = _labels(Education), _labels(TheoryLevel)
        occupations, qualifications = _labels(Occupation), _labels(Qualification)
        ids, cards = self._free_numbers(rows)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Đảng viên")
        headers = [header for _name, header in COLUMNS]
        sheet.append(headers)
        matched = []
        today = date.today()
        for n in range(rows):
            sex = Sex.FEMALE if n % 3 == 0 else Sex.MALE
            name = (
                f"{random.choice(FAMILY)} {random.choice(MIDDLE[sex])} {random.choice(GIVEN[sex])}"
            )
            if n % 50 == 0:
                name = "  " + unicodedata.normalize("NFD", name) + " "
            born = date(1950, 1, 1) + timedelta(days=random.randrange(0, 365 * 50))
            admitted = born + timedelta(days=365 * random.randint(19, 35) + random.randrange(200))
            admitted = min(admitted, today - timedelta(days=400))
            full = n % 8 != 0
            official = admitted + timedelta(days=366) if full else None
            values = {
                "full_name": name,
                "birth_name": "",
                "sex": sexes[sex],
                "birth_date": born if n % 10 == 0 else born.strftime("%d/%m/%Y"),
                "birth_place": random.choice(PLACES),
                "ethnicity": ethnicities[random.choice(ETHNICITIES)],
                "religion": "",
                "hometown": random.choice(PLACES),
                "permanent_address": f"Bản {random.choice(GIVEN[Sex.MALE])}, {PLACES[0]}",
                "temporary_address": "",
                "residence_village": random.choice(VILLAGE_TEXTS),
                "citizen_id": ids[n],
                "card_number": cards[n] if full else "",
                "cv_number": f"LL-{n:06d}",
                "badge_number": "",
                "admitted_on": admitted.strftime("%d/%m/%Y"),
                "ceremony_on": admitted.strftime("%d/%m/%Y"),
                "official_on": official.strftime("%d/%m/%Y") if official else "",
                "education": education[random.choice(list(Education))],
                "qualification": qualifications[random.choice(list(Qualification))],
                "theory_level": theory[random.choice(list(TheoryLevel))],
                "foreign_language": "",
                "occupation_before": "",
                "occupation": occupations[random.choice(list(Occupation))],
                "youth_union": "Có" if admitted.year - born.year < 30 else "Không",
                "service_background": "",
                "phone": f"09{random.randrange(10**7, 10**8)}" if n % 4 == 0 else "",
                "notes": "",
            }
            # Excel stores no cell for an empty one.
            sheet.append([values[name] if values[name] != "" else None for name, _h in COLUMNS])
            if existing and n % 100 < existing:
                matched.append({"citizen_id": ids[n], "born": born, "admitted": admitted})
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), matched

    def _existing_members(self, cell, matched: list[dict]) -> None:
        """Members the file will update, already in the cell (not timed)."""
        members = []
        for m in matched:
            name = "Lò Văn Cũ"
            members.append(
                Member(
                    unit=cell,
                    full_name=name,
                    sex=Sex.MALE,
                    birth_date=m["born"],
                    ethnicity=Ethnicity.THAI,
                    citizen_id=m["citizen_id"],
                    admitted_on=m["admitted"],
                    education=Education.PRIMARY,
                    occupation=Occupation.FARMER,
                    search_key=strip_diacritics(name),
                    sort_key=name_sort_key(name),
                )
            )
        members = Member.objects.bulk_create(members, batch_size=1000)
        Placement.objects.bulk_create(placements_for(members), batch_size=1000)

    def _run(self, user, cell, content: bytes) -> dict:
        """Time the phases through the progress callback the import pages use: for each, the
        wall-clock seconds (the budget's measure) and this process's CPU seconds."""
        marks = {}

        def now():
            return time.perf_counter(), time.process_time()

        def progress(phase, done, total):
            marks.setdefault(phase, now())
            if phase == SAVE and done == total:
                marks["save_last"] = now()

        start = now()
        uploaded = SimpleUploadedFile("bench.xlsx", content)
        rows = Importer(user=user, unit=cell, progress=progress).read(uploaded)
        checked = now()
        errors = sum(len(row.errors) for row in rows)
        if errors:
            first = next(row for row in rows if row.errors)
            raise CommandError(
                f"The generated file has {errors} errors, e.g. row {first.number}: "
                f"{first.errors[0]}"
            )
        batch = ImportBatch.objects.create(
            user=user, unit=cell, file_name="bench.xlsx", rows=[row.as_json() for row in rows]
        )
        stored = now()
        counts = services.members_import(batch=batch, by=user, progress=progress)
        done = now()
        expected = len(rows)
        if sum(counts.values()) != expected:
            raise CommandError(f"Commit counted {counts}, expected {expected} rows.")
        spans = {
            "read the workbook": (start, marks[CHECK]),
            "check every row": (marks[CHECK], checked),
            "store the preview": (checked, stored),
            "commit: build and validate rows": (stored, marks["save_last"]),
            "commit: write members and history": (marks["save_last"], done),
        }
        return {
            phase: (end[0] - begin[0], end[1] - begin[1]) for phase, (begin, end) in spans.items()
        }
