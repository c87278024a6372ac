"""Generate a province of chibo at the size of DESIGN.md's budgets, for the benchmarks."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bench.scale import checks
from bench.scale.generate import (
    GenerateError,
    analyze,
    database_is_empty,
    generate,
    table_rows,
)
from bench.scale.personas import admin_user, create_personas, reorganise, write_personas
from units.demo import reset_demo

DEFAULT_PERSONAS = Path(settings.BASE_DIR) / "bench" / "out" / "personas.json"


class Command(BaseCommand):
    help = (
        "Generate a province (members, cells, communes, years of monthly meetings) with the "
        "demo's distributions, on PostgreSQL, into an empty migrated database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--cells", type=int, default=3_000)
        parser.add_argument("--communes", type=int, default=120)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="Empty every chibo table first.")
        parser.add_argument("--personas", type=Path, default=DEFAULT_PERSONAS)
        parser.add_argument(
            "--no-check", action="store_true", help="Skip the checks after generating."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        say = self.stdout.write
        try:
            with transaction.atomic():
                if options["reset"]:
                    reset_demo()
                    from django.contrib.auth import get_user_model

                    get_user_model().objects.filter(username__startswith="bench-").delete()
                elif not database_is_empty():
                    raise CommandError(
                        "The database already holds units or members: generate_scale fills an "
                        "empty migrated database (or give --reset to empty chibo's tables)."
                    )
                result, clock = generate(
                    members=options["members"],
                    cells=options["cells"],
                    communes=options["communes"],
                    years=options["years"],
                    seed=options["seed"],
                    say=say,
                )
                admin = admin_user(result.province)
                for line in reorganise(result.province, admin, timezone.localdate()):
                    say(f"reorganisation: {line}")
                personas = create_personas(result.province, seed=options["seed"], admin=admin)
                clock.lap("personas and reorganisations")
        except GenerateError as error:
            raise CommandError(str(error)) from error
        analyze()
        clock.lap("analyze")
        write_personas(
            options["personas"],
            personas,
            {"province_id": result.province.pk, "seed": options["seed"]},
        )
        say(f"personas: {options['personas']}")
        for table, count in table_rows().items():
            say(f"  {table}: {count:,}".replace(",", "."))
        say(f"active members: {result.active_members:,}".replace(",", "."))
        if not options["no_check"]:
            problems = (
                checks.tree_problems()
                + checks.link_problems()
                + checks.count_problems()
                + checks.member_problems(timezone.localdate())
                + checks.page_problems(personas)
            )
            clock.lap("checks")
            for line in problems[:50]:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"{len(problems)} problems found in the generated data.")
            say("checks: tree, links, stored counts, member rules and pages all agree")
        say(self.style.SUCCESS(f"done in {time.monotonic() - started:.0f} s"))
