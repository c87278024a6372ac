"""Set up a generated tree for `bench/run`: administrators for the admin comparison, and the ids
the runner's pages and load test use. Prints JSON.

    manage.py bench_prepare --personas bench/out/personas.json

Adds `bench-admin-commune` and `bench-admin-province` (role administrator over the personas'
commune and province, so that the Django admin's member changelist shows the same rows as
chibo's member list for them), each with a confirmed TOTP device whose key is printed, as
generated personas give theirs; and the load test's secretaries, `bench-secretary` and
`bench-secretary-01` … `-19`, each of a cell of their own.
"""

import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q

from members.choices import ACTIVE_STATUSES
from members.models import Member
from units.models import CELL_KINDS, Role, Unit
from units.services import assignment_create

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-Password-2026!")
SECRETARIES = 20  # the load test's secretaries, a cell each


def load_personas(path: Path) -> list[dict]:
    """The generator's personas: a list, or an object holding it under "personas"."""
    data = json.loads(path.read_text())
    return data["personas"] if isinstance(data, dict) else data


def _totp_key(user) -> str | None:
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:  # two-factor not installed: a password is enough
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device.key


def _secretaries(cell: Unit, root) -> list[dict]:
    """The load test's secretaries, each of a cell of their own: the persona's cell and the next
    cells of 20 to 35 members on the rolls (by id), `bench-secretary-NN` (password only, as a
    secretary signs in)."""
    User = get_user_model()
    on_rolls = Count("members", filter=Q(members__status__in=ACTIVE_STATUSES))
    others = (
        Unit.objects.filter(kind__in=CELL_KINDS, dissolved_on__isnull=True)
        .exclude(pk=cell.pk)
        .annotate(on_rolls=on_rolls)
        .filter(on_rolls__gte=20, on_rolls__lte=35)
        .order_by("pk")
    )
    cells = [cell, *others[: SECRETARIES - 1]]
    secretaries = [("bench-secretary", None, cell)]
    for number, unit in enumerate(cells[1:], start=1):
        user, created = User.objects.get_or_create(username=f"bench-secretary-{number:02d}")
        if created:
            user.set_password(PASSWORD)
            user.save()
            assignment_create(user=user, unit=unit, role=Role.SECRETARY, by=root)
        secretaries.append((user.username, PASSWORD, unit))
    return [
        {
            "username": username,
            "password": password,  # None: the generator's persona, with its own password
            "cell_id": unit.pk,
            "cell_founded_on": unit.founded_on.isoformat() if unit.founded_on else None,
        }
        for username, password, unit in secretaries
    ]


class Command(BaseCommand):
    help = "Administrators and target ids for bench/run, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--personas", required=True)

    @transaction.atomic
    def handle(self, *, personas, **options):
        given = {p["username"].removeprefix("bench-"): p for p in load_personas(Path(personas))}
        for key in ("province", "commune", "secretary"):
            if key not in given:
                raise CommandError(f"No bench-{key} in {personas}.")
        province = Unit.objects.get(pk=given["province"]["unit_id"])
        commune = Unit.objects.get(pk=given["commune"]["unit_id"])
        cell = Unit.objects.get(pk=given["secretary"]["unit_id"])
        User = get_user_model()
        root, _created = User.objects.get_or_create(
            username="bench-root", defaults={"is_superuser": True, "is_staff": True}
        )
        admins = []
        for key, unit in (("admin-commune", commune), ("admin-province", province)):
            user, created = User.objects.get_or_create(username=f"bench-{key}")
            if created:
                user.set_password(PASSWORD)
                user.save()
                assignment_create(user=user, unit=unit, role=Role.ADMIN, by=root)
            admins.append(
                {
                    "username": user.username,
                    "password": PASSWORD,
                    "role": Role.ADMIN,
                    "unit_id": unit.pk,
                    "totp_key": _totp_key(user),
                }
            )
        secretaries = _secretaries(cell, root)
        in_commune = Member.objects.in_subtree(commune.path).filter(status__in=ACTIVE_STATUSES)
        member_ids = list(in_commune.order_by("pk").values_list("pk", flat=True)[:200])
        if not member_ids:
            raise CommandError(f"No member on the rolls in {commune}.")
        # A name typed without diacritics, as staff search: the first two words of a name.
        middle = in_commune.order_by("pk")[len(member_ids) // 2]
        search = " ".join(middle.search_key.split()[:2])
        counts = {
            "members": Member.objects.count(),
            "units_in_commune": Unit.objects.subtree(commune.path).count(),
            "secretary_cell_members": Member.objects.in_subtree(cell.path)
            .filter(status__in=ACTIVE_STATUSES)
            .count(),
        }
        targets = {
            "province_id": province.pk,
            "commune_id": commune.pk,
            "cell_id": cell.pk,
            "cell_founded_on": cell.founded_on.isoformat() if cell.founded_on else None,
            "member_ids": member_ids,
            "search": search,
            "counts": counts,
        }
        self.stdout.write(
            json.dumps({"admins": admins, "secretaries": secretaries, "targets": targets})
        )
